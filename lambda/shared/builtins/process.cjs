// The process object, not an ESM namespace of node:process: see lib/handler-function.ts (BUILTINS_VIA_REQUIRE).
module.exports = process;

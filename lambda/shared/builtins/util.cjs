// Node util as CommonJS exports, not an ESM namespace: see lib/handler-function.ts (BUILTINS_VIA_REQUIRE).
module.exports = process.getBuiltinModule('node:util');

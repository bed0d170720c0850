// Node fs/promises as CommonJS exports (an alias of fs has to cover it): see lib/handler-function.ts (BUILTINS_VIA_REQUIRE).
module.exports = process.getBuiltinModule('node:fs/promises');

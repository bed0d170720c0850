import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file starts its own embedded emulators; two forks keep the 2-core machine busy, not thrashing.
    pool: 'forks',
    maxWorkers: 2,
    // The SDK's notice that Node 20 support ends in 2027; README says so once, tests need not.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // `vitest run --coverage` (CI): the product's code only; the floor is what the suite meets, so a
    // change that drops untested code in fails it.
    coverage: {
      provider: 'v8',
      include: ['lambda/**/*.ts', 'lib/**/*.ts', 'local/**/*.ts', 'client/**/*.ts', 'bin/**/*.ts'],
      reporter: ['text-summary'],
      thresholds: { lines: 88, functions: 88, branches: 77, statements: 86 },
    },
  },
});

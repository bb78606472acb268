import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Kernel tests fork many children; keep the machine responsive.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

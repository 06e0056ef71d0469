import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every test file removes the temp dirs it made; the run checks that none were left behind.
    globalSetup: ['test/support/private-tmp.ts'],
    setupFiles: ['test/support/remove-temp-dirs.ts'],
    // Tests against the real systemd user manager and tmux take seconds each; run files in parallel,
    // each test inside a file in order.
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});

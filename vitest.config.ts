import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests against the real systemd user manager and tmux take seconds each; run files in parallel,
    // each test inside a file in order.
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 300_000,
          // One Chromium, one dev server, one production build and one timing of the engines for every file (tests/e2e/globalSetup.ts).
          globalSetup: ['tests/e2e/globalSetup.ts'],
          // One browser at a time: the machine has two cores and Chromium's software GPU is heavy.
          fileParallelism: false,
        },
      },
    ],
  },
});

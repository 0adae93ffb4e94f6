import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // The files of a worker share its modules (TensorFlow.js loads once per worker, not once per file): a file
          // that needs a backend, kernels or storage of its own sets them up itself (tests/unit/model-fixtures.ts).
          isolate: false,
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          // The files share their worker's modules (Playwright, the fixtures): each file still opens its own browser
          // connection and contexts, so no page state crosses files.
          isolate: false,
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 300_000,
          // One Chromium, one dev server, one production build and one timing of the engines for every file (tests/e2e/globalSetup.ts).
          globalSetup: ['tests/e2e/globalSetup.ts'],
          // Files run side by side (package.json's test:e2e sets how many): a browser test spends much of its time
          // waiting on the page (playback, the worker), and each file opens its own contexts in the shared browser.
        },
      },
    ],
  },
});

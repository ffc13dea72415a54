import solid from 'vite-plugin-solid';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real PostgreSQL, MQTT and OpenCV work is slow on a 2-core box; keep files parallel but few.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['verbose'] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['{protocol,agent,hub,dashboard}/test/**/*.test.ts'],
        },
      },
      {
        // Solid components rendered into happy-dom; the Solid plugin compiles their JSX (only here, so
        // its browser resolve conditions never reach the Node tests).
        extends: true,
        plugins: [solid()],
        test: {
          name: 'components',
          include: ['dashboard/test/**/*.test.tsx'],
          environment: 'happy-dom',
        },
      },
    ],
  },
});

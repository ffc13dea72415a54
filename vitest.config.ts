import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{protocol,agent,hub,dashboard}/test/**/*.test.ts', 'scripts/test/**/*.test.ts'],
    // Real PostgreSQL, MQTT and OpenCV work is slow on a 2-core box; keep files parallel but few.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['verbose'] : ['default'],
  },
});

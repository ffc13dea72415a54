import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

/** The hub the dev server forwards /api and /ws to (`npm run dev -w dashboard`). */
const hub = process.env.OSKARTRACK_HUB ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [solid()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/api': hub,
      '/ws': { target: hub.replace(/^http/, 'ws'), ws: true },
    },
  },
});

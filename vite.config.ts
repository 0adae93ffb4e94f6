import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The tfjs packages ship their own wasm binaries; Vite serves them as assets, so they
// must not be pre-bundled (pre-bundling breaks the relative wasm URLs).
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});

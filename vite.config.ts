import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { pianoSamplesPlugin } from './src/audio/vitePianoSamples';

// The training worker's dependencies are pre-bundled up front: Vite's scan does not follow
// `new Worker(new URL(...))`, and discovering them late re-optimises and reloads the page.
// tfjs-backend-wasm must be pre-bundled too: it imports a CommonJS file that the browser cannot load
// as a module. Its .wasm binaries are given to setWasmPaths as `?url` assets (src/worker/backend.ts),
// so pre-bundling does not break their URLs.
export default defineConfig({
  plugins: [react(), pianoSamplesPlugin()],
  worker: { format: 'es' },
  optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', 'idb'] },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { pianoSamplesPlugin } from './src/audio/vitePianoSamples.ts';
import { contentSecurityPolicyPlugin, offlineAppPlugin } from './src/app/viteOffline.ts';

/**
 * Ships the pretrained models under models/ with the build, at the same /models/... addresses the dev
 * server serves them from (it serves the project root as it is).
 */
function bundledModelsPlugin(): Plugin {
  const root = join(import.meta.dirname, 'models');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
  return {
    name: 'cantus-bundled-models',
    apply: 'build',
    generateBundle() {
      if (!existsSync(root)) return;
      for (const file of files(root)) {
        this.emitFile({ type: 'asset', fileName: `models/${relative(root, file)}`, source: readFileSync(file) });
      }
    },
  };
}

// Cross-origin isolation (SharedArrayBuffer), so WebAssembly trains on every core; public/_headers sends the
// same from static hosts, docs/deploying.md covers hosts that set no headers.
const CROSS_ORIGIN_ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

// The training worker's dependencies are pre-bundled up front: Vite's scan does not follow
// `new Worker(new URL(...))`, and discovering them late re-optimises and reloads the page.
// tfjs-backend-wasm must be pre-bundled too: it imports a CommonJS file that the browser cannot load
// as a module. Its .wasm binaries are given to setWasmPaths as `?url` assets (src/worker/backendStart.ts),
// so pre-bundling does not break their URLs.
export default defineConfig({
  plugins: [react(), pianoSamplesPlugin(), bundledModelsPlugin(), contentSecurityPolicyPlugin(), offlineAppPlugin()],
  worker: { format: 'es' },
  optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', 'idb'] },
  server: { host: '127.0.0.1', port: 5173, headers: CROSS_ORIGIN_ISOLATION },
  preview: { host: '127.0.0.1', port: 4173, headers: CROSS_ORIGIN_ISOLATION },
  // Minified by esbuild, not the default minifier: the threaded WebAssembly backend starts its thread workers
  // from the source text of its own factory function (Function.prototype.toString). With the default
  // minifier those workers failed ("e is not defined") and the page fell back to cpu; with esbuild they start.
  // tests/e2e/page-built.test.ts fails if the built app does not train on more than one thread.
  build: { target: 'es2022', chunkSizeWarningLimit: 12000, minify: 'esbuild' },
});

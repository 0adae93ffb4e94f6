/**
 * Starting tfjs-backend-wasm's threaded SIMD build with a chosen number of XNNPACK threads, in Node and in
 * the browser alike. Two things in tfjs 4.22 stand in the way otherwise:
 * - Its C++ side caps the pool at `emscripten_num_logical_cores() / 2` (it assumes two hyperthreads per
 *   core), so a 2-core machine or a 2-thread browser always gets ONE thread, whatever `setThreadsCount` says.
 *   The build is instantiated here with that one import answering `2 x threads`, so the cap is the count asked.
 * - In Node its loader never picks the threaded build (WASM_HAS_MULTITHREAD_SUPPORT is false there,
 *   tensorflow/tfjs#3830) and hands the pthread workers `blob:` URLs that worker_threads cannot load; the
 *   Emscripten output itself supports Node, so the caller passes file paths instead (see node.ts).
 * The result is registered as the 'wasm' backend, so this project's kernels (registered for 'wasm') run on it,
 * and the XNNPACK convolutions they are built from use the same thread pool.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/** The Emscripten module as the factory hands it over (only what is used here). */
interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => unknown;
  tfjs?: Record<string, unknown>;
  /** Emscripten's pthread bookkeeping; in Node its workers are worker_threads Workers. */
  PThread?: { runningWorkers: { unref?: () => void }[]; unusedWorkers: { unref?: () => void }[] };
}

/** The threaded build's Emscripten factory (`tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js`). */
export type ThreadedWasmFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

/** Where the pieces of the threaded build come from on this platform. */
export interface ThreadedWasmSources {
  factory: ThreadedWasmFactory;
  /** What a pthread worker is started from: a file path in Node, a (blob) URL in the browser. */
  workerScript: string;
  /** What each pthread worker loads to get the factory: the script's path in Node, a Blob of its source in the browser. */
  mainScript: string | Blob;
  /** The bytes of `tfjs-backend-wasm-threaded-simd.wasm`. */
  wasmBinary: () => Promise<BufferSource>;
}

/** The most threads tfjs's threaded build supports: it pre-creates 8 pthread workers. */
export const MAX_WASM_THREADS = 8;

const BACKEND = 'wasm';
/** tfjs-backend-wasm's own registration priority. */
const WASM_PRIORITY = 2;

/** Clamps a requested thread count to what the build supports. */
export function clampThreads(threads: number): number {
  return Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(threads)));
}

/** tfjs's engine keeps backend factories in this (untyped) registry; read once to allow going back. */
interface BackendRegistry {
  registryFactory: Record<string, { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number } | undefined>;
}

/** tfjs-backend-wasm's own factory (single-threaded in Node and in pages that are not cross-origin isolated). */
let packageFactory: BackendRegistry['registryFactory'][string];
/** The thread count of the threaded factory now registered; undefined while the package's own is. */
let registeredThreads: number | undefined;

function rememberPackageFactory(): void {
  if (registeredThreads === undefined) packageFactory ??= (tf.engine() as unknown as BackendRegistry).registryFactory[BACKEND];
}

/** The thread count the registered threaded build was asked for, or undefined when the package's own build is registered. */
export function registeredWasmThreads(): number | undefined {
  return registeredThreads;
}

/** Puts tfjs-backend-wasm's own factory back (disposing a started threaded backend), e.g. for one-thread comparisons. */
export function restorePackageWasmBackend(): void {
  if (registeredThreads === undefined) return;
  if (packageFactory === undefined) throw new Error('internal: the package wasm backend factory was not captured');
  if (tf.findBackendFactory(BACKEND)) tf.removeBackend(BACKEND);
  tf.registerBackend(BACKEND, packageFactory.factory, packageFactory.priority);
  setThreadsCount(-1);
  registeredThreads = undefined;
}

async function instantiate(sources: ThreadedWasmSources, threads: number): Promise<EmscriptenModule> {
  const module = await sources.factory({
    locateFile: (path: string) => (path.endsWith('.worker.js') ? sources.workerScript : path),
    mainScriptUrlOrBlob: sources.mainScript,
    // Emscripten's documented hook for custom instantiation; `imports.env` is the build's JS imports.
    instantiateWasm: (
      imports: { env: Record<string, unknown> },
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) => {
      // The pool size is capped at half of this figure (see the file comment): answer twice the count wanted.
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      void sources
        .wasmBinary()
        .then((bytes) => WebAssembly.instantiate(bytes, imports as unknown as WebAssembly.Imports))
        .then((result) => receive(result.instance, result.module));
      return {};
    },
  });
  // The same bridge tfjs-backend-wasm's own init() builds (backend_wasm.ts), which BackendWasm calls.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * Replaces the 'wasm' backend's factory with the threaded SIMD build on `threads` threads (1 to 8). Call before
 * `tf.setBackend('wasm')`; an already started 'wasm' backend is disposed. Kernels stay registered.
 */
export function registerThreadedWasmBackend(sources: ThreadedWasmSources, threads: number): void {
  const count = clampThreads(threads);
  rememberPackageFactory();
  // Read by BackendWasm's constructor (init_with_threads_count).
  setThreadsCount(count);
  if (tf.findBackendFactory(BACKEND)) tf.removeBackend(BACKEND);
  tf.registerBackend(
    BACKEND,
    async () => {
      const module = await instantiate(sources, count);
      // The constructor starts XNNPACK's pool: its pthreads live (and wait) for as long as the backend does.
      const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
      // In Node a running worker keeps the process alive; the pool's idle threads must not, or no script would end.
      for (const worker of [...(module.PThread?.runningWorkers ?? []), ...(module.PThread?.unusedWorkers ?? [])]) worker.unref?.();
      return backend;
    },
    WASM_PRIORITY,
  );
  registeredThreads = count;
}

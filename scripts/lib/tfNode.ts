/**
 * Choosing the TensorFlow.js backend for the Node scripts: wasm (with the project's training kernels, on every
 * core by default), cpu, or webgpu (tfjs-backend-webgpu on Dawn through the npm package `webgpu`, so a machine
 * with a GPU trains with the same backend as the page).
 */
import * as tf from '@tensorflow/tfjs';

import { defaultNodeThreads, startWasmBackendInNode } from '../../src/model/wasm/node';

/** The backends the Node scripts offer. */
export const NODE_BACKENDS = ['wasm', 'cpu', 'webgpu'] as const;
export type NodeBackend = (typeof NODE_BACKENDS)[number];

/** Options for starting a backend. */
export interface NodeBackendOptions {
  /** wasm only: XNNPACK threads (default: CANTUS_WASM_THREADS, else every core, at most 8); 1 is the single-threaded build. */
  threads?: number;
}

/** What was started, in words for a log line (e.g. "wasm, 2 threads" or "webgpu on SwiftShader Device (Vulkan)"). */
export type NodeBackendDescription = string;

/** Thrown when WebGPU cannot start in Node; the message says what to check. */
export class NodeWebGpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeWebGpuError';
  }
}

/** The adapter info fields Dawn reports (only those used here). */
interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  isFallbackAdapter?: boolean;
}

let webGpuStarted = false;

async function startWebGpu(): Promise<string> {
  if (!webGpuStarted) {
    const { create, globals } = await import('webgpu');
    // tfjs-backend-webgpu uses the WebGPU constants (GPUBufferUsage, ...) and navigator.gpu as in a browser;
    // Node 20 has no navigator, Node 21+ has one without gpu.
    Object.assign(globalThis, globals);
    const gpu = create([]);
    if (typeof globalThis.navigator === 'undefined')
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    else Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
    // Imported only now: the backend reads navigator.gpu when it is registered.
    await import('@tensorflow/tfjs-backend-webgpu');
    webGpuStarted = true;
  }
  let started = false;
  try {
    started = await tf.setBackend('webgpu');
  } catch (error) {
    throw new NodeWebGpuError(`WebGPU did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!started) {
    throw new NodeWebGpuError(
      'WebGPU found no adapter. On a GPU machine install its Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver; ' +
        "without a GPU, Chromium's software Vulkan works: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json " +
        'LD_LIBRARY_PATH=/usr/lib/chromium (see docs/scaling.md).',
    );
  }
  const adapter = (tf.backend() as unknown as { adapterInfo?: AdapterLike['info'] }).adapterInfo;
  const name = [adapter?.vendor, adapter?.architecture, adapter?.device, adapter?.description].filter(Boolean).join(' ');
  return `webgpu${name ? ` on ${name}` : ''}`;
}

/**
 * The wasm thread count of the Node scripts: CANTUS_WASM_THREADS when set (1 on a machine whose cores are busy
 * with other work, where threads wait on each other), else every core.
 */
export function nodeWasmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.CANTUS_WASM_THREADS;
  if (value === undefined || value === '') return defaultNodeThreads();
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`CANTUS_WASM_THREADS must be a whole number of at least 1 (got "${value}").`);
  return threads;
}

/** Starts `backend`, makes it the active one and says what runs. */
export async function startNodeBackend(backend: NodeBackend, options: NodeBackendOptions = {}): Promise<NodeBackendDescription> {
  let description: string;
  if (backend === 'wasm') {
    const info = await startWasmBackendInNode(options.threads ?? nodeWasmThreads());
    description = `wasm, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  } else if (backend === 'webgpu') {
    description = await startWebGpu();
  } else {
    if (!(await tf.setBackend('cpu'))) throw new Error('The cpu backend of TensorFlow.js could not start.');
    description = 'cpu';
  }
  await tf.ready();
  return description;
}

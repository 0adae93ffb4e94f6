/**
 * A faster Tanh for the wasm backend (the generator's output activation; per-kernel times in
 * docs/scaling.md): 2 * sigmoid(2x) - 1. The package's Tanh is a plain scalar loop (about 16 ns a value);
 * its Sigmoid is XNNPACK's vectorised kernel on the thread pool. The identity costs a multiply before and a
 * multiply-add after, and at most about 1e-7 in absolute value (float32 rounding near 0.5). Other dtypes go
 * to the package's own kernel.
 */
import {
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type KernelArgs = { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: NamedAttrMap };

/** The package kernels ours build on or fall back to, captured when ours are installed. */
const packageKernels = new Map<string, KernelConfig>();

function packageKernel(name: string): KernelConfig {
  const config = packageKernels.get(name);
  if (config === undefined) throw new Error(`internal: the wasm ${name} kernel was not captured before ours were registered`);
  return config;
}

const callPackage = (name: string, args: KernelArgs): TensorInfo =>
  packageKernel(name).kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;

/** tanh(x) = 2 * sigmoid(2x) - 1, the sigmoid on XNNPACK. */
function tanh(args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const { backend } = args;
  if (x.dtype !== 'float32') return callPackage('Tanh', args);
  const doubled = backend.makeOutput(x.shape, 'float32');
  try {
    const source = backend.typedArrayFromHeap(x) as Float32Array;
    const twice = backend.typedArrayFromHeap(doubled) as Float32Array;
    for (let i = 0; i < twice.length; i++) twice[i] = 2 * source[i];
    const out = callPackage('Sigmoid', { inputs: { x: doubled }, backend, attrs: {} });
    // Views are taken after every allocation: growing the wasm heap detaches older views.
    const values = backend.typedArrayFromHeap(out) as Float32Array;
    for (let i = 0; i < values.length; i++) values[i] = 2 * values[i] - 1;
    return out;
  } finally {
    backend.disposeData(doubled.dataId);
  }
}

const config = (kernelName: string, kernelFunc: (args: KernelArgs) => TensorInfo): KernelConfig => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: kernelFunc as unknown as KernelFunc,
  // The package kernel's setup binds its native function, which ours call.
  setupFunc: (backend) => packageKernels.get(kernelName)?.setupFunc?.(backend),
});

/** The replacement kernels, registered by registerWasmTrainingKernels. */
export const arithmeticConfigs: readonly KernelConfig[] = [config('Tanh', tanh)];

/** Remembers the package's kernels that ours replace or call (call before registering ours). */
export function rememberPackageArithmeticKernels(): void {
  for (const name of ['Tanh', 'Sigmoid']) {
    const current = getKernel(name, 'wasm');
    const ours = arithmeticConfigs.find((c) => c.kernelName === name);
    if (current !== undefined && current.kernelFunc !== ours?.kernelFunc) packageKernels.set(name, current);
  }
}

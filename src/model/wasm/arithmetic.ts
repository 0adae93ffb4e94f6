/**
 * A faster Tanh for the wasm backend (the generator's output activation; per-kernel times in
 * docs/scaling.md): 2 * sigmoid(2x) - 1. The package's Tanh is a plain scalar loop (about 16 ns a value);
 * its Sigmoid is XNNPACK's vectorised kernel on the thread pool. The identity costs a multiply before and a
 * multiply-add after, and at most about 1e-7 in absolute value (float32 rounding near 0.5). Other dtypes go
 * to the package's own kernel.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';

import { callPackage, rememberPackageKernels, replacementConfig, type WasmKernelArgs } from './packageKernels';

/** tanh(x) = 2 * sigmoid(2x) - 1, the sigmoid on XNNPACK. */
function tanh(args: WasmKernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const { backend } = args;
  if (x.dtype !== 'float32') return callPackage('Tanh', args) as TensorInfo;
  const doubled = backend.makeOutput(x.shape, 'float32');
  try {
    const source = backend.typedArrayFromHeap(x) as Float32Array;
    const twice = backend.typedArrayFromHeap(doubled) as Float32Array;
    for (let i = 0; i < twice.length; i++) twice[i] = 2 * source[i];
    const out = callPackage('Sigmoid', { inputs: { x: doubled }, backend, attrs: {} }) as TensorInfo;
    // Views are taken after every allocation: growing the wasm heap detaches older views.
    const values = backend.typedArrayFromHeap(out) as Float32Array;
    for (let i = 0; i < values.length; i++) values[i] = 2 * values[i] - 1;
    return out;
  } finally {
    backend.disposeData(doubled.dataId);
  }
}

/** The replacement kernels, registered by registerWasmTrainingKernels. */
export const arithmeticConfigs: readonly KernelConfig[] = [replacementConfig('Tanh', tanh)];

/** Remembers the package's Tanh, which ours replaces, and its Sigmoid, which ours calls (before registering ours). */
export function rememberPackageArithmeticKernels(): void {
  rememberPackageKernels(['Tanh', 'Sigmoid'], arithmeticConfigs);
}

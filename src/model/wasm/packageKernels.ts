/**
 * What Cantus's replacement wasm kernels share: the package's own kernels, captured before ours replace them,
 * for the inputs ours do not handle (and for the native kernels ours build on), and a kernel config that
 * keeps the package kernel's setup, which binds the native function the fallback calls.
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

/** A wasm kernel's arguments, with the backend typed. */
export type WasmKernelArgs = { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: NamedAttrMap };

/** The package kernels by name, captured by rememberPackageKernels. */
const packageKernels = new Map<string, KernelConfig>();

/** Runs the package's own kernel `name` (captured beforehand) on `args`. */
export function callPackage(name: string, args: WasmKernelArgs): TensorInfo | TensorInfo[] {
  const config = packageKernels.get(name);
  if (config === undefined) throw new Error(`internal: the wasm ${name} kernel was not captured before ours were registered`);
  return config.kernelFunc(args as unknown as Parameters<KernelFunc>[0]);
}

/** A wasm kernel config for `kernelFunc` that runs the replaced package kernel's setup too. */
export function replacementConfig(kernelName: string, kernelFunc: (args: WasmKernelArgs) => TensorInfo | TensorInfo[]): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: kernelFunc as unknown as KernelFunc,
    setupFunc: (backend) => packageKernels.get(kernelName)?.setupFunc?.(backend),
  };
}

/** Captures the package's kernels of these names, unless ours are already registered in their place. */
export function rememberPackageKernels(names: readonly string[], ours: readonly KernelConfig[]): void {
  for (const name of names) {
    const current = getKernel(name, 'wasm');
    const replacement = ours.find((c) => c.kernelName === name);
    if (current !== undefined && current.kernelFunc !== replacement?.kernelFunc) packageKernels.set(name, current);
  }
}

/** Registers the convolution-gradient kernels that let the wasm backend train the GAN at XNNPACK speed. */
// The wasm package must register its own kernels first, or it would overwrite ours when imported later.
import '@tensorflow/tfjs-backend-wasm';
import { findBackend, getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';

import { arithmeticConfigs, rememberPackageArithmeticKernels } from './arithmetic';
import { movementConfigs, rememberPackageMovementKernels } from './movement';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from './kernels';

export { UnsupportedConvolutionError } from './kernels';

/** The wasm backend's own Conv2DBackpropInput, kept so it can be restored. */
let originalBackpropInput: KernelConfig | undefined;

function install(config: KernelConfig): void {
  const current = getKernel(config.kernelName, config.backendName);
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current !== undefined) {
    if (config.kernelName === conv2DBackpropInputConfig.kernelName) originalBackpropInput = current;
    // registerKernel would overwrite too, but warns on every call; unregistering first is the supported path.
    unregisterKernel(config.kernelName, config.backendName);
  }
  registerKernel(config);
}

/**
 * Makes the wasm backend train convolutions quickly: adds the missing Conv2DBackpropFilter and replaces
 * Conv2DBackpropInput, both as forward XNNPACK convolutions, and Concat, SplitV, Identity and the
 * upsampling gradient with faster copies (movement.ts), and Tanh through XNNPACK's sigmoid
 * (arithmetic.ts). Safe to call any number of times, before or after
 * `tf.setBackend('wasm')`.
 */
export function registerWasmTrainingKernels(): void {
  install(conv2DBackpropFilterConfig);
  install(conv2DBackpropInputConfig);
  rememberPackageMovementKernels();
  for (const config of movementConfigs) install(config);
  rememberPackageArithmeticKernels();
  for (const config of arithmeticConfigs) install(config);
}

/** Puts the wasm backend's own input-gradient kernel back and removes the filter gradient (for comparisons). */
export function unregisterWasmTrainingKernels(): void {
  const filter = getKernel(conv2DBackpropFilterConfig.kernelName, 'wasm');
  if (filter?.kernelFunc === conv2DBackpropFilterConfig.kernelFunc) {
    unregisterKernel(conv2DBackpropFilterConfig.kernelName, 'wasm');
  }
  const input = getKernel(conv2DBackpropInputConfig.kernelName, 'wasm');
  if (input?.kernelFunc === conv2DBackpropInputConfig.kernelFunc && originalBackpropInput !== undefined) {
    unregisterKernel(conv2DBackpropInputConfig.kernelName, 'wasm');
    registerKernel(originalBackpropInput);
    // Its setup binds the native function; it was skipped if the backend started while ours was registered.
    const backend = findBackend('wasm');
    if (backend !== null && backend !== undefined) originalBackpropInput.setupFunc?.(backend);
  }
}

/**
 * LeakyReLU's gradient as one kernel on the wasm and cpu backends: dx = dy where x > 0, else alpha * dy.
 * TensorFlow.js 4.22 writes it as three kernels (greater, multiply, select) and the WGAN-GP penalty
 * differentiates it once more (cast, logical-not, two more selects), over every critic activation in every
 * critic step. Other backends keep that formula. The kernel's own gradient is itself with respect to dy,
 * and zero with respect to x (the function is piecewise linear), so second-order gradients stay exact.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The kernel's name (not one of TensorFlow.js's own). */
export const LEAKY_RELU_BACKPROP = 'CantusLeakyReluBackprop';

interface BackpropAttrs {
  alpha: number;
}

/** What the cpu kernel needs from the cpu backend (its typed data store and tensor factory). */
interface CpuBackendLike {
  data: { get(dataId: unknown): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

function backprop(dy: Float32Array, x: Float32Array, alpha: number, out: Float32Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const g = dy[i];
    out[i] = x[i] > 0 ? g : alpha * g;
  }
}

/** The cpu backend keeps float32 data as a Float32Array: use it as it is, copying only anything else. */
const asFloat32 = (values: ArrayLike<number>): Float32Array => (values instanceof Float32Array ? values : Float32Array.from(values));

function checkInputs(dy: tf.TensorInfo, x: tf.TensorInfo): void {
  if (dy.dtype !== 'float32' || x.dtype !== 'float32' || !tf.util.arraysEqual(dy.shape, x.shape)) {
    throw new Error(`internal: ${LEAKY_RELU_BACKPROP} needs float32 dy and x of one shape, got [${dy.shape}] and [${x.shape}]`);
  }
}

const wasmKernel: tf.KernelConfig = {
  kernelName: LEAKY_RELU_BACKPROP,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm;
    const dy = inputs.dy as tf.TensorInfo;
    const x = inputs.x as tf.TensorInfo;
    checkInputs(dy, x);
    const out = wasm.makeOutput(x.shape, 'float32');
    // Views are taken after allocating: growing the wasm heap detaches older views.
    backprop(
      wasm.typedArrayFromHeap(dy) as Float32Array,
      wasm.typedArrayFromHeap(x) as Float32Array,
      (attrs as unknown as BackpropAttrs).alpha,
      wasm.typedArrayFromHeap(out) as Float32Array,
    );
    return out;
  },
};

const cpuKernel: tf.KernelConfig = {
  kernelName: LEAKY_RELU_BACKPROP,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const cpu = backend as unknown as CpuBackendLike;
    const dy = inputs.dy as tf.TensorInfo;
    const x = inputs.x as tf.TensorInfo;
    checkInputs(dy, x);
    const out = new Float32Array(tf.util.sizeFromShape(x.shape));
    backprop(
      asFloat32(cpu.data.get(dy.dataId).values),
      asFloat32(cpu.data.get(x.dataId).values),
      (attrs as unknown as BackpropAttrs).alpha,
      out,
    );
    return cpu.makeTensorInfo([...x.shape], 'float32', out);
  },
};

/** dy where x > 0, else alpha * dy: one kernel where the backend has it, TensorFlow.js's formula elsewhere. */
export function leakyReluBackprop(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  if (tf.getKernel(LEAKY_RELU_BACKPROP, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(LEAKY_RELU_BACKPROP, { dy, x }, { alpha } as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  return tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha));
}

const single = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(dy) ? dy[0] : dy);

/** LeakyReLU's gradient and the backprop kernel's own, as registered (exported for tests). */
export const leakyReluGradients: readonly tf.GradConfig[] = [
  {
    kernelName: tf.LeakyRelu,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({ x: () => leakyReluBackprop(single(dy), x, (attrs as unknown as BackpropAttrs).alpha) }),
  },
  {
    kernelName: LEAKY_RELU_BACKPROP,
    inputsToSave: ['x'],
    gradFunc: (ddx, [x], attrs) => ({
      dy: () => leakyReluBackprop(single(ddx), x, (attrs as unknown as BackpropAttrs).alpha),
      x: () => tf.zerosLike(x),
    }),
  },
];

let installed = false;

/** Registers the kernels and gradients once per process (idempotent). */
export function installLeakyReluGradient(): void {
  if (installed) return;
  for (const kernel of [wasmKernel, cpuKernel]) {
    if (tf.getKernel(kernel.kernelName, kernel.backendName) === undefined) tf.registerKernel(kernel);
  }
  for (const gradient of leakyReluGradients) tf.registerGradient(gradient);
  installed = true;
}

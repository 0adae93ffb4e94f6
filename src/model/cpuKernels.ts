/**
 * A faster filter gradient for the pure-JS cpu backend. tfjs 4.22's cpu Conv2DBackpropFilter reads every
 * element through TensorBuffer.get(...indices) and ran at about 2 MFLOP/s here, over 80 % of a training
 * step; this one walks the flat NHWC arrays directly (measured about 20x faster on the model's shapes) and
 * sums in float64 like the original. The result is checked against the original in
 * tests/unit/model-cpukernels.test.ts.
 */
import * as tf from '@tensorflow/tfjs';

/** What this kernel needs from the cpu backend (its typed data store and tensor factory). */
interface CpuBackendLike {
  data: { get(dataId: unknown): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

let original: tf.KernelConfig | undefined;

/** dW[r, c, i, o] = sum over batch and output positions of x[b, s*y + r - pad, s*x + c - pad, i] * dy[b, y, x, o]. */
export function conv2DBackpropFilterNhwc(
  x: ArrayLike<number>,
  xShape: [number, number, number, number],
  dy: ArrayLike<number>,
  attrs: BackpropFilterAttrs,
): Float32Array {
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    outChannels,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
  } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const sums = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let wR = 0; wR < filterHeight; wR++) {
        const xR = yR * strideHeight + wR - top;
        if (xR < 0 || xR >= inHeight) continue;
        for (let yC = 0; yC < outWidth; yC++) {
          const dyAt = ((b * outHeight + yR) * outWidth + yC) * outChannels;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth + wC - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xAt = ((b * inHeight + xR) * inWidth + xC) * inChannels;
            const wAt = (wR * filterWidth + wC) * inChannels * outChannels;
            for (let d1 = 0; d1 < inChannels; d1++) {
              const xv = x[xAt + d1];
              if (xv === 0) continue;
              const row = wAt + d1 * outChannels;
              for (let d2 = 0; d2 < outChannels; d2++) sums[row + d2] += xv * dy[dyAt + d2];
            }
          }
        }
      }
    }
  }
  return Float32Array.from(sums);
}

const fastConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'cpu',
  kernelFunc: (args) => {
    const attrs = args.attrs as unknown as BackpropFilterAttrs;
    if (attrs.dataFormat === 'NCHW' && original) return original.kernelFunc(args);
    const backend = args.backend as CpuBackendLike;
    const x = args.inputs.x as tf.TensorInfo;
    const dy = args.inputs.dy as tf.TensorInfo;
    const values = conv2DBackpropFilterNhwc(
      backend.data.get(x.dataId).values,
      x.shape as [number, number, number, number],
      backend.data.get(dy.dataId).values,
      attrs,
    );
    return backend.makeTensorInfo(attrs.filterShape.slice(), 'float32', values);
  },
};

/** Replaces the cpu backend's filter gradient with the faster one (idempotent; other backends untouched). */
export function installFastCpuKernels(): void {
  const current = tf.getKernel(tf.Conv2DBackpropFilter, 'cpu');
  if (current?.kernelFunc === fastConfig.kernelFunc) return;
  if (current) {
    original = current;
    tf.unregisterKernel(tf.Conv2DBackpropFilter, 'cpu');
  }
  tf.registerKernel(fastConfig);
}

/** The cpu backend's own filter gradient (for comparison in tests), or undefined before installation. */
export function originalCpuBackpropFilter(): tf.KernelConfig | undefined {
  return original ?? tf.getKernel(tf.Conv2DBackpropFilter, 'cpu');
}

/**
 * Faster data-movement kernels for the wasm backend, where the package's own ones cost more than the
 * arithmetic around them in a training step (measured with `npm run bench`, per-kernel times in
 * docs/scaling.md):
 * - Identity shares its input's memory, as the cpu backend does, instead of copying it: the gradient tape
 *   clones every tensor it saves for the backward pass (over a thousand clones per training iteration).
 * - Concat, on the model's channel concatenations (the critic's roll + melody, the U-Net's skip connections
 *   and noise): the package's kernel copies each position's few channels with a fresh subarray and
 *   TypedArray.set, about one allocation per pixel per input; a plain loop copies them several times faster.
 * - SplitV (the gradient of a channel concatenation) copies rows the same way, instead of one strided Slice
 *   per output.
 * - The gradient of ResizeNearestNeighbor for whole-number scale factors without corner alignment (the
 *   U-Net's 2x upsampling) sums each block of the output gradient in one pass.
 * Inputs these were not written for go to the package's own kernels.
 */
import { backend_util, util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';

import { callPackage, rememberPackageKernels, replacementConfig, type WasmKernelArgs as KernelArgs } from './packageKernels';

/** Above this many values per row, TypedArray.set's bulk copy beats a plain loop. */
const LOOP_COPY_LIMIT = 256;

const isFloatOrInt = (info: TensorInfo): boolean => info.dtype === 'float32' || info.dtype === 'int32';

/** Identity without a copy: the output shares the input's memory (one more reference to it). */
function identity(args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string') return callPackage('Identity', args) as TensorInfo;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** Concat along any axis, copying each input's part of every output row. */
function concat(args: KernelArgs): TensorInfo {
  const inputs = Object.values(args.inputs) as TensorInfo[];
  const { backend } = args;
  const dtype = inputs[0]?.dtype;
  const nonEmpty = inputs.filter((t) => util.sizeFromShape(t.shape) > 0);
  if ((dtype !== 'float32' && dtype !== 'int32') || nonEmpty.length < 2 || nonEmpty.some((t) => t.dtype !== dtype)) {
    return callPackage('Concat', args) as TensorInfo;
  }
  const axis = util.parseAxisParam(args.attrs.axis as number, inputs[0].shape)[0];
  backend_util.assertParamsConsistent(
    inputs.map((t) => t.shape),
    axis,
  );
  const outShape = backend_util.computeOutShape(
    inputs.map((t) => t.shape),
    axis,
  );
  const out = backend.makeOutput(outShape, dtype);
  const rows = util.sizeFromShape(nonEmpty[0].shape.slice(0, axis));
  const widths = nonEmpty.map((t) => util.sizeFromShape(t.shape.slice(axis)));
  const outWidth = widths.reduce((a, b) => a + b, 0);
  const target = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  let column = 0;
  nonEmpty.forEach((input, k) => {
    const source = backend.typedArrayFromHeap(input) as Float32Array | Int32Array;
    const width = widths[k];
    if (width > LOOP_COPY_LIMIT) {
      for (let r = 0; r < rows; r++) target.set(source.subarray(r * width, (r + 1) * width), r * outWidth + column);
    } else {
      for (let r = 0; r < rows; r++) {
        const from = r * width;
        const to = r * outWidth + column;
        for (let c = 0; c < width; c++) target[to + c] = source[from + c];
      }
    }
    column += width;
  });
  return out;
}

/** SplitV along any axis, copying each output's part of every row. */
function splitV(args: KernelArgs): TensorInfo[] {
  const x = args.inputs.x as TensorInfo;
  const { backend } = args;
  if (!isFloatOrInt(x)) return callPackage('SplitV', args) as TensorInfo[];
  const axis = util.parseAxisParam(args.attrs.axis as number, x.shape)[0];
  const splitSizes = args.attrs.numOrSizeSplits as number[] | number;
  const sizes = typeof splitSizes === 'number' ? Array<number>(splitSizes).fill(x.shape[axis] / splitSizes) : [...splitSizes];
  const known = sizes.reduce((sum, size) => (size === -1 ? sum : sum + size), 0);
  const inferred = sizes.map((size) => (size === -1 ? x.shape[axis] - known : size));
  if (inferred.some((size) => !Number.isInteger(size) || size < 0) || inferred.reduce((a, b) => a + b, 0) !== x.shape[axis]) {
    return callPackage('SplitV', args) as TensorInfo[];
  }
  const rows = util.sizeFromShape(x.shape.slice(0, axis));
  const inner = util.sizeFromShape(x.shape.slice(axis + 1));
  const rowWidth = x.shape[axis] * inner;
  const outputs = inferred.map((size) => {
    const shape = [...x.shape];
    shape[axis] = size;
    return backend.makeOutput(shape, x.dtype);
  });
  // Views are taken after every allocation: growing the wasm heap detaches older views.
  const source = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  let column = 0;
  outputs.forEach((out, k) => {
    const width = inferred[k] * inner;
    const target = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
    if (width > LOOP_COPY_LIMIT) {
      for (let r = 0; r < rows; r++) target.set(source.subarray(r * rowWidth + column, r * rowWidth + column + width), r * width);
    } else {
      for (let r = 0; r < rows; r++) {
        const from = r * rowWidth + column;
        const to = r * width;
        for (let c = 0; c < width; c++) target[to + c] = source[from + c];
      }
    }
    column += width;
  });
  return outputs;
}

/** The whole-number factors (rows, columns) from `inner` [b, h, w, c] to `outer`, or undefined if not whole. */
function wholeFactors(inner: number[], outer: number[]): [number, number] | undefined {
  const rows = outer[1] / inner[1];
  const cols = outer[2] / inner[2];
  return Number.isInteger(rows) && Number.isInteger(cols) && rows >= 1 && cols >= 1 ? [rows, cols] : undefined;
}

/** The gradient of whole-factor upsampling: each input cell receives the sum of its fh x fw output block. */
function resizeNearestNeighborGrad(args: KernelArgs): TensorInfo {
  const images = args.inputs.images as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const { backend } = args;
  const factors = wholeFactors(images.shape, dy.shape);
  if (dy.dtype !== 'float32' || images.shape.length !== 4 || args.attrs.alignCorners || factors === undefined) {
    return callPackage('ResizeNearestNeighborGrad', args) as TensorInfo;
  }
  const [fh, fw] = factors;
  const [batch, inH, inW, channels] = images.shape;
  const outW = dy.shape[2];
  const out = backend.makeOutput(images.shape, 'float32');
  const source = backend.typedArrayFromHeap(dy) as Float32Array;
  const target = backend.typedArrayFromHeap(out) as Float32Array;
  target.fill(0);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < inH; i++) {
      const to = (b * inH + i) * inW * channels;
      for (let k = 0; k < fh; k++) {
        const from = (b * inH * fh + i * fh + k) * outW * channels;
        for (let j = 0; j < inW; j++) {
          const cell = to + j * channels;
          for (let m = 0; m < fw; m++) {
            const pixel = from + (j * fw + m) * channels;
            for (let c = 0; c < channels; c++) target[cell + c] += source[pixel + c];
          }
        }
      }
    }
  }
  return out;
}

/** The replacement kernels, registered by registerWasmTrainingKernels. */
export const movementConfigs: readonly KernelConfig[] = [
  replacementConfig('Concat', concat),
  replacementConfig('Identity', identity),
  replacementConfig('SplitV', splitV),
  replacementConfig('ResizeNearestNeighborGrad', resizeNearestNeighborGrad),
];

/** Remembers the package's kernels that ours replace (call before registering ours). */
export function rememberPackageMovementKernels(): void {
  rememberPackageKernels(
    movementConfigs.map((c) => c.kernelName),
    movementConfigs,
  );
}

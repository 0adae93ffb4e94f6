/**
 * A faster Concat for the wasm backend on the model's channel concatenations (the critic's roll + melody,
 * the U-Net's skip connections and noise): the package's kernel copies each position's few channels with a
 * fresh subarray and TypedArray.set, about one allocation per pixel per input; a plain loop copies them
 * several times faster. Anything but float32/int32 data falls back to the package's own kernel.
 */
import {
  getKernel,
  util,
  backend_util,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Above this many values per input row, TypedArray.set's bulk copy beats a plain loop. */
const LOOP_COPY_LIMIT = 256;

/** The package's own Concat, captured when ours is installed. */
let packageConcat: KernelConfig | undefined;

/** Remembers the kernel ours replaces, so unusual inputs go to it. */
export function rememberPackageConcat(): void {
  const current = getKernel('Concat', 'wasm');
  if (current !== undefined && current.kernelFunc !== concatConfig.kernelFunc) packageConcat = current;
}

function concat(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo {
  const inputs = Object.values(args.inputs) as TensorInfo[];
  const { backend } = args;
  const dtype = inputs[0]?.dtype;
  const nonEmpty = inputs.filter((t) => util.sizeFromShape(t.shape) > 0);
  if (packageConcat === undefined) throw new Error('internal: the wasm Concat replacement was registered without the original');
  if ((dtype !== 'float32' && dtype !== 'int32') || nonEmpty.length < 2 || nonEmpty.some((t) => t.dtype !== dtype)) {
    return packageConcat.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
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

/** The replacement Concat for the wasm backend. */
export const concatConfig: KernelConfig = {
  kernelName: 'Concat',
  backendName: 'wasm',
  kernelFunc: concat as unknown as KernelFunc,
};

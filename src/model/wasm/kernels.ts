/**
 * Fast convolution gradients for the wasm backend: both backward convolutions rewritten as forward XNNPACK
 * convolutions (the filter gradient as one, the input gradient as one per stride phase), built only from
 * the wasm backend's own kernels, so the gradient tape sees a single kernel call and every intermediate is
 * freed before returning.
 */
import {
  backend_util,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { filterGradientPadding, inputGradientPhasePlan, type AxisPadding, type InputGradientPhase, type ConvAxis } from './geometry';

/** The attribute shape tfjs uses for explicit NHWC padding. */
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

/** Attributes of a 2-D convolution gradient kernel as tfjs hands them over. */
interface ConvGradientAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Raised for a convolution layout these kernels were not written for (a programming error, not a user's). */
export class UnsupportedConvolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedConvolutionError';
  }
}

/** Runs one registered wasm kernel directly, bypassing the engine so nothing reaches the gradient tape. */
function runWasmKernel(backend: BackendWasm, kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const config = getKernel(kernelName, 'wasm');
  if (config === undefined) throw new UnsupportedConvolutionError(`The wasm backend has no ${kernelName} kernel.`);
  const result = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(result)) throw new UnsupportedConvolutionError(`${kernelName} returned several tensors.`);
  return result;
}

/** Tracks intermediate tensors of one kernel call so that all of them are freed, even on error. */
class Intermediates {
  private readonly held: TensorInfo[] = [];

  constructor(private readonly backend: BackendWasm) {}

  /** Remembers `info` for disposal and hands it back. */
  keep(info: TensorInfo): TensorInfo {
    this.held.push(info);
    return info;
  }

  /** Frees every remembered tensor; a result that shares data with one (a reshape) keeps its own reference. */
  dispose(): void {
    for (const info of this.held) this.backend.disposeData(info.dataId);
    this.held.length = 0;
  }
}

function convInfoOf(
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: ConvGradientAttrs,
): backend_util.Conv2DInfo {
  if (attrs.dataFormat !== 'NHWC') {
    throw new UnsupportedConvolutionError(`Only NHWC convolutions are supported, not ${attrs.dataFormat}.`);
  }
  return backend_util.computeConv2DInfo(inputShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}

function axesOf(info: backend_util.Conv2DInfo): [ConvAxis, ConvAxis] {
  return [
    {
      kernel: info.filterHeight,
      stride: info.strideHeight,
      padBefore: info.padInfo.top,
      inSize: info.inHeight,
      outSize: info.outHeight,
    },
    {
      kernel: info.filterWidth,
      stride: info.strideWidth,
      padBefore: info.padInfo.left,
      inSize: info.inWidth,
      outSize: info.outWidth,
    },
  ];
}

/**
 * Crops spatial axes 1 and 2 of an NHWC-like tensor where a padding is negative, and returns the
 * padding that is left to apply (all non-negative), so the convolution's own padding does the rest.
 */
function cropForPadding(
  backend: BackendWasm,
  temps: Intermediates,
  input: TensorInfo,
  rows: AxisPadding,
  cols: AxisPadding,
): { input: TensorInfo; padding: ExplicitPadding } {
  const cropTop = Math.max(0, -rows.before);
  const cropBottom = Math.max(0, -rows.after);
  const cropLeft = Math.max(0, -cols.before);
  const cropRight = Math.max(0, -cols.after);
  let cropped = input;
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    const [d0, d1, d2, d3] = input.shape;
    cropped = temps.keep(
      runWasmKernel(
        backend,
        'Slice',
        { x: input },
        {
          begin: [0, cropTop, cropLeft, 0],
          size: [d0, d1 - cropTop - cropBottom, d2 - cropLeft - cropRight, d3],
        },
      ),
    );
  }
  const padding: ExplicitPadding = [
    [0, 0],
    [Math.max(0, rows.before), Math.max(0, rows.after)],
    [Math.max(0, cols.before), Math.max(0, cols.after)],
    [0, 0],
  ];
  return { input: cropped, padding };
}

/**
 * Filter gradient: with x transposed to [inC, H, W, batch] as the input and dy transposed to
 * [outH, outW, batch, outC] as the filter, dilated by the stride, a forward convolution yields
 * [inC, kH, kW, outC], the filter gradient up to one transpose.
 */
function conv2DBackpropFilter(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo {
  const { backend } = args;
  const attrs = args.attrs as unknown as ConvGradientAttrs & { filterShape: [number, number, number, number] };
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  const info = convInfoOf(x.shape as [number, number, number, number], attrs.filterShape, attrs);
  const [rowAxis, colAxis] = axesOf(info);
  const temps = new Intermediates(backend);
  try {
    const xT = temps.keep(runWasmKernel(backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] }));
    const dyT = temps.keep(runWasmKernel(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }));
    const { input, padding } = cropForPadding(backend, temps, xT, filterGradientPadding(rowAxis), filterGradientPadding(colAxis));
    const gradT = temps.keep(
      runWasmKernel(
        backend,
        'Conv2D',
        { x: input, filter: dyT },
        {
          strides: [1, 1],
          dilations: [info.strideHeight, info.strideWidth],
          pad: padding,
          dataFormat: 'NHWC',
        },
      ),
    );
    return runWasmKernel(backend, 'Transpose', { x: gradT }, { perm: [1, 2, 0, 3] });
  } finally {
    temps.dispose();
  }
}

/**
 * The sub-filter of one phase: [windowH, windowW, outC, inC], taps flipped and the in/out channels swapped,
 * taking only the taps that phase uses.
 */
function singlePhaseFilter(backend: BackendWasm, filter: TensorInfo, row: InputGradientPhase, col: InputGradientPhase): TensorInfo {
  const [, kW, inC, outC] = filter.shape;
  const out = backend.makeOutput([row.window, col.window, outC, inC], 'float32');
  // Views are taken after allocating: growing the wasm heap detaches older views.
  const source = backend.typedArrayFromHeap(filter) as Float32Array;
  const target = backend.typedArrayFromHeap(out) as Float32Array;
  for (let vh = 0; vh < row.window; vh++) {
    for (let vw = 0; vw < col.window; vw++) {
      const sourceBase = (row.tapOf[vh] * kW + col.tapOf[vw]) * inC * outC;
      const targetBase = (vh * col.window + vw) * outC * inC;
      for (let c = 0; c < inC; c++) {
        const sourceRow = sourceBase + c * outC;
        for (let o = 0; o < outC; o++) target[targetBase + o * inC + c] = source[sourceRow + o];
      }
    }
  }
  return out;
}

/**
 * Input gradient as one forward convolution per stride phase, each with only its own taps (no multiply
 * spent on structural zeros), the phases then interleaved into the input's rows and columns.
 */
function conv2DBackpropInput(args: { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo {
  const { backend } = args;
  const attrs = args.attrs as unknown as ConvGradientAttrs & { inputShape: [number, number, number, number] };
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  const info = convInfoOf(attrs.inputShape, filter.shape as [number, number, number, number], attrs);
  const [rowAxis, colAxis] = axesOf(info);
  const rows = inputGradientPhasePlan(rowAxis);
  const cols = inputGradientPhasePlan(colAxis);
  const [batch, inH, inW, inC] = attrs.inputShape;
  const temps = new Intermediates(backend);
  try {
    const phaseOutputs: { rh: number; rw: number; output: TensorInfo }[] = [];
    rows.phases.forEach((row, rh) => {
      cols.phases.forEach((col, rw) => {
        if (row.window === 0 || col.window === 0) return;
        const subFilter = temps.keep(singlePhaseFilter(backend, filter, row, col));
        const { input, padding } = cropForPadding(backend, temps, dy, row.padding, col.padding);
        const output = runWasmKernel(
          backend,
          'Conv2D',
          { x: input, filter: subFilter },
          {
            strides: [1, 1],
            dilations: [1, 1],
            pad: padding,
            dataFormat: 'NHWC',
          },
        );
        phaseOutputs.push({ rh, rw, output });
      });
    });
    const strideH = info.strideHeight;
    const strideW = info.strideWidth;
    if (strideH === 1 && strideW === 1 && phaseOutputs.length === 1) return phaseOutputs[0].output;
    for (const phase of phaseOutputs) temps.keep(phase.output);
    const out = backend.makeOutput([batch, inH, inW, inC], 'float32');
    const target = backend.typedArrayFromHeap(out) as Float32Array;
    if (phaseOutputs.length < strideH * strideW) target.fill(0);
    const lengthH = rows.phaseLength;
    const lengthW = cols.phaseLength;
    for (const { rh, rw, output } of phaseOutputs) {
      const source = backend.typedArrayFromHeap(output) as Float32Array;
      for (let b = 0; b < batch; b++) {
        for (let q = 0; q < lengthH; q++) {
          const i = strideH * q + rh;
          if (i >= inH) break;
          for (let p = 0; p < lengthW; p++) {
            const j = strideW * p + rw;
            if (j >= inW) break;
            const from = ((b * lengthH + q) * lengthW + p) * inC;
            const to = ((b * inH + i) * inW + j) * inC;
            for (let c = 0; c < inC; c++) target[to + c] = source[from + c];
          }
        }
      }
    }
    return out;
  } finally {
    temps.dispose();
  }
}

/** The wasm filter-gradient kernel (tfjs 4.22's wasm backend has none). */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};

/** The wasm input-gradient kernel, replacing the backend's plain loop. */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};

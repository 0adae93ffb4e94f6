/**
 * Index arithmetic that turns the two backward convolutions into forward convolutions, kept free of
 * TensorFlow.js so it can be checked on its own.
 *
 * Forward convolution, per spatial axis (NHWC, dilation 1): y[o] = sum_a x[s*o + a - padBefore] * w[a].
 */

/** Explicit padding before and after one spatial axis; a negative amount means cropping instead. */
export interface AxisPadding {
  before: number;
  after: number;
}

/** One spatial axis of a convolution, as the forward pass sees it. */
export interface ConvAxis {
  /** Filter taps along this axis. */
  kernel: number;
  stride: number;
  /** Input padding before the first element (tf puts the odd element of 'same' padding after). */
  padBefore: number;
  /** Input length (x). */
  inSize: number;
  /** Output length (dy). */
  outSize: number;
}

/**
 * Padding of the (transposed) input for the filter gradient along one axis.
 *
 * The filter gradient dW[a] = sum_o x[s*o + a - padBefore] * dy[o] is a forward correlation of x with dy
 * used as a filter dilated by the stride; this returns the padding that makes its output exactly
 * `kernel` long.
 */
export function filterGradientPadding(axis: ConvAxis): AxisPadding {
  const dilatedSpan = axis.stride * (axis.outSize - 1) + 1;
  return {
    before: axis.padBefore,
    after: axis.kernel + dilatedSpan - 1 - axis.inSize - axis.padBefore,
  };
}

/**
 * How the input gradient along one axis is split into `stride` phases, each a stride-1 correlation of
 * dy with a sub-filter; all phases share one window so they can run as one convolution whose output
 * channels hold the phases side by side (undone by a depth-to-space shuffle).
 */
export interface InputGradientAxisPlan {
  /** Length of the shared sub-filter window. */
  window: number;
  /** Padding of dy so that each phase yields `phaseLength` outputs. */
  padding: AxisPadding;
  /** Outputs per phase: ceil(inSize / stride); stride * phaseLength may exceed inSize (crop the rest). */
  phaseLength: number;
  /** tapOf[phase][v] = original filter tap used at window position v, or -1 for a zero. */
  tapOf: number[][];
}

/** Plans the phase decomposition of the input gradient along one axis (see InputGradientAxisPlan). */
export function inputGradientAxisPlan(axis: ConvAxis): InputGradientAxisPlan {
  const { kernel, stride, padBefore } = axis;
  // For input index i = stride*q + r, the taps a with (r + padBefore - a) divisible by stride contribute,
  // each from dy[q + shift - t] where a = offset + stride*t.
  const phases = Array.from({ length: stride }, (_, r) => {
    const offset = (r + padBefore) % stride;
    const shift = Math.floor((r + padBefore) / stride);
    const taps = offset < kernel ? Math.ceil((kernel - offset) / stride) : 0;
    return { offset, shift, taps };
  });
  const used = phases.filter((phase) => phase.taps > 0);
  const low = Math.min(...used.map((phase) => phase.shift - phase.taps + 1));
  const high = Math.max(...used.map((phase) => phase.shift));
  const window = high - low + 1;
  const tapOf = phases.map((phase) =>
    Array.from({ length: window }, (_, v) => {
      const t = phase.shift - low - v;
      return t >= 0 && t < phase.taps ? phase.offset + stride * t : -1;
    }),
  );
  const phaseLength = Math.ceil(axis.inSize / stride);
  const before = -low;
  const after = phaseLength + window - 1 - axis.outSize - before;
  return { window, padding: { before, after }, phaseLength, tapOf };
}

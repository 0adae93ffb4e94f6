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

/** One stride phase of the input gradient along one axis: a stride-1 correlation of dy with its own taps. */
export interface InputGradientPhase {
  /** Filter taps this phase uses, its own window; 0 when the stride exceeds the kernel and the phase gets none. */
  window: number;
  /** Padding of dy so that the phase yields `phaseLength` outputs (negative: crop). */
  padding: AxisPadding;
  /** tapOf[v] = original filter tap used at window position v. */
  tapOf: number[];
}

/** The input gradient along one axis as `stride` separate phases (see InputGradientPhase). */
export interface InputGradientPhasePlan {
  /** Outputs per phase: ceil(inSize / stride); stride * phaseLength may exceed inSize (drop the rest). */
  phaseLength: number;
  /** phases[r] yields the inputs i = stride * q + r. */
  phases: InputGradientPhase[];
}

/**
 * Plans the input gradient along one axis as separate phases, each with only the taps it uses, so that
 * no multiply is spent on a structural zero (a shared window wastes 2.25x for a 4x4 kernel at stride 2).
 */
export function inputGradientPhasePlan(axis: ConvAxis): InputGradientPhasePlan {
  const { kernel, stride, padBefore, outSize } = axis;
  const phaseLength = Math.ceil(axis.inSize / stride);
  const phases = Array.from({ length: stride }, (_, r): InputGradientPhase => {
    // Input i = stride*q + r takes the taps a = offset + stride*t, each from dy[q + shift - t].
    const offset = (r + padBefore) % stride;
    const shift = Math.floor((r + padBefore) / stride);
    const taps = offset < kernel ? Math.ceil((kernel - offset) / stride) : 0;
    // Window position v reads dy[q - before + v], so v = taps - 1 - t.
    const before = taps - 1 - shift;
    const after = phaseLength + taps - 1 - outSize - before;
    return {
      window: taps,
      padding: { before, after },
      tapOf: Array.from({ length: taps }, (_, v) => offset + stride * (taps - 1 - v)),
    };
  });
  return { phaseLength, phases };
}

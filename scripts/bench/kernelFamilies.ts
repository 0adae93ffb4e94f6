/**
 * The pure half of `npm run bench -- --profile` (scripts/bench/profile.ts runs it): which family each kernel of a
 * `tf.profile` record belongs to, the floating-point operations and bytes it stands for (from its shapes), and the
 * per-family summary of one training iteration against a reference rate. No TensorFlow.js here, so the unit test
 * (tests/unit/bench-profile.test.ts) needs no backend.
 */

/** The families of the profile table, in the order it prints them. */
export const KERNEL_FAMILIES = [
  'forward_convolution',
  'input_gradient_convolution',
  'filter_gradient_convolution',
  'batch_norm',
  'element_wise',
  'reduction',
  'copy_transpose',
  'other',
] as const;
export type KernelFamily = (typeof KERNEL_FAMILIES)[number];
/** The row of the time no kernel accounts for: the iteration's wall time minus the sum of its kernels' times. */
export const TAPE_FAMILY = 'tape_and_javascript' as const;
export type ProfileFamily = KernelFamily | typeof TAPE_FAMILY;

/** What the table calls each family. */
export const FAMILY_LABELS: Record<ProfileFamily, string> = {
  forward_convolution: 'forward convolutions',
  input_gradient_convolution: 'input-gradient convolutions',
  filter_gradient_convolution: 'filter-gradient convolutions',
  batch_norm: 'batch norm',
  element_wise: 'element-wise',
  reduction: 'reductions',
  copy_transpose: 'copies and transposes',
  other: 'other',
  tape_and_javascript: 'tape bookkeeping and JavaScript',
};

const FORWARD_CONVOLUTIONS = new Set(['Conv2D', 'FusedConv2D']);
/**
 * Conv2DBackpropInput is also the name Cantus's own wasm input gradient registers under (src/model/wasm/kernels.ts:
 * forward XNNPACK convolutions per stride phase, its slices and interleaving inside the one kernel call).
 */
const INPUT_GRADIENT_CONVOLUTIONS = new Set(['Conv2DBackpropInput']);
/** Cantus's wasm filter gradient registers under this name too (its transposes run inside the kernel call). */
const FILTER_GRADIENT_CONVOLUTIONS = new Set(['Conv2DBackpropFilter']);
const BATCH_NORMS = new Set(['FusedBatchNorm']);
const REDUCTIONS = new Set([
  'Sum',
  'Mean',
  'Max',
  'Min',
  'Prod',
  'All',
  'Any',
  'ArgMax',
  'ArgMin',
  'Cumsum',
  'Cumprod',
  // The gradient of the U-Net's 2x upsampling: each output value sums a block of the input.
  'ResizeNearestNeighborGrad',
]);
const COPIES = new Set([
  'Transpose',
  'Reshape',
  'Concat',
  'Slice',
  'StridedSlice',
  'Pad',
  'PadV2',
  'MirrorPad',
  'Tile',
  'Cast',
  'Identity',
  'SplitV',
  'Unpack',
  'Pack',
  'GatherV2',
  'GatherNd',
  'BroadcastTo',
  'Reverse',
  // The U-Net's 2x upsampling copies each value into a block.
  'ResizeNearestNeighbor',
]);
const ELEMENT_WISE = new Set([
  'Abs',
  'Add',
  'AddN',
  'BiasAdd',
  'Ceil',
  'ClipByValue',
  'Cos',
  'Div',
  'Elu',
  'EluGrad',
  'Equal',
  'Exp',
  'Expm1',
  'Fill',
  'Floor',
  'FloorDiv',
  'Greater',
  'GreaterEqual',
  'IsNan',
  'LeakyRelu',
  'Less',
  'LessEqual',
  'Log',
  'Log1p',
  'LogicalAnd',
  'LogicalNot',
  'LogicalOr',
  'Maximum',
  'Minimum',
  'Mod',
  'Multiply',
  'Neg',
  'NotEqual',
  'OnesLike',
  'Pow',
  'Prelu',
  'RealDiv',
  'Reciprocal',
  'Relu',
  'Relu6',
  'Round',
  'Rsqrt',
  'Select',
  'Selu',
  'Sigmoid',
  'Sign',
  'Sin',
  'Softplus',
  'Sqrt',
  'Square',
  'SquaredDifference',
  'Step',
  'Sub',
  'Tanh',
  'ZerosLike',
  // Cantus's LeakyReLU gradient (src/model/leakyReluGradient.ts).
  'CantusLeakyReluBackprop',
]);
/** Matrix products (the critic's dense layer): counted as 2 x M x N x K FLOPs, in the "other" family. */
const MATRIX_PRODUCTS = new Set(['BatchMatMul', '_FusedMatMul', 'MatMul']);

/** The family of a kernel by its registered name; a name this list does not know is "other". */
export function kernelFamily(name: string): KernelFamily {
  if (FORWARD_CONVOLUTIONS.has(name)) return 'forward_convolution';
  if (INPUT_GRADIENT_CONVOLUTIONS.has(name)) return 'input_gradient_convolution';
  if (FILTER_GRADIENT_CONVOLUTIONS.has(name)) return 'filter_gradient_convolution';
  if (BATCH_NORMS.has(name)) return 'batch_norm';
  if (ELEMENT_WISE.has(name)) return 'element_wise';
  if (REDUCTIONS.has(name)) return 'reduction';
  if (COPIES.has(name)) return 'copy_transpose';
  return 'other';
}

/** A shape as tf.profile lists it; an absent optional input (a fused convolution without its PReLU weights) is null. */
export type Shape = number[] | null;

/** One kernel call as tf.profile records it (the fields this module reads). */
export interface KernelRecord {
  name: string;
  inputShapes: Shape[];
  outputShapes: Shape[];
  kernelTimeMs: number;
}

const elements = (shape: Shape | undefined): number => (shape ? shape.reduce((a, b) => a * b, 1) : 0);

function requireRank4(shape: Shape | undefined, what: string, name: string): number[] {
  if (!shape || shape.length !== 4) throw new Error(`internal: ${name}'s ${what} is not of rank 4 (got ${JSON.stringify(shape)})`);
  return shape;
}

/**
 * FLOPs of a 2-D convolution kernel from its shapes: 2 x outH x outW x kH x kW x inC x outC per sample of the forward
 * convolution it belongs to; the input and filter gradients count as much as that forward convolution. The shapes are
 * read where tf.profile lists them: Conv2D/FusedConv2D (x, filter, ...) -> y; Conv2DBackpropInput (dy, filter) -> dx;
 * Conv2DBackpropFilter (x, dy) -> filter.
 */
export function convolutionFlops(record: Pick<KernelRecord, 'name' | 'inputShapes' | 'outputShapes'>): number {
  let y: number[];
  let filter: number[];
  switch (kernelFamily(record.name)) {
    case 'forward_convolution':
      y = requireRank4(record.outputShapes[0], 'output', record.name);
      filter = requireRank4(record.inputShapes[1], 'filter', record.name);
      break;
    case 'input_gradient_convolution':
      y = requireRank4(record.inputShapes[0], 'dy', record.name);
      filter = requireRank4(record.inputShapes[1], 'filter', record.name);
      break;
    case 'filter_gradient_convolution':
      y = requireRank4(record.inputShapes[1], 'dy', record.name);
      filter = requireRank4(record.outputShapes[0], 'filter gradient', record.name);
      break;
    default:
      throw new Error(`internal: ${record.name} is not a convolution`);
  }
  const [batch, outH, outW, outC] = y;
  const [kH, kW, inC, filterOutC] = filter;
  if (filterOutC !== outC) throw new Error(`internal: ${record.name}'s filter has ${filterOutC} output channels, its output ${outC}`);
  return 2 * batch * outH * outW * kH * kW * inC * outC;
}

/**
 * FLOPs of a matrix product: 2 x M x N x K per output matrix. The operands are M x K and K x N in some order of their
 * last two axes (tf.profile does not list the transpose flags), so K = sqrt(|a| x |b| / (M x N)) over those axes.
 */
function matrixProductFlops(record: KernelRecord): number {
  const [out] = record.outputShapes;
  const [a, b] = record.inputShapes;
  if (!out || !a || !b || out.length < 2 || a.length < 2 || b.length < 2) return 0;
  const lastTwo = (shape: number[]): number => shape[shape.length - 2] * shape[shape.length - 1];
  const k = Math.round(Math.sqrt((lastTwo(a) * lastTwo(b)) / lastTwo(out)));
  return 2 * elements(out) * k;
}

/**
 * FLOPs a kernel call stands for, by its name: convolutions from their shapes; element-wise kernels one per output
 * element, FusedBatchNorm two (a multiply-add: the normalisation folds into a per-channel scale and offset),
 * reductions one per input element (of the largest input); matrix products 2 x M x N x K; copies and the rest none.
 */
export function kernelFlops(record: KernelRecord): number {
  if (MATRIX_PRODUCTS.has(record.name)) return matrixProductFlops(record);
  switch (kernelFamily(record.name)) {
    case 'forward_convolution':
    case 'input_gradient_convolution':
    case 'filter_gradient_convolution':
      return convolutionFlops(record);
    case 'element_wise':
      return record.outputShapes.reduce((sum, shape) => sum + elements(shape), 0);
    case 'batch_norm':
      return 2 * elements(record.outputShapes[0]);
    case 'reduction':
      return Math.max(0, ...record.inputShapes.map(elements));
    case 'copy_transpose':
    case 'other':
      return 0;
  }
}

/**
 * Kernels that only relabel memory on Cantus's wasm backend (Reshape; Identity, src/model/wasm/movement.ts): they
 * move no bytes.
 */
export const WASM_VIEW_KERNELS: ReadonlySet<string> = new Set(['Reshape', 'Identity']);

/**
 * Bytes a copy moves: each output element read once and written once (2 x 4 bytes x output elements; every tensor
 * of a training step is float32 or int32), none for a kernel in `views`; other families move none by this count.
 */
export function copyBytes(record: KernelRecord, views: ReadonlySet<string> = WASM_VIEW_KERNELS): number {
  if (kernelFamily(record.name) !== 'copy_transpose' || views.has(record.name)) return 0;
  return 2 * 4 * record.outputShapes.reduce((sum, shape) => sum + elements(shape), 0);
}

/** One row of the profile table: a family's cost per iteration and its rate against the reference. */
export interface FamilyRow {
  family: ProfileFamily;
  ms: number;
  share: number;
  flops: number;
  /** GFLOP/s over the family's own time; null for families that count no FLOPs. */
  gflops: number | null;
  /** `gflops` over the reference convolution's rate; null with it. */
  ratio_to_reference: number | null;
  /** Kernel calls per iteration (0 for the tape row). */
  kernels: number;
  /** Bytes copies move per iteration (see copyBytes). */
  bytes_moved: number;
}

/**
 * The per-family summary of `iterations` profiled iterations: `records` holds all their kernel calls (`familyOf`
 * overrides the family by index, for kernels identified by where they ran), `wallMs` their total wall time,
 * `referenceGflops` the rate the ratios are taken to. Everything is per iteration; the tape row is the wall time the
 * kernels do not account for (never below zero).
 */
export function summarizeProfile(
  records: readonly KernelRecord[],
  options: {
    iterations: number;
    wallMs: number;
    referenceGflops: number;
    familyOf?: (index: number) => KernelFamily | undefined;
    views?: ReadonlySet<string>;
  },
): FamilyRow[] {
  const { iterations, wallMs, referenceGflops } = options;
  const totals = new Map<ProfileFamily, { ms: number; flops: number; kernels: number; bytes: number }>();
  for (const family of [...KERNEL_FAMILIES, TAPE_FAMILY]) totals.set(family, { ms: 0, flops: 0, kernels: 0, bytes: 0 });
  let kernelMs = 0;
  records.forEach((record, index) => {
    const family = options.familyOf?.(index) ?? kernelFamily(record.name);
    const total = totals.get(family)!;
    total.ms += record.kernelTimeMs;
    total.flops += kernelFlops(record);
    total.kernels += 1;
    total.bytes += copyBytes(record, options.views);
    kernelMs += record.kernelTimeMs;
  });
  totals.get(TAPE_FAMILY)!.ms = Math.max(0, wallMs - kernelMs);
  return [...totals].map(([family, total]) => {
    const ms = total.ms / iterations;
    const flops = total.flops / iterations;
    const gflops = flops > 0 && ms > 0 ? flops / (ms / 1000) / 1e9 : null;
    return {
      family,
      ms,
      share: wallMs > 0 ? total.ms / wallMs : 0,
      flops,
      gflops,
      ratio_to_reference: gflops === null || !(referenceGflops > 0) ? null : gflops / referenceGflops,
      kernels: total.kernels / iterations,
      bytes_moved: total.bytes / iterations,
    };
  });
}

const fixed = (value: number | null, digits: number): string => (value === null ? '-' : value.toFixed(digits));

/** The table's lines for one width (the bench prints them under its own heading). */
export function profileTableLines(rows: readonly FamilyRow[]): string[] {
  const lines = ['family                           ms/iter  share   GFLOP/iter  GFLOP/s  x ref   kernels/iter  MB moved/iter'];
  for (const row of rows) {
    lines.push(
      `${FAMILY_LABELS[row.family].padEnd(32)} ${row.ms.toFixed(1).padStart(7)}  ${(100 * row.share).toFixed(1).padStart(5)}%  ` +
        `${(row.flops / 1e9).toFixed(3).padStart(10)}  ${fixed(row.gflops, 2).padStart(7)}  ${fixed(row.ratio_to_reference, 3).padStart(5)}  ` +
        `${row.kernels.toFixed(0).padStart(12)}  ${row.bytes_moved > 0 ? (row.bytes_moved / 1e6).toFixed(1).padStart(13) : '-'.padStart(13)}`,
    );
  }
  return lines;
}

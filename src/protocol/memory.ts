/**
 * How much memory training takes, per replica of the model, and whether a run fits.
 *
 * One replica holds its weights with Adam's two moments (12 bytes per parameter) and, during an iteration, the
 * activations and gradients of its share of the batch, which grow with the base width and the windows it trains
 * on: about ACTIVATION_BYTES per window per unit of width at the peak of a training step, plus WINDOW_BYTES per
 * window (the batch itself, noise, the gradient penalty's interpolates) and FIXED_BYTES. Fitted on the peak tensor bytes that `tf.profile`
 * reports for one critic step and one generator step on WebAssembly, widths 4 to 64 and 8 to 32 windows (the
 * bench prints the measured peak beside this estimate for every width it trains: `npm run bench -- --json`, the
 * `trainingPeakBytes` and `trainingEstimateBytes` of each width).
 *
 * The budget: a replica's tensors live in one WebAssembly memory, which wasm32 caps at 4 GiB; TRAINING_BUDGET_BYTES
 * leaves a quarter of it for the heap, the kernels' scratch space and fragmentation. The GPU engines cannot read how
 * much memory the GPU has; they are held to the same budget, which any GPU a browser trains on has.
 */
import { MODEL_WIDTHS, type ModelWidth } from '../music/constants';

/** Parameters of the generator and critic together, per base width (`countParams()` of the built networks). */
export const PARAMETERS: Record<ModelWidth, number> = { 4: 44_905, 8: 175_821, 16: 695_701, 32: 2_767_653, 64: 11_040_325 };

const MIB = 1024 * 1024;
/** Weights plus Adam's first and second moments, float32 each. */
export const BYTES_PER_PARAMETER = 12;
/** Peak activation and gradient bytes per window per unit of base width. */
export const ACTIVATION_BYTES = 0.56 * MIB;
/** What an iteration holds whatever the width: per window (the batch, noise, the penalty's interpolates) and once. */
export const WINDOW_BYTES = 0.5 * MIB;
export const FIXED_BYTES = 12 * MIB;
/** The most one replica may use: three quarters of wasm32's 4 GiB. */
export const TRAINING_BUDGET_BYTES = 3 * 1024 * MIB;

/** Estimated peak bytes of one replica training `windows` windows per step at `width`. */
export function trainingBytes(width: ModelWidth, windows: number): number {
  return PARAMETERS[width] * BYTES_PER_PARAMETER + FIXED_BYTES + (ACTIVATION_BYTES * width + WINDOW_BYTES) * windows;
}

/** The windows of a batch that one replica trains on: the largest share when the batch is split between replicas. */
export function windowsPerReplica(batchSize: number, replicas: number): number {
  return Math.ceil(batchSize / Math.max(1, replicas));
}

/** Bytes in words: "420 MB", "2.4 GB". */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * MIB ? `${(bytes / (1024 * MIB)).toFixed(1)} GB` : `${Math.round(bytes / MIB)} MB`;
}

/**
 * Why a run of this width and batch size would not fit in memory on `replicas` replicas (a message for the user,
 * saying what to change), or null when it fits.
 */
export function memoryProblem(width: ModelWidth, batchSize: number, replicas: number, budget = TRAINING_BUDGET_BYTES): string | null {
  const windows = windowsPerReplica(batchSize, replicas);
  const need = trainingBytes(width, windows);
  if (need <= budget) return null;
  const largest = Math.floor((budget - PARAMETERS[width] * BYTES_PER_PARAMETER - FIXED_BYTES) / (ACTIVATION_BYTES * width + WINDOW_BYTES));
  const largestBatch = largest * Math.max(1, replicas);
  const smaller = MODEL_WIDTHS.filter((w) => w < width && trainingBytes(w, windows) <= budget);
  const threads = replicas > 1 ? ` per training thread (${replicas} threads, ${windows} windows each)` : '';
  return (
    `A model of width ${width} with batch size ${batchSize} needs about ${formatBytes(need)} of memory${threads}, more than the ` +
    `${formatBytes(budget)} a training thread can have. Choose a batch size of at most ${Math.max(1, largestBatch)}` +
    (smaller.length > 0 ? `, or a smaller model (width ${smaller[smaller.length - 1]} fits this batch).` : '.')
  );
}

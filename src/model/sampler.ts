/**
 * Seeded batches over training windows. The windows are read as one endless stream of shuffled epochs
 * (a new permutation per pass, drawn from the seed and the pass number), cut into batches of equal size;
 * a batch that runs past the end of a pass continues into the next one, so every batch is full. Batch k
 * depends only on (windows, seed, batch size, k): a resumed run seeks to its batch and continues exactly.
 */
import { MODEL_TRACKS, PITCHES, WINDOW_STEPS, windowsProblem, type TrainingWindows } from '../music/pianoRoll';
import { TrainingDataError } from './errors';
import { createUniform, seedStream, shuffledIndices } from '../music/random';

/** Checks that windows have the shape the model trains on (2 bars, 128 pitches, 4 tracks, melody first). */
export function checkTrainingWindows(windows: TrainingWindows): void {
  if (windows.steps !== WINDOW_STEPS) {
    throw new TrainingDataError(`Training windows must be ${WINDOW_STEPS} steps (2 bars of 16th notes) long, got ${windows.steps}.`);
  }
  if (windows.tracks !== MODEL_TRACKS) {
    throw new TrainingDataError(`Training windows need ${MODEL_TRACKS} voices (melody, alto, tenor, bass), got ${windows.tracks}.`);
  }
  const problem = windowsProblem(windows);
  if (problem?.kind === 'no-windows') {
    throw new TrainingDataError('There are no training windows: the data set has no 2-bar passage with all voices.');
  }
  if (problem) throw new TrainingDataError(`Training windows are damaged: ${problem.message}.`);
}

/** Options of a BatchSampler. */
export interface BatchSamplerOptions {
  /** Windows per batch. */
  batchSize: number;
  /** Seed of the shuffles. */
  seed: number;
  /** Index of the first batch `next()` returns (to resume a run); default 0. */
  startBatch?: number;
}

/** Draws full, seeded, shuffled batches of training windows. */
export class BatchSampler {
  readonly batchSize: number;
  private readonly windows: TrainingWindows;
  private readonly seed: number;
  private nextBatch: number;
  private pass = -1;
  private order: Uint32Array = new Uint32Array(0);

  constructor(windows: TrainingWindows, options: BatchSamplerOptions) {
    checkTrainingWindows(windows);
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new RangeError(`batch size must be a whole number >= 1, got ${options.batchSize}`);
    }
    this.windows = windows;
    this.batchSize = options.batchSize;
    this.seed = options.seed;
    this.nextBatch = 0;
    this.seek(options.startBatch ?? 0);
  }

  /** Index of the batch the next call to `next()` returns. */
  get position(): number {
    return this.nextBatch;
  }

  /** Moves to batch `batchIndex` (0-based, counted from the start of the run). */
  seek(batchIndex: number): void {
    if (!Number.isInteger(batchIndex) || batchIndex < 0) throw new RangeError(`batch index must be a whole number >= 0, got ${batchIndex}`);
    this.nextBatch = batchIndex;
  }

  /** Window indices of batch `batchIndex`, without moving. */
  indicesOf(batchIndex: number): Uint32Array {
    const count = this.windows.count;
    const indices = new Uint32Array(this.batchSize);
    for (let i = 0; i < this.batchSize; i++) {
      const streamPosition = batchIndex * this.batchSize + i;
      const pass = Math.floor(streamPosition / count);
      if (pass !== this.pass) {
        this.order = shuffledIndices(count, createUniform(seedStream(this.seed, 'batchOrder', pass)));
        this.pass = pass;
      }
      indices[i] = this.order[streamPosition - pass * count];
    }
    return indices;
  }

  /** The next `count` batches: one training iteration's (count = the update ratio). */
  nextBatches(count: number): TrainingWindows[] {
    return Array.from({ length: count }, () => this.next());
  }

  /** The next batch, as training windows of `batchSize` count. */
  next(): TrainingWindows {
    const indices = this.indicesOf(this.nextBatch++);
    const size = this.windows.steps * PITCHES * this.windows.tracks;
    const data = new Int8Array(indices.length * size);
    indices.forEach((w, i) => data.set(this.windows.data.subarray(w * size, (w + 1) * size), i * size));
    return {
      count: indices.length,
      steps: this.windows.steps,
      tracks: this.windows.tracks,
      data,
      trackNames: this.windows.trackNames.slice(),
    };
  }
}

/**
 * Times the project's GanEngine on the active backend, the same way in Node and in the browser page:
 * training iterations per second (`trainIteration`: update-ratio critic steps plus one generator step),
 * generation latency (`accompany` on a 2-bar and a 16-bar melody), and the convolution FLOP rates of the
 * generator's training step and of its forward pass.
 */
import * as tf from '@tensorflow/tfjs';

import type { GanEngine } from '../../src/model/gan';
import { formatBytes, trainingBytes } from '../../src/protocol/memory';
import type { ReplicatedTraining } from '../../src/model/parallel/replicas';
import { BATCH_SIZE, createBenchWorkload, UPDATE_RATIO, type BenchWorkload } from './workload';

export { BATCH_SIZE, UPDATE_RATIO } from './workload';

/** A combination whose estimated iteration takes longer than this is skipped. */
export const SKIP_ABOVE_SECONDS = 300;
/** Iterations are repeated until this much time has been spent (and at least twice). */
const MEASURE_SECONDS = 20;
const MIN_TIMED_ITERATIONS = 2;
/** Above this estimate a whole iteration is not timed: it is extrapolated from one warm critic and generator step. */
const EXTRAPOLATE_ABOVE_SECONDS = 60;
/** A width-scaled estimate this many times a limit skips without running a single step. */
const HOPELESS_FACTOR = 4;
/** Generation is skipped where a 16-bar accompaniment is estimated to take longer than this. */
const GENERATION_LIMIT_SECONDS = 120;
/** Latency: median of up to this many calls after one warm-up call, within about this many seconds. */
const LATENCY_REPEATS = 5;
const LATENCY_BUDGET_SECONDS = 15;
/** A warm-up call longer than this is the latency measurement itself (the note says so). */
const SINGLE_CALL_SECONDS = 10;

/** How an iteration time was obtained. */
export type IterationMethod = 'timed' | 'extrapolated';

/** What one (backend, width) combination measured; null fields were skipped and `note` says why. */
export interface WidthResult {
  width: number;
  iterationsPerSecond: number | null;
  /** 'timed': whole `trainIteration` calls; 'extrapolated': UPDATE_RATIO x one critic step + one generator step. */
  iterationMethod: IterationMethod | null;
  generateMs2Bar: number | null;
  generateMs16Bar: number | null;
  /** Generator training step: convolution GFLOP/s (generator and critic, backward counted as twice the forward). */
  generatorStepGflops: number | null;
  /** Generator forward pass (batch 16, inference): convolution GFLOP/s. */
  generatorForwardGflops: number | null;
  /**
   * One replica training the whole batch (the backends that train alone): the peak tensor bytes of a critic and a
   * generator step as `tf.profile` reports them, and the estimate of src/protocol/memory.ts.
   */
  trainingPeakBytes?: number;
  trainingEstimateBytes?: number;
  /** Where training was skipped: the estimate that ruled it out, in seconds per iteration. */
  estimatedIterationSeconds?: number;
  note?: string;
}

/** How a backend trains: by default the engine itself; `replicate` starts data-parallel replicas of it (one per core). */
export interface MeasureOptions {
  replicate?: (engine: GanEngine) => Promise<ReplicatedTraining>;
  /** Called once whole iterations were timed, with the warm workload (`npm run bench -- --profile`). */
  afterTraining?: (workload: BenchWorkload, result: WidthResult) => Promise<void>;
}

/** Estimates carried from a narrower width to the next, scaled by width squared. */
interface Prior {
  width: number;
  iterationSeconds: number | null;
  generate16BarSeconds: number | null;
}

const now = (): number => performance.now();

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = now();
  await work();
  return (now() - start) / 1000;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median latency in milliseconds after one untimed warm-up call; a slow warm-up call is the measurement. */
async function latencyMs(work: () => Promise<unknown>): Promise<{ ms: number; single: boolean }> {
  const first = await timed(work);
  if (first > SINGLE_CALL_SECONDS) return { ms: first * 1000, single: true };
  const times: number[] = [];
  let spent = 0;
  while (times.length < LATENCY_REPEATS && (times.length === 0 || spent < LATENCY_BUDGET_SECONDS)) {
    const seconds = await timed(work);
    times.push(seconds * 1000);
    spent += seconds;
  }
  return { ms: median(times), single: false };
}

/** Convolution FLOPs of one training iteration at `width` relative to another: every layer but the ends scales with width squared. */
const widthScale = (width: number, from: number): number => (width * width) / (from * from);

/** Times training on `workload`; fills the training fields of `result` and returns the iteration time (or estimate). */
async function measureTraining(
  workload: BenchWorkload,
  result: WidthResult,
  notes: string[],
  label: string,
  log: (line: string) => void,
  options: MeasureOptions,
): Promise<number | null> {
  const { engine, batches } = workload;
  const lastBatch = batches[batches.length - 1];
  const skip = (estimate: number, why: string): number => {
    result.estimatedIterationSeconds = estimate;
    notes.push(`training skipped: ${why}`);
    log(`${label}: training skipped, ${why}`);
    return estimate;
  };
  // The first steps carry one-off costs (shader compilation, weight packing); they decide what is affordable.
  const firstCritic = await timed(() => engine.trainCriticStep(batches[0], 0));
  log(`${label}: first critic step ${firstCritic.toFixed(2)} s`);
  if (UPDATE_RATIO * firstCritic > SKIP_ABOVE_SECONDS) {
    return skip(
      UPDATE_RATIO * firstCritic,
      `estimated over ${(UPDATE_RATIO * firstCritic).toFixed(0)} s per iteration from its first critic step`,
    );
  }
  const firstGenerator = await timed(() => engine.trainGeneratorStep(lastBatch));
  const firstEstimate = UPDATE_RATIO * firstCritic + firstGenerator;
  log(`${label}: first generator step ${firstGenerator.toFixed(2)} s`);
  if (firstEstimate > SKIP_ABOVE_SECONDS) {
    return skip(firstEstimate, `estimated ${firstEstimate.toFixed(0)} s per iteration from its first steps`);
  }
  let iterationSeconds: number;
  let generatorStepSeconds: number;
  if (firstEstimate > EXTRAPOLATE_ABOVE_SECONDS) {
    // Too slow to time whole iterations within minutes: one more (warm) step of each, extrapolated.
    const critic = await timed(() => engine.trainCriticStep(batches[1], 1));
    generatorStepSeconds = await timed(() => engine.trainGeneratorStep(lastBatch));
    iterationSeconds = UPDATE_RATIO * critic + generatorStepSeconds;
    result.iterationMethod = 'extrapolated';
    notes.push(
      `iteration extrapolated as ${UPDATE_RATIO} x critic step (${critic.toFixed(1)} s) + generator step ` +
        `(${generatorStepSeconds.toFixed(1)} s), not timed whole`,
    );
    log(`${label}: second critic step ${critic.toFixed(2)} s, generator step ${generatorStepSeconds.toFixed(2)} s; iteration extrapolated`);
  } else {
    // Whole iterations, by the engine or by its replicas: the same batches, the same training step.
    const replicas = options.replicate ? await options.replicate(engine) : undefined;
    let iterations = 0;
    let spent = 0;
    try {
      if (replicas) {
        log(`${label}: training on ${replicas.size} replicas of one thread each`);
        // Their first iteration packs weights and warms each replica up.
        await replicas.trainIteration(batches);
      }
      const trainer = replicas ?? engine;
      while (iterations < MIN_TIMED_ITERATIONS || spent < MEASURE_SECONDS) {
        spent += await timed(() => trainer.trainIteration(batches));
        iterations++;
      }
    } finally {
      replicas?.dispose();
    }
    iterationSeconds = spent / iterations;
    result.iterationMethod = 'timed';
    const generatorTimes: number[] = [];
    for (let i = 0; i < 3; i++) generatorTimes.push(await timed(() => engine.trainGeneratorStep(lastBatch)));
    generatorStepSeconds = median(generatorTimes);
    log(
      `${label}: ${iterations} iterations timed, ${iterationSeconds.toFixed(2)} s each; generator step ${generatorStepSeconds.toFixed(2)} s`,
    );
  }
  result.iterationsPerSecond = 1 / iterationSeconds;
  if (!options.replicate) {
    // One replica's memory: the peak tensor bytes of a critic and a generator step on the whole batch, beside the
    // estimate the page and the worker refuse runs by (src/protocol/memory.ts).
    const { peakBytes } = await tf.profile(async () => {
      await engine.trainCriticStep(batches[0], 0);
      await engine.trainGeneratorStep(lastBatch);
    });
    result.trainingPeakBytes = peakBytes;
    result.trainingEstimateBytes = trainingBytes(engine.config.baseWidth, BATCH_SIZE);
    log(`${label}: training peak ${formatBytes(peakBytes)} (estimate ${formatBytes(result.trainingEstimateBytes)})`);
  }
  const generatorStepFlops = 3 * BATCH_SIZE * (workload.generatorFlopsPerSample + workload.criticFlopsPerSample);
  result.generatorStepGflops = generatorStepFlops / generatorStepSeconds / 1e9;
  return iterationSeconds;
}

/** Times generation on `workload`; fills the generation fields of `result` and returns the 16-bar time in seconds. */
async function measureGeneration(
  workload: BenchWorkload,
  result: WidthResult,
  notes: string[],
  label: string,
  log: (line: string) => void,
): Promise<number | null> {
  const { engine } = workload;
  const twoBar = await latencyMs(() => engine.accompany(workload.melody2Bar, 1));
  result.generateMs2Bar = twoBar.ms;
  const sixteenBar = await latencyMs(() => engine.accompany(workload.melody16Bar, 1));
  result.generateMs16Bar = sixteenBar.ms;
  const forward = await latencyMs(() => engine.generateWindows(workload.forwardMelody, workload.forwardNoise));
  result.generatorForwardGflops = (BATCH_SIZE * workload.generatorFlopsPerSample) / (forward.ms / 1000) / 1e9;
  if (twoBar.single || sixteenBar.single || forward.single) notes.push('a generation time over 10 s is its first (warm-up) call');
  log(
    `${label}: generate ${twoBar.ms.toFixed(0)} ms (2 bars), ${sixteenBar.ms.toFixed(0)} ms (16 bars); ` +
      `forward pass of ${BATCH_SIZE} windows ${forward.ms.toFixed(0)} ms`,
  );
  return sixteenBar.ms / 1000;
}

/**
 * Measures one width on the active backend. `prior` holds a narrower width's times; where they, scaled by
 * width squared, are hopelessly over a limit, that part is skipped without running.
 */
export async function measureWidth(
  width: number,
  prior: Prior | undefined,
  log: (line: string) => void,
  options: MeasureOptions = {},
): Promise<{ result: WidthResult; prior: Prior }> {
  const label = `${tf.getBackend()} width ${width}`;
  const result = unmeasuredResult(width, '');
  delete result.note;
  const notes: string[] = [];
  const scale = prior ? widthScale(width, prior.width) : 1;
  const trainingEstimate = prior?.iterationSeconds == null ? null : prior.iterationSeconds * scale;
  const generationEstimate = prior?.generate16BarSeconds == null ? null : prior.generate16BarSeconds * scale;
  const workload = createBenchWorkload(width);
  let iterationSeconds: number | null = trainingEstimate;
  let generate16BarSeconds: number | null = generationEstimate;
  try {
    if (trainingEstimate !== null && trainingEstimate > HOPELESS_FACTOR * SKIP_ABOVE_SECONDS) {
      result.estimatedIterationSeconds = trainingEstimate;
      const why = `estimated ${trainingEstimate.toFixed(0)} s per iteration (width ${prior?.width}'s time scaled by width squared)`;
      notes.push(`training skipped: ${why}`);
      log(`${label}: training skipped, ${why}`);
    } else {
      iterationSeconds = await measureTraining(workload, result, notes, label, log, options);
      if (options.afterTraining && result.iterationMethod === 'timed') await options.afterTraining(workload, result);
    }
    if (generationEstimate !== null && generationEstimate > GENERATION_LIMIT_SECONDS) {
      const why = `estimated ${generationEstimate.toFixed(0)} s per 16-bar accompaniment (width ${prior?.width}'s time scaled by width squared)`;
      notes.push(`generation skipped: ${why}`);
      log(`${label}: generation skipped, ${why}`);
    } else {
      generate16BarSeconds = await measureGeneration(workload, result, notes, label, log);
    }
  } finally {
    workload.dispose();
  }
  if (notes.length > 0) result.note = notes.join('; ');
  if (result.iterationsPerSecond !== null) {
    log(
      `${label}: ${result.iterationsPerSecond.toFixed(3)} it/s (${result.iterationMethod}); generator step ` +
        `${result.generatorStepGflops?.toFixed(2)} GFLOP/s, forward ${result.generatorForwardGflops?.toFixed(2) ?? '-'} GFLOP/s`,
    );
  }
  return { result, prior: { width, iterationSeconds, generate16BarSeconds } };
}

/**
 * Measures every width in ascending order on the active backend, handing each result to `onResult` as soon
 * as it is known (so a caller that gives up on a slow backend keeps what was measured).
 */
export async function measureBackend(
  widths: number[],
  log: (line: string) => void,
  onResult: (result: WidthResult) => void = () => {},
  options: MeasureOptions = {},
): Promise<WidthResult[]> {
  const results: WidthResult[] = [];
  let prior: Prior | undefined;
  for (const width of [...widths].sort((a, b) => a - b)) {
    const measured = await measureWidth(width, prior, log, options);
    results.push(measured.result);
    onResult(measured.result);
    prior = measured.prior;
  }
  return results;
}

/** The result of a width that was not measured at all, with the reason. */
export function unmeasuredResult(width: number, note: string): WidthResult {
  return {
    width,
    iterationsPerSecond: null,
    iterationMethod: null,
    generateMs2Bar: null,
    generateMs16Bar: null,
    generatorStepGflops: null,
    generatorForwardGflops: null,
    note,
  };
}

/**
 * Times the workload on the active backend, the same way in Node and in the browser page: training
 * iterations per second (update-ratio critic steps plus one generator step), generation latency, and
 * the convolution FLOP rates of the generator's training step and forward pass.
 */
import * as tf from '@tensorflow/tfjs';

import { createBenchWorkload, WINDOWS_PER_16_BARS } from './workload';

/** Critic steps per generator step, and windows per batch, as the task fixes them. */
export const UPDATE_RATIO = 5;
export const BATCH_SIZE = 16;
/** A combination whose estimated iteration takes longer than this is skipped. */
export const SKIP_ABOVE_SECONDS = 300;
/** Iterations are repeated until this much time has been spent (at least one after warm-up). */
const MEASURE_SECONDS = 20;
/** Above this estimate the first (warm-up) steps are the measurement, to keep the whole run in minutes. */
const SINGLE_STEP_SECONDS = 60;
/** A width-scaled estimate this many times the limit skips without timing a single step. */
const HOPELESS_FACTOR = 4;

/** What one (backend, width) combination measured; null fields were skipped, `note` says why. */
export interface WidthResult {
  width: number;
  iterationsPerSecond: number | null;
  generateMs2Bar: number | null;
  generateMs16Bar: number | null;
  /** Generator training step: convolution GFLOP/s (backward counted as twice the forward). */
  generatorStepGflops: number | null;
  /** Generator forward pass (batch 16, inference): convolution GFLOP/s. */
  generatorForwardGflops: number | null;
  /** For a skipped combination: the estimate that ruled it out, in seconds per iteration. */
  estimatedIterationSeconds?: number;
  note?: string;
}

const now = (): number => performance.now();

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const start = now();
  await work();
  return (now() - start) / 1000;
}

/** Median of at least one timing, in milliseconds, after one untimed warm-up call. */
async function latencyMs(work: () => Promise<void>, repeats: number): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push((await timed(work)) * 1000);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * Measures one width on the active backend. `estimateSeconds` is a prior estimate of one iteration (e.g.
 * scaled from a smaller width); when it exceeds the limit the combination is skipped without running.
 */
export async function measureWidth(
  width: number,
  estimateSeconds: number | undefined,
  log: (line: string) => void,
): Promise<{ result: WidthResult; iterationSeconds: number | null }> {
  const label = `${tf.getBackend()} width ${width}`;
  const skipped = (note: string, estimate = estimateSeconds): { result: WidthResult; iterationSeconds: number | null } => {
    log(`${label}: skipped, ${note}`);
    return {
      result: {
        width,
        iterationsPerSecond: null,
        generateMs2Bar: null,
        generateMs16Bar: null,
        generatorStepGflops: null,
        generatorForwardGflops: null,
        ...(estimate === undefined ? {} : { estimatedIterationSeconds: estimate }),
        note,
      },
      iterationSeconds: estimate ?? null,
    };
  };
  if (estimateSeconds !== undefined && estimateSeconds > HOPELESS_FACTOR * SKIP_ABOVE_SECONDS) {
    // Even one step would take longer than the limit: do not run it to find out.
    return skipped(`estimated ${estimateSeconds.toFixed(0)} s per iteration (scaled by width squared from a smaller width)`);
  }
  const workload = createBenchWorkload(width, BATCH_SIZE);
  try {
    // First steps include one-off costs (shader compilation, weight packing); they also give the estimate.
    const firstCritic = await timed(() => workload.criticStep());
    log(`${label}: first critic step ${firstCritic.toFixed(2)} s`);
    if (UPDATE_RATIO * firstCritic > SKIP_ABOVE_SECONDS) {
      const estimate = UPDATE_RATIO * firstCritic;
      return skipped(`estimated over ${estimate.toFixed(0)} s per iteration from its first critic step`, estimate);
    }
    const firstGenerator = await timed(() => workload.generatorStep());
    const firstEstimate = UPDATE_RATIO * firstCritic + firstGenerator;
    log(`${label}: first generator step ${firstGenerator.toFixed(2)} s`);
    if (firstEstimate > SKIP_ABOVE_SECONDS) {
      return skipped(`estimated ${firstEstimate.toFixed(0)} s per iteration from its first steps`, firstEstimate);
    }
    let iterationSeconds: number;
    let generatorStepSeconds: number;
    if (firstEstimate > SINGLE_STEP_SECONDS) {
      // Too slow to repeat: the first steps are the measurement (for cpu they carry no one-off cost).
      iterationSeconds = firstEstimate;
      generatorStepSeconds = firstGenerator;
      log(`${label}: iteration time taken from the first steps`);
    } else {
      let iterations = 0;
      let criticSeconds = 0;
      generatorStepSeconds = 0;
      while (iterations === 0 || criticSeconds + generatorStepSeconds < MEASURE_SECONDS) {
        for (let i = 0; i < UPDATE_RATIO; i++) criticSeconds += await timed(() => workload.criticStep());
        generatorStepSeconds += await timed(() => workload.generatorStep());
        iterations++;
      }
      iterationSeconds = (criticSeconds + generatorStepSeconds) / iterations;
      generatorStepSeconds /= iterations;
    }
    const repeats = iterationSeconds > 30 ? 1 : 5;
    const generateMs2Bar = await latencyMs(() => workload.generate(1), repeats);
    const generateMs16Bar = await latencyMs(() => workload.generate(WINDOWS_PER_16_BARS), repeats);
    const forwardMs = await latencyMs(() => workload.generate(BATCH_SIZE), repeats);
    const generatorStepFlops = 3 * BATCH_SIZE * (workload.generatorFlopsPerSample + workload.criticFlopsPerSample);
    const result: WidthResult = {
      width,
      iterationsPerSecond: 1 / iterationSeconds,
      generateMs2Bar,
      generateMs16Bar,
      generatorStepGflops: generatorStepFlops / generatorStepSeconds / 1e9,
      generatorForwardGflops: (BATCH_SIZE * workload.generatorFlopsPerSample) / (forwardMs / 1000) / 1e9,
    };
    log(
      `${label}: ${result.iterationsPerSecond?.toFixed(3)} it/s, generate ${generateMs2Bar.toFixed(0)} ms (2 bars), ` +
        `${generateMs16Bar.toFixed(0)} ms (16 bars); generator step ${result.generatorStepGflops?.toFixed(2)} GFLOP/s, ` +
        `forward ${result.generatorForwardGflops?.toFixed(2)} GFLOP/s`,
    );
    return { result, iterationSeconds };
  } finally {
    workload.dispose();
  }
}

/** Convolution FLOPs of one training iteration at `width`, for scaling an estimate between widths. */
function iterationFlops(width: number): number {
  // Every convolution's FLOPs scale with the square of the width, except the 1- and 5-channel ends; the
  // square is close enough to decide whether a run would take minutes or hours.
  return width * width;
}

/** Measures every width in ascending order, skipping a width whose scaled estimate is too long. */
export async function measureBackend(widths: number[], log: (line: string) => void): Promise<WidthResult[]> {
  const results: WidthResult[] = [];
  let previous: { width: number; seconds: number } | undefined;
  for (const width of [...widths].sort((a, b) => a - b)) {
    const estimate = previous ? (previous.seconds * iterationFlops(width)) / iterationFlops(previous.width) : undefined;
    const { result, iterationSeconds } = await measureWidth(width, estimate, log);
    results.push(result);
    if (iterationSeconds !== null) previous = { width, seconds: iterationSeconds };
  }
  return results;
}

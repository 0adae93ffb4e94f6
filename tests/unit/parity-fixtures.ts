/**
 * WebGPU against WebAssembly from the same state and batch, shared by the Node run (webgpu-parity-run.ts, Dawn) and
 * the browser's (tests/e2e/pages/parity-page.ts): the state both sides start from, one side's run on the backend in
 * use, and what counts as the same training. Imports nothing of Node, so the browser test page can use it.
 *
 * Tolerances. Both backends compute in float32 but sum in different orders (tiled shaders against XNNPACK), so
 * results differ in their last bits: about 1e-7 relative per operation, growing with the length of the sums.
 * - Losses: relative 1e-4 (seen: about 1e-6). A real difference moves them far more.
 * - Weight updates: Adam's first step moves each weight by lr * g / (|g| + eps), about +/- lr whatever the size of
 *   the gradient g. Where g is itself within rounding of zero, its sign, and so the direction of that weight's
 *   update, can differ between backends (seen: 22 of 44,737 weights, at most 1.7 lr apart). So: at least 99.9 % of
 *   the updates must agree within 1e-5 (1 % of lr); that fraction is what a wrong kernel or state breaks.
 * - Accompaniment: the same notes, cell for cell.
 * - Held-out measures: relative 1e-4, as the losses; the checkpoint: as many values, all finite.
 */
import * as tf from '@tensorflow/tfjs';
import { GanEngine } from '../../src/model/gan';
import { measureHeldOut } from '../../src/model/heldOut';
import { exportTrainingState, importTrainingState } from '../../src/model/io';
import { melodyRoll, syntheticWindows } from './model-fixtures';

/**
 * What one backend did from the shared state: the iteration's losses, every weight before and after, the notes, and
 * what an epoch's end reads back from the model (the held-out measures of src/model/heldOut.ts, and the training
 * state a checkpoint saves, as its float count).
 */
export interface ParitySide {
  losses: number[];
  before: number[];
  after: number[];
  accompaniment: number[];
  heldOut: number[];
  checkpointValues: number;
}

export type TrainingState = Awaited<ReturnType<typeof exportTrainingState>>;

/** The state both sides start from: a tiny model (width 4, batch 2, update ratio 1), made on the backend in use. */
export async function parityState(): Promise<TrainingState> {
  const origin = GanEngine.create({ baseWidth: 4, batchSize: 2, updateRatio: 1, seed: 11 });
  const state = await exportTrainingState(origin);
  origin.dispose();
  return state;
}

async function weightsOf(engine: GanEngine): Promise<number[]> {
  const values: number[] = [];
  for (const model of [engine.generator, engine.critic])
    for (const w of model.trainableWeights) values.push(...((await w.read().data()) as Float32Array));
  return values;
}

/**
 * One training iteration and one accompaniment on the backend in use, from `state`. With `perturb`, one weight is
 * moved by 0.05 first, so a test can show that the comparison notices a real difference.
 */
export async function paritySide(state: TrainingState, perturb = false): Promise<ParitySide> {
  const engine = await importTrainingState({ modelJson: state.modelJson, weights: state.weights.slice(0) });
  if (perturb) {
    const first = engine.generator.trainableWeights[0].read() as tf.Variable;
    const values = (await first.data()) as Float32Array;
    values[0] += 0.05;
    first.assign(tf.tensor(values, first.shape));
  }
  const before = await weightsOf(engine);
  const losses = await engine.trainIteration([syntheticWindows(2)]);
  const after = await weightsOf(engine);
  const roll = await engine.accompany(melodyRoll(32, 72), 7, { decodeMode: 'single' });
  // What the worker does at an epoch's end, besides a snapshot (an accompaniment): the held-out measures and a checkpoint.
  const measures = await measureHeldOut(engine, syntheticWindows(2));
  const checkpoint = await exportTrainingState(engine);
  engine.dispose();
  return {
    losses: [losses.criticLoss, losses.generatorLoss, losses.wasserstein, losses.gradientPenalty],
    before,
    after,
    accompaniment: [...roll.active],
    heldOut: [measures.voiceCrossEntropy, measures.inKeyRate, measures.restRate, measures.polyphonicRate],
    checkpointValues: new Float32Array(checkpoint.weights).filter((v) => Number.isFinite(v)).length,
  };
}

/** How WebGPU's side differs from WebAssembly's beyond the tolerances above, in words; empty when it trains the same. */
export function parityProblems(wasm: ParitySide, webgpu: ParitySide): string[] {
  const problems: string[] = [];
  const names = ['critic loss', 'generator loss', 'Wasserstein estimate', 'gradient penalty'];
  wasm.losses.forEach((loss, i) => {
    if (!(Math.abs(webgpu.losses[i] - loss) <= 1e-4 * Math.max(1, Math.abs(loss))))
      problems.push(`${names[i]}: wasm ${loss}, webgpu ${webgpu.losses[i]}`);
  });
  if (webgpu.before.length !== wasm.before.length || webgpu.before.some((w, i) => w !== wasm.before[i]))
    problems.push('the two sides did not start from the same weights');
  const gaps = wasm.after.map((w, i) => Math.abs(webgpu.after[i] - webgpu.before[i] - (w - wasm.before[i])));
  const agreeing = gaps.filter((gap) => gap <= 1e-5).length / Math.max(1, gaps.length);
  if (!(agreeing >= 0.999)) problems.push(`weight updates: ${(100 * agreeing).toFixed(2)} % agree within 1e-5 (at least 99.9 % must)`);
  const differing = wasm.accompaniment.filter((cell, i) => webgpu.accompaniment[i] !== cell).length;
  if (differing > 0 || webgpu.accompaniment.length !== wasm.accompaniment.length)
    problems.push(`accompaniment: ${differing} of ${wasm.accompaniment.length} cells differ`);
  if (!wasm.accompaniment.some((cell) => cell === 1)) problems.push('the accompaniment holds no note');
  const measureNames = ['held-out voice cross-entropy', 'held-out in-key rate', 'held-out rest rate', 'held-out polyphonic rate'];
  wasm.heldOut.forEach((value, i) => {
    if (!(Math.abs(webgpu.heldOut[i] - value) <= 1e-4 * Math.max(1, Math.abs(value))))
      problems.push(`${measureNames[i]}: wasm ${value}, webgpu ${webgpu.heldOut[i]}`);
  });
  if (webgpu.checkpointValues !== wasm.checkpointValues)
    problems.push(`checkpoint: ${webgpu.checkpointValues} finite values on webgpu, ${wasm.checkpointValues} on wasm`);
  return problems;
}

/**
 * GanEngine: the generator, the critic, their two Adam optimisers and the WGAN-GP training step; generation
 * (src/model/generate/) runs its networks. The worker and the Node training script both drive it; it uses no
 * DOM or worker API.
 *
 * Training vocabulary:
 * - a critic step: one batch, critic loss mean(C(fake)) - mean(C(real)) + lambda * GP, critic weights updated;
 * - a generator step: loss -mean(C(fake)), generator weights updated;
 * - an iteration: `updateRatio` critic steps on `updateRatio` batches, then one generator step on the
 *   melodies of the last of those batches;
 * - an epoch: one pass of the critic over the training windows, i.e.
 *   iterationsPerEpoch = ceil(windows / (batchSize * updateRatio)).
 * The engine counts iterations itself; it sees batches, not the data set, so the training driver (driver.ts)
 * counts epochs and advances `epoch`.
 */
import * as tf from '@tensorflow/tfjs';
import type { AccompanimentLock } from '../music/locks';
import { MODEL_TRACKS, ACCOMPANIMENT_TRACKS, PITCHES, WINDOW_STEPS, type PianoRoll, type TrainingWindows } from '../music/pianoRoll';
import type { DataProfile } from '../music/dataProfile';
import type { StyleCritic } from './styleCritic';
import { resolveHyperParams, type HyperParams, type HyperParamsInput } from '../protocol/config';
import type { GenerationOptionsInput } from '../protocol/generation';
import { generate } from './generate/pipeline';
import type { GenerationNetworks } from './generate/types';
import { TrainingDataError } from './errors';
import { soundingVoiceCells, voicePitchLoss, type IterationLosses } from './losses';
import { buildCritic, buildGenerator, noiseShape } from './networks';
import { CONTEXT_CHANNELS, contextFromWindows, generatorInputChannels, trainingMasks } from './voiceContext';
import { createUniform, seedStream, truncatedNormal } from '../music/random';
import { BatchSampler, checkTrainingWindows } from './sampler';
import { installBatchNormGradient } from './batchNormGradient';
import { installFastCpuKernels } from './cpuKernels';
import { installLeakyReluGradient } from './leakyReluGradient';
import { installSecondOrderGradients } from './secondOrder';
import { criticScores, generatorScores } from './inference';
import { gradientPenalty } from './wgan';
import type { Collective } from './parallel/collective';
import { shareBatchNorm } from './parallel/syncBatchNorm';

/** A named tensor, as optimisers list their state (tfjs-core's NamedTensor, which tfjs does not re-export). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Windows [start, end) of a batch: one replica's share of it. */
function windowRange(batch: TrainingWindows, start: number, end: number): TrainingWindows {
  const size = batch.steps * PITCHES * batch.tracks;
  return { ...batch, count: end - start, data: batch.data.subarray(start * size, end * size) };
}

/** The model's training windows as float tensors: the 4-track roll, its condition (track 0) and the generator's input. */
export interface BatchTensors {
  real: tf.Tensor4D;
  /** The melody [n, 32, 128, 1]: the critic's condition, and the generator's input without voice context. */
  condition: tf.Tensor4D;
  /** What the generator reads: `condition`, or with voice context the context planes of voiceContext.ts. */
  input: tf.Tensor4D;
  /** With voice context: 1 where a voice is hidden, [n, 32, 3, 1] (the voice term's cells); null without. */
  hidden: tf.Tensor4D | null;
}

/**
 * `batch` as tensors; `hidden` (voice context only): the windows' hidden masks [count x 32 x 3] (voiceContext.ts),
 * null for a generator that reads the melody alone.
 */
export function batchTensors(batch: TrainingWindows, hidden: Uint8Array | null = null): BatchTensors {
  checkTrainingWindows(batch);
  const real = tf.tensor4d(Float32Array.from(batch.data), [batch.count, WINDOW_STEPS, PITCHES, MODEL_TRACKS]);
  // Track 0 copied here rather than sliced from `real`: a strided slice is a slow kernel on wasm.
  const melody = new Float32Array(batch.count * WINDOW_STEPS * PITCHES);
  for (let cell = 0; cell < melody.length; cell++) melody[cell] = batch.data[cell * MODEL_TRACKS];
  const condition = tf.tensor4d(melody, [batch.count, WINDOW_STEPS, PITCHES, 1]);
  if (!hidden) return { real, condition, input: condition, hidden: null };
  const input = tf.tensor4d(contextFromWindows(batch.data, batch.count, hidden), [batch.count, WINDOW_STEPS, PITCHES, CONTEXT_CHANNELS]);
  return { real, condition, input, hidden: tf.tensor4d(Float32Array.from(hidden), [batch.count, WINDOW_STEPS, ACCOMPANIMENT_TRACKS, 1]) };
}

/**
 * With voice context, what the critic judges: the real window where the voices were given, the generator's output
 * where they were hidden (a completion of the window, not a copy of what it was given); `hidden` [n, 32, 3, 1].
 */
function completed(real: tf.Tensor4D, fake: tf.Tensor4D, hidden: tf.Tensor4D | null): tf.Tensor4D {
  if (!hidden) return fake;
  // [n, 32, 1, 4]: track 0 (the melody) is never hidden.
  const mask = tf.transpose(
    tf.pad(hidden, [
      [0, 0],
      [0, 0],
      [1, 0],
      [0, 0],
    ]),
    [0, 1, 3, 2],
  );
  return tf.add(real, tf.mul(mask, tf.sub(fake, real))) as tf.Tensor4D;
}

/** The generator, the critic and their optimisers, trained with WGAN-GP. */
export class GanEngine implements GenerationNetworks {
  /** The resolved hyperparameters this engine was built with. */
  readonly config: HyperParams;
  /** What the model was trained on (its data's kind and accompaniment tracks); null: the Bach chorales. */
  dataProfile: DataProfile | null = null;
  /**
   * The critic fitted on this model's decoded candidates (styleCritic.ts, `npm run fit-style-critic`); null: none.
   * Further training keeps it: it still reads how far a window is from the chorales, though fitted on older candidates.
   */
  styleCritic: StyleCritic | null = null;
  /** The U-Net generator (inputs melody, noise). */
  readonly generator: tf.LayersModel;
  /** The critic (inputs roll, condition). */
  readonly critic: tf.LayersModel;
  /** Completed training iterations since the run began. */
  iteration = 0;
  /** Completed epochs; advanced by the driver, which knows the data set's size. */
  epoch = 0;
  private readonly generatorOptimizer: tf.AdamOptimizer;
  private readonly criticOptimizer: tf.AdamOptimizer;
  /** Set when this engine is one of several data-parallel replicas (see parallel/): it trains on its share of each batch. */
  private collective: Collective | undefined;
  private disposed = false;

  private constructor(config: HyperParams) {
    this.config = config;
    this.generator = buildGenerator(config.baseWidth, config.seed, generatorInputChannels(config.voiceContext));
    this.critic = buildCritic(config.baseWidth, config.seed);
    // Two optimisers: Adam keeps its moments by position in the variable list, so one shared
    // optimiser would mix the generator's and the critic's state.
    this.generatorOptimizer = tf.train.adam(config.learningRate, config.beta1, config.beta2);
    this.criticOptimizer = tf.train.adam(config.learningRate, config.beta1, config.beta2);
  }

  /** Builds both networks from a (partial) config with seeded weights; throws ConfigError naming every bad field. */
  static create(config: HyperParamsInput): GanEngine {
    const resolved = resolveHyperParams(config);
    installSecondOrderGradients();
    installBatchNormGradient();
    installLeakyReluGradient();
    installFastCpuKernels();
    return new GanEngine(resolved);
  }

  /**
   * Makes this engine one of `collective.replicas` data-parallel replicas, each holding the same weights: from
   * now on each training step works on this replica's share of the batch, the replicas add up their gradients
   * (and batch-norm statistics) through `collective`, and every replica applies the same update. The losses
   * and weights are the single engine's, up to the order of additions.
   */
  joinReplicas(collective: Collective): void {
    if (this.collective) throw new Error('internal: this engine already trains as a replica');
    if (collective.replicas === 1) return;
    this.collective = collective;
    shareBatchNorm(this.generator, collective);
  }

  /** This engine's windows [start, end) of a batch of `count` windows (all of them unless it is a replica). */
  private shareOf(count: number): { start: number; end: number } {
    if (!this.collective) return { start: 0, end: count };
    const { index, replicas } = this.collective;
    if (count < replicas) throw new TrainingDataError(`A batch of ${count} windows cannot be split between ${replicas} training threads.`);
    return { start: Math.floor((count * index) / replicas), end: Math.floor((count * (index + 1)) / replicas) };
  }

  /** Every replica's gradients added up (the gradients of the whole batch's loss); unchanged for a lone engine. */
  private sharedGradients(variables: tf.Variable[], grads: tf.NamedTensorMap): tf.NamedTensorMap {
    const collective = this.collective;
    if (!collective) return grads;
    const flat = tf.concat(variables.map((v) => tf.reshape(grads[v.name], [-1])));
    const total = tf.tensor1d(collective.sum(flat.dataSync() as Float32Array));
    const parts = tf.split(
      total,
      variables.map((v) => v.size),
    );
    return Object.fromEntries(variables.map((v, i) => [v.name, tf.reshape(parts[i], v.shape)]));
  }

  /** The generator's input planes: 1 (the melody) or, with voice context, CONTEXT_CHANNELS (voiceContext.ts). */
  get inputChannels(): number {
    return generatorInputChannels(this.config.voiceContext);
  }

  /** Noise channels of the bottleneck (8 x base width). */
  get noiseChannels(): number {
    return noiseShape(this.config.baseWidth)[2];
  }

  /**
   * A seeded sampler over `windows`, positioned where this engine's run stands (resumes continue exactly). The
   * engine takes the windows' data profile as its own: the model then knows what it learned from, and its files say so.
   */
  sampler(windows: TrainingWindows): BatchSampler {
    if (windows.profile) this.dataProfile = windows.profile;
    return new BatchSampler(windows, {
      batchSize: this.config.batchSize,
      seed: this.config.seed,
      startBatch: this.iteration * this.config.updateRatio,
    });
  }

  /** Draws one iteration's batches from `sampler` and trains on them. */
  trainNext(sampler: BatchSampler): Promise<IterationLosses> {
    return this.trainIteration(sampler.nextBatches(this.config.updateRatio));
  }

  /**
   * One iteration: a critic step per batch (`updateRatio` batches), then one generator step on the melodies
   * of the last batch. Noise and penalty mixing are drawn from (seed, iteration, step).
   */
  async trainIteration(batches: TrainingWindows[]): Promise<IterationLosses> {
    this.assertLive();
    if (batches.length !== this.config.updateRatio) {
      throw new TrainingDataError(`One iteration needs ${this.config.updateRatio} batches (the update ratio), got ${batches.length}.`);
    }
    const stats: tf.Tensor[] = [];
    try {
      batches.forEach((batch, step) => stats.push(this.criticStep(batch, step)));
      stats.push(this.generatorStep(batches[batches.length - 1], batches.length));
      const all = tf.tidy(() => tf.concat(stats.map((s) => s.reshape([-1]))));
      const own = (await all.data()) as Float32Array;
      all.dispose();
      // A replica's figures are its share of each batch's; the sum over replicas is the whole batch's.
      const values = this.collective ? this.collective.sum(own) : own;
      this.iteration++;
      const critic = { loss: 0, wasserstein: 0, penalty: 0 };
      for (let step = 0; step < batches.length; step++) {
        critic.loss += values[step * 3] / batches.length;
        critic.wasserstein += values[step * 3 + 1] / batches.length;
        critic.penalty += values[step * 3 + 2] / batches.length;
      }
      return {
        criticLoss: critic.loss,
        generatorLoss: values[batches.length * 3],
        wasserstein: critic.wasserstein,
        gradientPenalty: critic.penalty,
        voiceLoss: values[batches.length * 3 + 1],
      };
    } finally {
      tf.dispose(stats);
    }
  }

  /** Truncated-normal noise for windows [start, end) of a batch of `count`, drawn from (seed, iteration, step). */
  private trainingNoise(count: number, step: number, start = 0, end = count): tf.Tensor4D {
    const [bars, pitches, channels] = noiseShape(this.config.baseWidth);
    const size = bars * pitches * channels;
    const values = truncatedNormal(createUniform(seedStream(this.config.seed, 'trainingNoise', this.iteration, step)), count * size);
    return tf.tensor4d(values.subarray(start * size, end * size), [end - start, bars, pitches, channels]);
  }

  /** With voice context, the hidden masks of windows [start, end) of a batch of `count`, drawn from (seed, iteration, step); else null. */
  private trainingHidden(count: number, step: number, start = 0, end = count): Uint8Array | null {
    if (!this.config.voiceContext) return null;
    const masks = trainingMasks(createUniform(seedStream(this.config.seed, 'voiceMask', this.iteration, step)), count);
    const size = WINDOW_STEPS * ACCOMPANIMENT_TRACKS;
    return masks.subarray(start * size, end * size);
  }

  private variablesOf(model: tf.LayersModel): tf.Variable[] {
    return model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  /**
   * One critic step on its own (not counted as an iteration): returns the critic loss, the Wasserstein
   * estimate and the penalty measured before the update. `step` picks the noise within the iteration.
   */
  async trainCriticStep(batch: TrainingWindows, step = 0): Promise<{ criticLoss: number; wasserstein: number; gradientPenalty: number }> {
    this.assertLive();
    const stats = this.criticStep(batch, step);
    try {
      const [criticLoss, wasserstein, gradientPenalty] = await stats.data();
      return { criticLoss, wasserstein, gradientPenalty };
    } finally {
      stats.dispose();
    }
  }

  /** One generator step on its own (not counted as an iteration); returns the generator loss (voice term included). */
  async trainGeneratorStep(batch: TrainingWindows, step = this.config.updateRatio): Promise<number> {
    this.assertLive();
    const loss = this.generatorStep(batch, step);
    try {
      return (await loss.data())[0];
    } finally {
      loss.dispose();
    }
  }

  /** Applies gradients in the fixed order of `variables`, which Adam's positional state relies on. */
  private apply(optimizer: tf.AdamOptimizer, variables: tf.Variable[], grads: tf.NamedTensorMap): void {
    const ordered = variables.map((v) => {
      const tensor = grads[v.name];
      if (!tensor) throw new Error(`internal: no gradient for ${v.name}`);
      return { name: v.name, tensor };
    });
    optimizer.applyGradients(ordered);
  }

  /** One critic step; returns [loss, wasserstein, penalty] as a tensor (read later, in one go). */
  private criticStep(batch: TrainingWindows, step: number): tf.Tensor {
    return tf.tidy(() => {
      const { start, end } = this.shareOf(batch.count);
      const { real, condition, input, hidden } = batchTensors(
        windowRange(batch, start, end),
        this.trainingHidden(batch.count, step, start, end),
      );
      const count = end - start;
      // This engine's part of each batch mean (1 unless it is one of several replicas).
      const share = count / batch.count;
      const noise = this.trainingNoise(batch.count, step, start, end);
      // Training mode as in the reference (batch statistics; the moving statistics follow along).
      const fake = completed(real, this.generator.apply([input, noise], { training: true }) as tf.Tensor4D, hidden);
      const mixUniform = createUniform(seedStream(this.config.seed, 'penaltyMix', this.iteration, step));
      const mix = tf.tensor4d(Float32Array.from({ length: batch.count }, () => mixUniform()).subarray(start, end), [count, 1, 1, 1]);
      const shared = (mean: tf.Scalar): tf.Scalar => (share === 1 ? mean : tf.mul(mean, share));
      const variables = this.variablesOf(this.critic);
      // The Wasserstein estimate and the penalty are computed inside the taped function; they are kept
      // out of its clean-up so they can be reported beside the loss.
      const side: { wasserstein?: tf.Scalar; penalty?: tf.Scalar } = {};
      try {
        const { value, grads } = tf.variableGrads(() => {
          // Real and fake windows in one batch: the critic scores each window on its own (no batch-wise
          // layer), and one call of twice the size keeps more cores busy than two calls.
          const scores = this.critic.apply([tf.concat([real, fake]), tf.concat([condition, condition])], { training: true }) as tf.Tensor;
          const realScore = tf.slice(scores, [0, 0], [count, -1]);
          const fakeScore = tf.slice(scores, [count, 0], [count, -1]);
          const wasserstein = tf.keep(shared(tf.sub(tf.mean(realScore), tf.mean(fakeScore)) as tf.Scalar));
          side.wasserstein = wasserstein;
          const penalty = tf.keep(shared(gradientPenalty(this.critic, real, fake, condition, mix)));
          side.penalty = penalty;
          return tf.add(tf.neg(wasserstein), tf.mul(this.config.gradientPenaltyWeight, penalty)) as tf.Scalar;
        }, variables);
        this.apply(this.criticOptimizer, variables, this.sharedGradients(variables, grads));
        return tf.stack([value, side.wasserstein as tf.Scalar, side.penalty as tf.Scalar]);
      } finally {
        tf.dispose([side.wasserstein, side.penalty].filter((t): t is tf.Scalar => t !== undefined));
      }
    });
  }

  /**
   * One generator step: loss -mean(C(fake)) + voiceLossWeight * voice term against the batch's real voices.
   * Returns [loss, voice term before weighting] as a tensor.
   */
  private generatorStep(batch: TrainingWindows, step: number): tf.Tensor {
    return tf.tidy(() => {
      const { start, end } = this.shareOf(batch.count);
      const allHidden = this.trainingHidden(batch.count, step);
      const size = WINDOW_STEPS * ACCOMPANIMENT_TRACKS;
      const { real, condition, input, hidden } = batchTensors(
        windowRange(batch, start, end),
        allHidden && allHidden.subarray(start * size, end * size),
      );
      const share = (end - start) / batch.count;
      // A replica divides its voice cross-entropy by the whole batch's cells, so the replicas' terms add up.
      const batchCells = this.collective ? soundingVoiceCells(batch, allHidden) : undefined;
      const noise = this.trainingNoise(batch.count, step, start, end);
      const variables = this.variablesOf(this.generator);
      const weight = this.config.voiceLossWeight;
      const side: { voice?: tf.Scalar } = {};
      try {
        const { value, grads } = tf.variableGrads(() => {
          const output = this.generator.apply([input, noise], { training: true }) as tf.Tensor4D;
          const fake = completed(real, output, hidden);
          const score = this.critic.apply([fake, condition], { training: true }) as tf.Tensor;
          const adversarial = (share === 1 ? tf.neg(tf.mean(score)) : tf.mul(tf.mean(score), -share)) as tf.Scalar;
          if (weight === 0) {
            side.voice = tf.keep(tf.scalar(0));
            return adversarial;
          }
          const voice = tf.keep(voicePitchLoss(output, real, batchCells, hidden));
          side.voice = voice;
          return tf.add(adversarial, tf.mul(weight, voice)) as tf.Scalar;
        }, variables);
        this.apply(this.generatorOptimizer, variables, this.sharedGradients(variables, grads));
        return tf.stack([value, side.voice as tf.Scalar]);
      } finally {
        if (side.voice) side.voice.dispose();
      }
    });
  }

  /**
   * Runs the generator (inference mode) on melody windows [n, 32, 128, 1] of -1/+1 with noise
   * [n, 2, 8, 8w]; returns the raw tanh outputs [n, 32, 128, 4].
   */
  async generateWindows(melody: Int8Array, noise: Float32Array): Promise<Float32Array> {
    this.assertLive();
    return generatorScores(this.generator, this.config.baseWidth, melody, noise);
  }

  /** The critic's score (inference mode) of each 4-track window [n, 32, 128, 4] of -1/+1, track 0 the melody. */
  async criticScores(windows: Int8Array): Promise<Float32Array> {
    this.assertLive();
    return criticScores(this.critic, windows);
  }

  /**
   * Accompanies a melody (track 0 of `melody`, any length, 16th-note grid) with alto, tenor and bass, as the
   * generation pipeline (generate/pipeline.ts) does with `options`; `seed` picks the variation, `lock` the cells of an
   * accompaniment to keep (infilling).
   */
  async accompany(
    melody: PianoRoll,
    seed: number,
    options: GenerationOptionsInput = {},
    lock: AccompanimentLock | null = null,
  ): Promise<PianoRoll> {
    return (await generate(this, melody, seed, options, { lock })).roll;
  }

  /** Accompaniments of fixed melodies with the same noise every time, so snapshots across epochs compare. */
  async snapshot(melodies: PianoRoll[], noiseSeed: number): Promise<PianoRoll[]> {
    const rolls: PianoRoll[] = [];
    for (const melody of melodies) rolls.push(await this.accompany(melody, noiseSeed));
    return rolls;
  }

  /**
   * Starts this engine from `source`'s weights (both networks; optimisers and counters stay this engine's). The base
   * widths must agree. A generator with voice context taking the weights of one without keeps the extra input planes
   * of its first convolution at zero, so it begins as `source` accompanying a bare melody. Throws a RangeError naming
   * the first weight that does not fit.
   */
  copyWeightsFrom(source: GanEngine): void {
    this.assertLive();
    if (source.config.baseWidth !== this.config.baseWidth) {
      throw new RangeError(`The model to start from has base width ${source.config.baseWidth}; this run's is ${this.config.baseWidth}.`);
    }
    for (const [to, from] of [
      [this.generator, source.generator],
      [this.critic, source.critic],
    ] as const) {
      const targets = to.weights;
      const sources = from.weights;
      targets.forEach((target, i) => {
        const value = sources[i].read();
        const [a, b] = [target.shape, value.shape];
        if (a.join() === b.join()) {
          target.write(value);
          return;
        }
        // Only the input planes of a 4-D kernel may grow: [kh, kw, in, out] with more inputs here.
        const widens = a.length === 4 && b.length === 4 && a[0] === b[0] && a[1] === b[1] && a[3] === b[3] && (a[2] ?? 0) > (b[2] ?? 0);
        if (!widens)
          throw new RangeError(`Weight ${target.originalName} is [${a.join(', ')}] here and [${b.join(', ')}] in the model to start from.`);
        target.write(
          tf.tidy(() =>
            tf.pad(value as tf.Tensor4D, [
              [0, 0],
              [0, 0],
              [0, (a[2] ?? 0) - (b[2] ?? 0)],
              [0, 0],
            ]),
          ),
        );
      });
    }
  }

  /** Both optimisers' state (Adam iteration count and moments), in a fixed order. */
  async optimizerWeights(): Promise<{ generator: NamedTensor[]; critic: NamedTensor[] }> {
    return { generator: await this.generatorOptimizer.getWeights(), critic: await this.criticOptimizer.getWeights() };
  }

  /** Restores both optimisers' state as `optimizerWeights` gave it, freeing the state it replaces. */
  async setOptimizerWeights(weights: { generator: NamedTensor[]; critic: NamedTensor[] }): Promise<void> {
    for (const [optimizer, state] of [
      [this.generatorOptimizer, weights.generator],
      [this.criticOptimizer, weights.critic],
    ] as const) {
      // Adam's setWeights makes new moment variables without disposing the old ones.
      const previous = await optimizer.getWeights();
      await optimizer.setWeights(state);
      tf.dispose(previous.map((named) => named.tensor));
    }
  }

  /** Frees every tensor the engine owns (weights and optimiser state). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generator.dispose();
    this.critic.dispose();
    this.styleCritic?.classifier.dispose();
    this.generatorOptimizer.dispose();
    this.criticOptimizer.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('This model has been disposed; load or create it again.');
  }
}

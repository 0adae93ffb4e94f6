/**
 * A small 1-D convolutional classifier of two-bar four-voice windows (src/music/criticWindows.ts): Bach's voices
 * (label 0) against a system's (label 1). Two users, each with a design of its own:
 * - the critic test of the evaluation (criticTest.ts, CRITIC_TEST_DESIGN), a fixed yardstick trained afresh on each
 *   system;
 * - the style critic (styleCritic.ts), fitted once on a model's own decoded candidates and kept with the model, which
 *   picks among the candidates of a generation the bars that read most like Bach.
 *
 * The network: convolutions along time, each with `filters` channels and a ReLU (the first usually kernel 1, a
 * per-step mixing of the input planes), then one logistic unit over the flattened features. Training: Adam at
 * `learningRate`, `epochs` passes over the windows in a seeded order, `batchSize` windows a step, the loss
 * weighted so that both labels count equally, every window transposed by a seeded whole number of semitones in
 * [-maxTransposition, maxTransposition] each pass (all voices together), so it learns voice leading and harmony
 * rather than keys. Deterministic for a seed and backend.
 */
import * as tf from '@tensorflow/tfjs';

import {
  CRITIC_WINDOW_STEPS,
  criticWindowStarts,
  viewChannels,
  voiceLines,
  writeWindowFeatures,
  type CriticView,
  type VoiceLines,
} from '../music/criticWindows';
import type { PianoRoll } from '../music/pianoRoll';
import { createUniform, seedStream, shuffledIndices, type Uniform } from '../music/random';

/** The architecture and schedule of a classifier. */
export interface WindowClassifierDesign {
  filters: number;
  /** Kernel width and stride of each convolution, in order. */
  layers: readonly { kernel: number; stride: number }[];
  learningRate: number;
  epochs: number;
  batchSize: number;
  maxTransposition: number;
}

/** One window of a chorale's voice lines: `CRITIC_WINDOW_STEPS` steps from `start`. */
export interface ClassifierWindow {
  lines: VoiceLines;
  start: number;
  /** 0 for Bach, 1 for the system. */
  label: number;
}

/** The windows a classifier reads of a four-voice roll (every bar where the soprano sounds), all with `label`. */
export function rollWindows(roll: PianoRoll, label: number): ClassifierWindow[] {
  const lines = voiceLines(roll);
  return criticWindowStarts(lines).map((start) => ({ lines, start, label }));
}

/** Windows per forward pass when scoring. */
const SCORING_BATCH = 256;

interface Layer<T> {
  kernel: T;
  bias: T;
}

/** The network's weights, as variables while it trains and reads. */
interface Params {
  conv: Layer<tf.Variable>[];
  dense: Layer<tf.Variable>;
}

/** A classifier's weights as plain arrays (for a model file): each layer's kernel and bias, convolutions then the dense unit. */
export interface ClassifierWeights {
  shapes: number[][];
  values: Float32Array[];
}

/** Glorot-uniform weights drawn from the seeded stream, one draw per layer. */
function glorot(shape: number[], fanIn: number, fanOut: number, uniform: Uniform): tf.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = (uniform() * 2 - 1) * limit;
  return variableOf(tf.tensor(values, shape));
}

/** A variable holding `initial`'s values; `initial` itself is disposed (a variable keeps its own reference). */
function variableOf(initial: tf.Tensor): tf.Variable {
  const variable = tf.variable(initial);
  initial.dispose();
  return variable;
}

/** The shapes of a design's weights for `channels` input planes, kernel then bias per layer. */
export function classifierShapes(design: WindowClassifierDesign, channels: number): number[][] {
  const { filters, layers } = design;
  const steps = layers.reduce((n, { stride }) => Math.ceil(n / stride), CRITIC_WINDOW_STEPS);
  return [
    ...layers.flatMap(({ kernel }, layer) => [[kernel, layer === 0 ? channels : filters, filters], [filters]]),
    [steps * filters, 1],
    [1],
  ];
}

/** A two-bar window classifier of one design and view. */
export class WindowClassifier {
  private constructor(
    readonly design: WindowClassifierDesign,
    readonly view: CriticView,
    private readonly params: Params,
  ) {}

  /** Fresh Glorot-uniform weights drawn for `seed`. */
  static initial(design: WindowClassifierDesign, view: CriticView, seed: number): WindowClassifier {
    const { filters, layers } = design;
    const channels = viewChannels(view);
    const conv = layers.map(({ kernel }, layer) => ({
      kernel: glorot(
        [kernel, layer === 0 ? channels : filters, filters],
        kernel * (layer === 0 ? channels : filters),
        kernel * filters,
        createUniform(seedStream(seed, 'criticTestWeights', layer)),
      ),
      bias: variableOf(tf.zeros([filters])),
    }));
    const steps = layers.reduce((n, { stride }) => Math.ceil(n / stride), CRITIC_WINDOW_STEPS);
    const flat = steps * filters;
    const dense = {
      kernel: glorot([flat, 1], flat, 1, createUniform(seedStream(seed, 'criticTestWeights', conv.length))),
      bias: variableOf(tf.zeros([1])),
    };
    return new WindowClassifier(design, view, { conv, dense });
  }

  /** A classifier with the given weights (checked against the design's shapes). */
  static fromWeights(design: WindowClassifierDesign, view: CriticView, weights: ClassifierWeights): WindowClassifier {
    const shapes = classifierShapes(design, viewChannels(view));
    if (weights.values.length !== shapes.length)
      throw new RangeError(`expected ${shapes.length} weight arrays, got ${weights.values.length}`);
    const variables = shapes.map((shape, i) => {
      const size = shape.reduce((a, b) => a * b, 1);
      if (weights.values[i].length !== size)
        throw new RangeError(`weight ${i} has ${weights.values[i].length} values, its shape [${shape}] needs ${size}`);
      return variableOf(tf.tensor(weights.values[i], shape));
    });
    const conv = design.layers.map((_, i) => ({ kernel: variables[2 * i], bias: variables[2 * i + 1] }));
    const dense = { kernel: variables[variables.length - 2], bias: variables[variables.length - 1] };
    return new WindowClassifier(design, view, { conv, dense });
  }

  private variables(): tf.Variable[] {
    return [...this.params.conv, this.params.dense].flatMap((l) => [l.kernel, l.bias]);
  }

  /** The weights as plain arrays. */
  async weights(): Promise<ClassifierWeights> {
    const variables = this.variables();
    return {
      shapes: variables.map((v) => v.shape),
      values: await Promise.all(variables.map(async (v) => (await v.data()) as Float32Array)),
    };
  }

  /** The logits of a batch of windows [n, steps, channels]: one number per window, above 0 for "the system". */
  private logits(x: tf.Tensor3D): tf.Tensor1D {
    let h: tf.Tensor3D = x;
    this.params.conv.forEach((layer, i) => {
      const { stride } = this.design.layers[i];
      h = tf.relu(tf.add(tf.conv1d(h, layer.kernel as tf.Tensor3D, stride, 'same'), layer.bias)) as tf.Tensor3D;
    });
    const flat = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
    return tf.reshape(tf.add(tf.matMul(flat, this.params.dense.kernel as tf.Tensor2D), this.params.dense.bias), [-1]);
  }

  /** The feature planes of `windows[order[from..to)]`, each transposed by `shifts[k]` (or not at all). */
  private batchOf(
    windows: readonly ClassifierWindow[],
    order: ArrayLike<number>,
    from: number,
    to: number,
    shifts?: Int8Array,
  ): tf.Tensor3D {
    const channels = viewChannels(this.view);
    const size = CRITIC_WINDOW_STEPS * channels;
    const data = new Float32Array((to - from) * size);
    for (let k = from; k < to; k++) {
      const w = windows[order[k]];
      writeWindowFeatures(w.lines, w.start, this.view, shifts ? shifts[k] : 0, data, (k - from) * size);
    }
    return tf.tensor3d(data, [to - from, CRITIC_WINDOW_STEPS, channels]);
  }

  /** Trains on `train` for `epochs` passes (default the design's), in the order and transpositions drawn for `seed`. */
  async train(train: readonly ClassifierWindow[], seed: number, epochs = this.design.epochs): Promise<void> {
    const { batchSize, learningRate, maxTransposition } = this.design;
    const optimizer = tf.train.adam(learningRate);
    const variables = this.variables();
    const systemCount = train.filter((w) => w.label === 1).length;
    const bachCount = train.length - systemCount;
    if (systemCount === 0 || bachCount === 0) throw new RangeError('the classifier needs training windows of both Bach and the system');
    // Each side weighs half of the loss whatever its number of windows.
    const sideWeight = [train.length / (2 * bachCount), train.length / (2 * systemCount)];
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        const order = shuffledIndices(train.length, createUniform(seedStream(seed, 'criticTestOrder', epoch)));
        const transpose = createUniform(seedStream(seed, 'criticTestTransposition', epoch));
        const shifts = new Int8Array(train.length);
        for (let k = 0; k < train.length; k++) shifts[k] = Math.floor(transpose() * (2 * maxTransposition + 1)) - maxTransposition;
        for (let from = 0; from < train.length; from += batchSize) {
          const to = Math.min(train.length, from + batchSize);
          const labels = new Float32Array(to - from);
          const weights = new Float32Array(to - from);
          for (let k = from; k < to; k++) {
            labels[k - from] = train[order[k]].label;
            weights[k - from] = sideWeight[train[order[k]].label];
          }
          tf.tidy(() => {
            const x = this.batchOf(train, order, from, to, shifts);
            const y = tf.tensor1d(labels);
            const w = tf.tensor1d(weights);
            optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, this.logits(x), w) as tf.Scalar, false, variables);
          });
        }
        // Lets other work (a worker's messages, timers) run between passes.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    } finally {
      optimizer.dispose();
    }
  }

  /** The probability of "the system" for each window, as read (no transposition). */
  async scores(windows: readonly ClassifierWindow[]): Promise<Float32Array> {
    const scores = new Float32Array(windows.length);
    const identity = Array.from(windows.keys());
    for (let from = 0; from < windows.length; from += SCORING_BATCH) {
      const to = Math.min(windows.length, from + SCORING_BATCH);
      const batch = tf.tidy(() => tf.sigmoid(this.logits(this.batchOf(windows, identity, from, to))));
      scores.set(await batch.data(), from);
      batch.dispose();
    }
    return scores;
  }

  dispose(): void {
    for (const variable of this.variables()) variable.dispose();
  }
}

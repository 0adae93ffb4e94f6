/**
 * The generator (a U-Net) and the critic of AWS DeepComposer's accompaniment GAN, as TensorFlow.js
 * functional models (they serialise with their topology). Sizes scale with the base width `w`;
 * w = 64 is the reference model (generator 8,273,540 parameters, 2,688 of them batch-norm moving
 * statistics; critic 2,766,785).
 */
import * as tf from '@tensorflow/tfjs';
import { MODEL_WIDTHS } from '../music/constants';
import { MODEL_TRACKS, PITCHES, WINDOW_STEPS } from '../music/pianoRoll';
import { mixSeed, seedStream } from '../music/random';

/**
 * Scale from the generator's tanh output to pitch logits: a voice's scores span [-1, 1], so a softmax over
 * them alone could never be confident; times 5, one pitch can take almost all the probability.
 */
export const VOICE_LOGIT_SCALE = 5;

/** Every convolution is 4x4, as in the reference. */
const KERNEL_SIZE = 4;
/** LeakyReLU slope of the reference's encoder and critic. */
const LEAKY_SLOPE = 0.2;
/** Keras momentum of the reference's batch norms: moving = 0.8 * moving + 0.2 * batch. */
const BATCH_NORM_MOMENTUM = 0.8;
/** Four stride-2 stages shrink 32 x 128 to this bottleneck grid: one time position per bar. */
export const BOTTLENECK_STEPS = WINDOW_STEPS / 16;
export const BOTTLENECK_PITCHES = PITCHES / 16;

function checkWidth(width: number): void {
  if (!(MODEL_WIDTHS as readonly number[]).includes(width)) {
    throw new RangeError(`base width must be one of ${MODEL_WIDTHS.join(', ')}, got ${width}`);
  }
}

/** The noise shape one window needs: [bars, pitch blocks, channels] = [2, 8, 8 * width]. */
export function noiseShape(width: number): [number, number, number] {
  checkWidth(width);
  return [BOTTLENECK_STEPS, BOTTLENECK_PITCHES, 8 * width];
}

/** Seeded initialisers, one seed per layer so layers of equal shape start differently. */
class Initialisers {
  private layer = 0;
  constructor(private readonly seed: number) {}
  next(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform({ seed: mixSeed(this.seed, this.layer++) });
  }
}

function conv(
  init: Initialisers,
  name: string,
  filters: number,
  strides: number,
  activation: 'linear' | 'tanh' = 'linear',
): tf.layers.Layer {
  return tf.layers.conv2d({
    name,
    filters,
    kernelSize: KERNEL_SIZE,
    strides,
    padding: 'same',
    activation,
    kernelInitializer: init.next(),
    biasInitializer: 'zeros',
  });
}

function batchNorm(name: string): tf.layers.Layer {
  return tf.layers.batchNormalization({ name, momentum: BATCH_NORM_MOMENTUM });
}

const apply = (layer: tf.layers.Layer, input: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor =>
  layer.apply(input) as tf.SymbolicTensor;

/**
 * The U-Net generator: inputs `melody` [B, 32, 128, C] and `noise` [B, 2, 8, 8w], output [B, 32, 128, 4]
 * in (-1, 1) through tanh. C is 1 (the melody alone, the reference's) or, for a model with voice context,
 * CONTEXT_CHANNELS (the melody, then the voices it is given and which of their steps are hidden: voiceContext.ts).
 */
export function buildGenerator(width: number, seed: number, inputChannels = 1): tf.LayersModel {
  checkWidth(width);
  const init = new Initialisers(seedStream(seed, 'generatorWeights'));
  const melody = tf.input({ name: 'melody', shape: [WINDOW_STEPS, PITCHES, inputChannels] });
  const noise = tf.input({ name: 'noise', shape: noiseShape(width) });

  const down = (input: tf.SymbolicTensor, stage: number, filters: number, withNorm: boolean): tf.SymbolicTensor => {
    let x = apply(conv(init, `d${stage}_conv`, filters, 2), input);
    x = apply(tf.layers.leakyReLU({ name: `d${stage}_leaky`, alpha: LEAKY_SLOPE }), x);
    return withNorm ? apply(batchNorm(`d${stage}_norm`), x) : x;
  };
  const up = (input: tf.SymbolicTensor, stage: number, filters: number, skip: tf.SymbolicTensor): tf.SymbolicTensor => {
    let x = apply(tf.layers.upSampling2d({ name: `u${stage}_up`, size: [2, 2] }), input);
    x = apply(conv(init, `u${stage}_conv`, filters, 1), x);
    x = apply(batchNorm(`u${stage}_norm`), x);
    x = apply(tf.layers.reLU({ name: `u${stage}_relu` }), x);
    return apply(tf.layers.concatenate({ name: `u${stage}_skip` }), [x, skip]);
  };

  const d1 = down(melody, 1, width, false);
  const d2 = down(d1, 2, 2 * width, true);
  const d3 = down(d2, 3, 4 * width, true);
  const d4 = down(d3, 4, 8 * width, true);
  const bottleneck = apply(tf.layers.concatenate({ name: 'bottleneck' }), [d4, noise]);
  const u4 = up(bottleneck, 4, 4 * width, d3);
  const u5 = up(u4, 5, 2 * width, d2);
  const u6 = up(u5, 6, width, d1);
  const u7 = apply(tf.layers.upSampling2d({ name: 'u7_up', size: [2, 2] }), u6);
  const output = apply(conv(init, 'out_conv', MODEL_TRACKS, 1, 'tanh'), u7);
  return tf.model({ name: 'generator', inputs: [melody, noise], outputs: output });
}

/**
 * The critic: inputs `roll` [B, 32, 128, 4] and `condition` [B, 32, 128, 1], concatenated to 5 channels,
 * four stride-2 convolutions with LeakyReLU and no normalisation (the gradient penalty needs per-sample
 * independence), then one linear unit.
 */
export function buildCritic(width: number, seed: number): tf.LayersModel {
  checkWidth(width);
  const init = new Initialisers(seedStream(seed, 'criticWeights'));
  const roll = tf.input({ name: 'roll', shape: [WINDOW_STEPS, PITCHES, MODEL_TRACKS] });
  const condition = tf.input({ name: 'condition', shape: [WINDOW_STEPS, PITCHES, 1] });
  let x = apply(tf.layers.concatenate({ name: 'joined' }), [roll, condition]);
  [width, 2 * width, 4 * width, 8 * width].forEach((filters, i) => {
    x = apply(conv(init, `c${i + 1}_conv`, filters, 2), x);
    x = apply(tf.layers.leakyReLU({ name: `c${i + 1}_leaky`, alpha: LEAKY_SLOPE }), x);
  });
  x = apply(tf.layers.flatten({ name: 'flat' }), x);
  const score = apply(tf.layers.dense({ name: 'score', units: 1, kernelInitializer: init.next(), biasInitializer: 'zeros' }), x);
  return tf.model({ name: 'critic', inputs: [roll, condition], outputs: score });
}

/** Trainable and non-trainable parameter counts of a model. */
export function countParameters(model: tf.LayersModel): { total: number; nonTrainable: number } {
  const size = (weights: tf.LayerVariable[]) =>
    weights.reduce((sum, w) => sum + w.shape.reduce((a: number, b: number | null) => a * (b ?? 1), 1), 0);
  const nonTrainable = size(model.nonTrainableWeights);
  return { total: size(model.trainableWeights) + nonTrainable, nonTrainable };
}

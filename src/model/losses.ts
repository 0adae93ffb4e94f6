/**
 * The generator's losses beyond the adversarial one, and the figures one training iteration reports.
 */
import * as tf from '@tensorflow/tfjs';
import { MODEL_TRACKS, PITCHES, type TrainingWindows } from '../music/pianoRoll';
import { VOICE_LOGIT_SCALE } from './networks';

/** The losses of one iteration, as plain numbers. Critic figures are means over the iteration's critic steps. */
export interface IterationLosses {
  criticLoss: number;
  generatorLoss: number;
  /** The critic's Wasserstein estimate: mean(C(real)) - mean(C(fake)). */
  wasserstein: number;
  /** The gradient penalty before weighting. */
  gradientPenalty: number;
  /** The generator's voice term before weighting (see `voicePitchLoss`); part of `generatorLoss`. */
  voiceLoss: number;
}

/**
 * The voice term of the generator's loss: for each accompaniment track (1..3) and step where the real voice
 * sounds, the cross-entropy between softmax(VOICE_LOGIT_SCALE * output) over the 128 pitches and the real
 * pitch (several sounding pitches share the target equally), averaged over those (window, step, voice)
 * cells; with `hidden` ([n, steps, 3, 1], voice context), over the hidden ones only. A plain L1 term on the -1/+1
 * roll would reward "silent everywhere"; this asks which pitch to sing.
 */
export function voicePitchLoss(fake: tf.Tensor4D, real: tf.Tensor4D, batchCells?: number, hidden: tf.Tensor4D | null = null): tf.Scalar {
  return tf.tidy(() => {
    const voices = MODEL_TRACKS - 1;
    // [n, steps, voices, pitches]: a softmax over pitches along the last axis.
    const logits = tf.mul(tf.transpose(tf.slice(fake, [0, 0, 0, 1], [-1, -1, -1, voices]), [0, 1, 3, 2]), VOICE_LOGIT_SCALE);
    const all = tf.transpose(tf.div(tf.add(tf.slice(real, [0, 0, 0, 1], [-1, -1, -1, voices]), 1), 2), [0, 1, 3, 2]);
    // With voice context only the hidden (window, step, voice) cells count: the given ones are the input.
    const sounding = hidden ? tf.mul(all, hidden) : all;
    const count = tf.sum(sounding, -1, true);
    const target = tf.div(sounding, tf.maximum(count, 1));
    const crossEntropy = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), -1));
    // A share of a batch split between replicas divides by the whole batch's cells (batchCells).
    const cells = batchCells === undefined ? tf.sum(tf.minimum(count, 1)) : tf.scalar(batchCells);
    return tf.div(tf.sum(crossEntropy), tf.maximum(cells, 1)) as tf.Scalar;
  });
}

/**
 * The (window, step, voice) cells of a batch's accompaniment tracks (1..3) where the voice sounds (and, given the
 * windows' hidden masks [count x steps x 3] of voice context, is hidden): voicePitchLoss's divisor.
 */
export function soundingVoiceCells(batch: TrainingWindows, hidden: Uint8Array | null = null): number {
  const rowSize = PITCHES * batch.tracks;
  let cells = 0;
  for (let row = 0; row < batch.count * batch.steps; row++) {
    for (let track = 1; track < batch.tracks; track++) {
      if (hidden && !hidden[row * (batch.tracks - 1) + track - 1]) continue;
      for (let pitch = 0; pitch < PITCHES; pitch++) {
        if (batch.data[row * rowSize + pitch * batch.tracks + track] > 0) {
          cells++;
          break;
        }
      }
    }
  }
  return cells;
}

/**
 * Held-out windows: a few training windows kept out of training, on which the generator itself is measured at
 * each epoch's end, before any decoding (src/model/heldOut.ts runs it). The decoded accompaniment cannot show
 * rests or a voice singing two pitches (the chorale decoding rules both out), so these measures read the
 * network's raw scores; the same measures of the windows' real voices are their reference.
 */
import { estimateRollKey, scaleMask } from './keys';
import { computeMetrics, meanOf, tally } from './metrics';
import { PITCHES, type PianoRoll, type TrainingWindows } from './pianoRoll';
import { windowToRoll } from './windows';

/** Most windows held out of a data set. */
export const HELD_OUT_WINDOWS = 16;
/** One window in this many is held out (up to HELD_OUT_WINDOWS), so a small data set keeps nearly all for training. */
export const HELD_OUT_SHARE = 10;

/** What the generator does on held-out windows, before any decoding. */
export interface NetworkMeasures {
  /** The generator's voice term (voicePitchLoss, in nats) on the held-out windows: lower is better. */
  voiceCrossEntropy: number;
  /**
   * Share of (window, step, voice) cells where the real voice sounds whose best-scoring pitch (the argmax of the raw
   * scores) is in the key of the window's melody.
   */
  inKeyRate: number;
  /** The raw scores thresholded at 0 (the 'chords' decoding): (step, voice) pairs under a sounding melody with no pitch on. */
  restRate: number;
  /** The raw scores thresholded at 0: (step, voice) pairs with two or more pitches on. */
  polyphonicRate: number;
}

/** The measures of the held-out windows' real voices (the cross-entropy has no counterpart there). */
export type HeldOutReference = Omit<NetworkMeasures, 'voiceCrossEntropy'>;

/** The held-out measures of one epoch: the network's and the real voices'. */
export interface HeldOutMeasures {
  /** Windows measured. */
  windows: number;
  network: NetworkMeasures;
  reference: HeldOutReference;
}

/** Windows held out of a data set of `count` windows. */
export function heldOutCount(count: number): number {
  return Math.min(HELD_OUT_WINDOWS, Math.floor(count / HELD_OUT_SHARE));
}

/** Windows [start, end) of `data`, sharing its buffer. */
export function windowRange(data: TrainingWindows, start: number, end: number): TrainingWindows {
  const size = data.steps * PITCHES * data.tracks;
  return { ...data, count: end - start, data: data.data.subarray(start * size, end * size) };
}

/**
 * The windows trained on and the held-out ones: the last `heldOutCount` windows, one block. Windows come piece by
 * piece, so the block is the end of the last piece (or pieces); only the hop before its first window is also
 * heard in training. `heldOut` is null when the data set is too small to spare a window.
 */
export function splitHeldOut(data: TrainingWindows): { training: TrainingWindows; heldOut: TrainingWindows | null } {
  const held = heldOutCount(data.count);
  if (held === 0) return { training: data, heldOut: null };
  return { training: windowRange(data, 0, data.count - held), heldOut: windowRange(data, data.count - held, data.count) };
}

/**
 * The measures but the cross-entropy of `scores` ([n, steps, 128, tracks] like the windows, tracks 1.. the voices)
 * on `windows`. Given the windows' own -1/+1 values as scores, they measure the real voices (the reference).
 */
export function scoreMeasures(windows: TrainingWindows, scores: ArrayLike<number>): HeldOutReference {
  const { count, steps, tracks } = windows;
  if (scores.length !== windows.data.length) {
    throw new RangeError(
      `scores must hold ${windows.data.length} values (${count} windows of ${steps} x ${PITCHES} x ${tracks}), got ${scores.length}`,
    );
  }
  const inKey = tally();
  const thresholded: PianoRoll[] = [];
  for (let w = 0; w < count; w++) {
    const roll = windowToRoll(windows, w);
    const key = estimateRollKey(roll, [0]);
    const mask = key ? scaleMask(key) : 0;
    for (let step = 0; step < steps; step++) {
      const row = (w * steps + step) * PITCHES;
      for (let voice = 1; voice < tracks; voice++) {
        let sounds = false;
        let best = 0;
        for (let pitch = 0; pitch < PITCHES; pitch++) {
          const cell = (row + pitch) * tracks + voice;
          if (windows.data[cell] > 0) sounds = true;
          if (scores[cell] > scores[(row + best) * tracks + voice]) best = pitch;
          // The real voice's cells give way to the scores thresholded at 0.
          roll.active[(step * PITCHES + pitch) * tracks + voice] = scores[cell] > 0 ? 1 : 0;
        }
        if (!sounds || !key) continue;
        inKey.count++;
        if (mask & (1 << (best % 12))) inKey.sum++;
      }
    }
    thresholded.push(roll);
  }
  const metrics = computeMetrics(thresholded);
  return { inKeyRate: meanOf(inKey), restRate: metrics.voiceRestRate, polyphonicRate: metrics.polyphonicRate };
}

/** The reference: `scoreMeasures` of the windows' real voices. */
export function heldOutReference(windows: TrainingWindows): HeldOutReference {
  return scoreMeasures(windows, windows.data);
}

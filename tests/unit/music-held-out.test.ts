import { describe, expect, it } from 'vitest';
import { HELD_OUT_SHARE, HELD_OUT_WINDOWS, heldOutCount, heldOutReference, scoreMeasures, splitHeldOut } from '../../src/music/heldOut';
import { PITCHES, WINDOW_STEPS, type TrainingWindows } from '../../src/music/pianoRoll';

const TRACKS = 4;
const cell = (w: number, step: number, pitch: number, track: number) => ((w * WINDOW_STEPS + step) * PITCHES + pitch) * TRACKS + track;

/** `count` windows, each window's cells numbered by its index in track 0 of pitch 0 so the split can be followed. */
function numberedWindows(count: number): TrainingWindows {
  const data = new Int8Array(count * WINDOW_STEPS * PITCHES * TRACKS).fill(-1);
  for (let w = 0; w < count; w++) data[cell(w, 0, 0, 0)] = (w % 100) as number;
  return { count, steps: WINDOW_STEPS, tracks: TRACKS, data, trackNames: ['soprano', 'alto', 'tenor', 'bass'] };
}

/**
 * One window in C major: the melody C5 E5 G5 C5 (8 steps each); the alto sings E4 throughout, the tenor G3 for the
 * first half and rests after, the bass C3 throughout.
 */
function cMajorWindow(): TrainingWindows {
  const data = new Int8Array(WINDOW_STEPS * PITCHES * TRACKS).fill(-1);
  const melody = [72, 76, 79, 72];
  for (let step = 0; step < WINDOW_STEPS; step++) {
    data[cell(0, step, melody[Math.floor(step / 8)], 0)] = 1;
    data[cell(0, step, 64, 1)] = 1;
    if (step < 16) data[cell(0, step, 55, 2)] = 1;
    data[cell(0, step, 48, 3)] = 1;
  }
  return { count: 1, steps: WINDOW_STEPS, tracks: TRACKS, data, trackNames: ['soprano', 'alto', 'tenor', 'bass'] };
}

describe('held-out windows', () => {
  it('hold out one window in ten, at most HELD_OUT_WINDOWS, and none from a data set under ten', () => {
    expect(heldOutCount(HELD_OUT_SHARE - 1)).toBe(0);
    expect(heldOutCount(HELD_OUT_SHARE)).toBe(1);
    expect(heldOutCount(25)).toBe(2);
    expect(heldOutCount(10_000)).toBe(HELD_OUT_WINDOWS);
    const small = numberedWindows(4);
    expect(splitHeldOut(small)).toEqual({ training: small, heldOut: null });
  });

  it('are the last windows of the data set, one block, and the rest is trained on', () => {
    const data = numberedWindows(25);
    const { training, heldOut } = splitHeldOut(data);
    expect(training.count).toBe(23);
    expect(heldOut?.count).toBe(2);
    const size = WINDOW_STEPS * PITCHES * TRACKS;
    expect(training.data.length).toBe(23 * size);
    expect(heldOut!.data.length).toBe(2 * size);
    expect([heldOut!.data[0], heldOut!.data[size]]).toEqual([23, 24]);
    expect(training.data[22 * size]).toBe(22);
    expect(heldOut!.trackNames).toEqual(data.trackNames);
  });
});

describe('the measures of raw scores', () => {
  it('read the real voices as the reference: every pitch in key, the tenor resting half the time, no polyphony', () => {
    const windows = cMajorWindow();
    // Rests: the tenor is silent at 16 of the 32 steps under the melody, of 3 x 32 (step, voice) pairs.
    expect(heldOutReference(windows)).toEqual({ inKeyRate: 1, restRate: 16 / 96, polyphonicRate: 0 });
  });

  it('take the best-scoring pitch per voice where the real voice sounds, and threshold the scores at 0', () => {
    const windows = cMajorWindow();
    // Every score below 0 but the ones set: no pitch above 0 is a rest, whatever the best pitch.
    const scores = new Float32Array(windows.data.length).fill(-0.9);
    for (let step = 0; step < WINDOW_STEPS; step++) {
      // Alto: best pitch F#4 (out of C major), above 0.
      scores[cell(0, step, 66, 1)] = 0.5;
      // Tenor: best pitch G3 (in key) but below 0: a rest in the raw output.
      scores[cell(0, step, 55, 2)] = -0.1;
      // Bass: C3 and G2 above 0 (polyphony), C3 the best.
      scores[cell(0, step, 48, 3)] = 0.8;
      scores[cell(0, step, 43, 3)] = 0.3;
    }
    // Counted cells: alto 32, tenor 16 (where the real tenor sounds), bass 32; in key: tenor 16 + bass 32.
    expect(scoreMeasures(windows, scores)).toEqual({
      inKeyRate: 48 / 80,
      // The tenor rests at all 32 melody steps: 32 of 96.
      restRate: 32 / 96,
      // The bass sounds two pitches at every step: 32 of 3 x 32 (step, voice) pairs.
      polyphonicRate: 32 / 96,
    });
  });

  it('refuse scores of another shape', () => {
    expect(() => scoreMeasures(cMajorWindow(), new Float32Array(10))).toThrow(RangeError);
  });
});

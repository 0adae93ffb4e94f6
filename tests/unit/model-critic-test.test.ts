/**
 * The critic test's classifier (src/model/criticTest.ts) on small real data: it cannot tell Bach from Bach, it
 * always tells the octave-doubling baseline, the same seed gives the same reading, and no tensor is left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { areaUnderCurve, CRITIC_CHECK_DESIGN, criticTest, type CriticTestSample } from '../../src/model/criticTest';
import { startWasmBackendInNode } from '../../src/model/wasm/node';
import { octaveDoubling } from '../../src/music/baselines';
import { jsbChoraleToRoll } from '../../src/music/jsb';
import { selectTracks, type PianoRoll } from '../../src/music/pianoRoll';
import { jsbDataset } from './music-fixtures';

let train: PianoRoll[] = [];
let valid: PianoRoll[] = [];

/** Bach's chorales against the octave-doubling baseline under the same sopranos. */
function doubling(rolls: PianoRoll[]): CriticTestSample {
  return { bach: rolls, system: rolls.map((r) => octaveDoubling(selectTracks(r, [0]))) };
}

describe('the critic test', () => {
  beforeAll(async () => {
    await startWasmBackendInNode();
    const data = jsbDataset();
    train = data.train.slice(0, 48).map((c) => jsbChoraleToRoll(c));
    valid = data.valid.slice(0, 24).map((c) => jsbChoraleToRoll(c));
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('cannot tell Bach from Bach: two disjoint halves of the chorales read near 0.5', async () => {
    const halves = (rolls: PianoRoll[]): CriticTestSample => ({
      bach: rolls.filter((_, i) => i % 2 === 0),
      system: rolls.filter((_, i) => i % 2 === 1),
    });
    const result = await criticTest(halves(train), halves(valid), { seed: 3, epochs: 3 });
    console.log('Bach against Bach', JSON.stringify(result));
    expect(Math.abs(result.window_accuracy - 0.5)).toBeLessThan(0.15);
    expect(Math.abs(result.auc - 0.5)).toBeLessThan(0.15);
    // So does the second design the evaluation reads the model with, and it is another network: another reading.
    const check = await criticTest(halves(train), halves(valid), { seed: 3, epochs: 3, design: CRITIC_CHECK_DESIGN });
    expect(Math.abs(check.window_accuracy - 0.5)).toBeLessThan(0.15);
    expect(check.auc).not.toBe(result.auc);
  });

  it('always tells the octave doubling from Bach, and reads the same twice with one seed, leaking no tensor', async () => {
    const before = tf.memory().numTensors;
    const first = await criticTest(doubling(train.slice(0, 24)), doubling(valid.slice(0, 12)), { seed: 5, epochs: 3 });
    expect(tf.memory().numTensors).toBe(before);
    console.log('Bach against octave doubling', JSON.stringify(first));
    expect(first.window_accuracy).toBeGreaterThanOrEqual(0.9);
    expect(first.auc).toBeGreaterThanOrEqual(0.95);
    expect(first.chorale_accuracy).toBeGreaterThanOrEqual(0.9);
    const second = await criticTest(doubling(train.slice(0, 24)), doubling(valid.slice(0, 12)), { seed: 5, epochs: 3 });
    expect(second).toEqual(first);
    // The second design, as the evaluation reads the model with it, tells the doubling too, and reads differently.
    const check = await criticTest(doubling(train.slice(0, 24)), doubling(valid.slice(0, 12)), {
      seed: 5,
      epochs: 3,
      design: CRITIC_CHECK_DESIGN,
    });
    expect(check.window_accuracy).toBeGreaterThanOrEqual(0.9);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('sees what a restricted view shows: the rhythm of a doubling that only ever moves with the soprano', async () => {
    // The doubling's voices start every note with the soprano, which Bach's seldom do; the rhythm view sees it.
    const result = await criticTest(doubling(train.slice(0, 16)), doubling(valid.slice(0, 12)), {
      seed: 5,
      epochs: 2,
      view: 'rhythm',
    });
    expect(result.window_accuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('refuses a sample without one of its sides', async () => {
    await expect(criticTest({ bach: train.slice(0, 2), system: [] }, doubling(valid.slice(0, 2)), { epochs: 1 })).rejects.toThrow(
      /both Bach and the system/,
    );
    await expect(criticTest(doubling(train.slice(0, 2)), doubling(valid.slice(0, 2)), { epochs: 0 })).rejects.toThrow(RangeError);
  });
});

describe('areaUnderCurve', () => {
  it('is 1 for perfectly ranked scores, 0 for reversed ones, 0.5 for ties, and counts a tie as one half', () => {
    expect(areaUnderCurve([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(areaUnderCurve([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(areaUnderCurve([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    // Pairs (positive, negative): (0.6 vs 0.3) win, (0.6 vs 0.6) tie, (0.2 vs 0.3) loss, (0.2 vs 0.6) loss.
    expect(areaUnderCurve([0.3, 0.6, 0.6, 0.2], [0, 0, 1, 1])).toBeCloseTo(1.5 / 4, 12);
    expect(areaUnderCurve([0.3, 0.6], [0, 0])).toBeNaN();
  });
});

import { describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../../src/music/errors';
import {
  firstFullChordStep,
  jsbChoraleToRoll,
  jsbToTrainingWindows,
  parseJsbDataset,
  parseJsbJson,
  type JsbChorale,
} from '../../src/music/jsb';
import { trackNotes } from '../../src/music/notes';
import { VOICE_LABELS } from '../../src/music/voices';
import { jsbDataset } from './music-fixtures';

const CELLS = 32 * 128 * 4;

/** The soprano pitch a window holds at a step (-1 if silent), read straight from the -1/+1 values. */
function sopranoAt(data: Int8Array, w: number, step: number): number {
  for (let p = 0; p < 128; p++) if (data[w * CELLS + (step * 128 + p) * 4] === 1) return p;
  return -1;
}

describe('the JSB loader on the real data', () => {
  it('reads both splits', () => {
    expect(jsbDataset().train).toHaveLength(229);
    expect(jsbDataset().valid).toHaveLength(76);
    expect(jsbDataset().test).toEqual([]);
  });

  it("gives DeepComposer's 229 samples in firstWindowOnly mode, with the soprano as condition", () => {
    const windows = jsbToTrainingWindows(jsbDataset().train, { firstWindowOnly: true });
    expect(windows.count).toBe(229);
    expect([windows.steps, windows.tracks]).toEqual([32, 4]);
    expect(windows.data.length).toBe(229 * CELLS);
    expect(new Set(windows.data)).toEqual(new Set([-1, 1]));
    expect(windows.trackNames).toEqual([...VOICE_LABELS]);
    jsbDataset().train.forEach((chorale, w) => {
      const start = firstFullChordStep(chorale)!;
      for (let step = 0; step < 32; step++) expect(sopranoAt(windows.data, w, step)).toBe(chorale[start + step][0]);
    });
  });

  it('cuts every chorale into 2-bar windows one bar apart at default settings', () => {
    const windows = jsbToTrainingWindows(jsbDataset().train);
    // Expected count worked out from the chorales directly: whole windows from the first full chord.
    let expected = 0;
    const origins: Array<[JsbChorale, number]> = [];
    for (const c of jsbDataset().train) {
      const start = firstFullChordStep(c)!;
      for (let s = start; s + 32 <= c.length; s += 16) {
        if (c.slice(s, s + 32).some((step) => step[0] >= 0)) {
          expected++;
          origins.push([c, s]);
        }
      }
    }
    expect(windows.count).toBe(expected);
    expect(windows.data.length).toBe(expected * CELLS);
    expect(new Set(windows.data)).toEqual(new Set([-1, 1]));
    // Every voice of every step of a sample of windows matches the chorale.
    for (let w = 0; w < windows.count; w += 97) {
      const [c, s] = origins[w];
      for (let step = 0; step < 32; step++) {
        for (let voice = 0; voice < 4; voice++) {
          const on: number[] = [];
          for (let p = 0; p < 128; p++) if (windows.data[w * CELLS + (step * 128 + p) * 4 + voice] === 1) on.push(p);
          expect(on).toEqual(c[s + step][voice] >= 0 ? [c[s + step][voice]] : []);
        }
      }
    }
    console.info(`JSB train windows at default settings (hop 16): ${windows.count}`);
  });

  it('adds transposed copies on request', () => {
    const few = jsbDataset().train.slice(0, 5);
    const plain = jsbToTrainingWindows(few);
    const augmented = jsbToTrainingWindows(few, { transpositions: [-1, 0, 1] });
    expect(augmented.count).toBe(3 * plain.count);
    // Chorale 1 comes first: its original windows, then the copy one semitone down.
    const firstCopy = jsbToTrainingWindows(few.slice(0, 1)).count;
    expect(sopranoAt(augmented.data, firstCopy, 0)).toBe(sopranoAt(augmented.data, 0, 0) - 1);
  });
});

describe('jsbChoraleToRoll', () => {
  it('makes a 4-track roll whose notes start where a voice changes pitch', () => {
    const chorale: JsbChorale = [
      [72, 67, 64, 48],
      [72, 67, 64, 48],
      [74, 67, -1, 48],
      [74, 65, 62, 50],
    ];
    const roll = jsbChoraleToRoll(chorale);
    expect(roll.tracks.map((t) => t.name)).toEqual(['Soprano', 'Alto', 'Tenor', 'Bass']);
    expect(roll.steps).toBe(4);
    const notes = (t: number) => trackNotes(roll, t).map((n) => [n.pitch, n.startStep, n.steps]);
    expect(notes(0)).toEqual([
      [72, 0, 2],
      [74, 2, 2],
    ]);
    expect(notes(1)).toEqual([
      [67, 0, 3],
      [65, 3, 1],
    ]);
    expect(notes(2)).toEqual([
      [64, 0, 2],
      [62, 3, 1],
    ]);
    expect(notes(3)).toEqual([
      [48, 0, 3],
      [50, 3, 1],
    ]);
  });
});

describe('JSB file validation', () => {
  const bad = (json: unknown): DatasetFormatError => {
    try {
      parseJsbDataset(json);
    } catch (error) {
      expect(error).toBeInstanceOf(DatasetFormatError);
      return error as DatasetFormatError;
    }
    throw new Error('accepted');
  };

  it('names where the file goes wrong', () => {
    expect(bad([1, 2]).message).toMatch(/"train" list/);
    expect(bad({ valid: [] }).message).toMatch(/"train"/);
    expect(bad({ train: [[[60, 55, 50, 40]], [[60, 55, 50]]] }).message).toMatch(/"train", chorale 2, step 1.*exactly four pitches/);
    expect(
      bad({
        train: [
          [
            [60, 55, 50, 40],
            [60, 55, 128, 40],
          ],
        ],
      }).message,
    ).toMatch(/chorale 1, step 2, voice 3 \(Tenor\).*0 to 127/);
    expect(bad({ train: [[]] }).message).toMatch(/chorale 1.*non-empty/);
    expect(bad({ train: [] }).message).toMatch(/"train".*non-empty list of chorales/);
    expect(bad({ train: [] }).code).toBe('bad-shape');
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseJsbJson('<html>')).toThrow(DatasetFormatError);
    expect(() => parseJsbJson('<html>')).toThrow(/not valid JSON/);
  });
});

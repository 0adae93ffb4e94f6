/** The request schemas: what the worker refuses, and the sentence the user then reads. */
import { describe, expect, it } from 'vitest';
import { PITCHES, createRoll } from '../../src/music/pianoRoll';
import { firstProblem, modelNameSchema, pianoRollSchema, saveTargetSchema, trainingWindowsSchema } from '../../src/protocol/requests';

const windows = (count: number, values: number) => ({ data: new Int8Array(values), count, steps: 2, tracks: 4 });

describe('request schemas', () => {
  it('accept training windows that match their shape and name the first problem of those that do not', () => {
    expect(firstProblem(trainingWindowsSchema, windows(1, 2 * PITCHES * 4))).toBeUndefined();
    expect(firstProblem(trainingWindowsSchema, null)).toBe('The training data is missing or not in the expected format.');
    expect(firstProblem(trainingWindowsSchema, windows(0, 0))).toContain('holds no windows');
    expect(firstProblem(trainingWindowsSchema, { ...windows(1, 2 * PITCHES * 4), tracks: 1 })).toContain('at least one accompanying voice');
    expect(firstProblem(trainingWindowsSchema, windows(3, 2 * PITCHES * 4))).toBe(
      `The training data is damaged: 3 windows of 2 steps and 4 tracks should hold ${3 * 2 * PITCHES * 4} values, not ${2 * PITCHES * 4}.`,
    );
  });

  it('name the piano roll they refuse', () => {
    const roll = createRoll(1, [{ name: 'Melody', program: 0, isDrum: false }]);
    expect(firstProblem(pianoRollSchema('the melody'), roll)).toBeUndefined();
    expect(firstProblem(pianoRollSchema('the melody'), { ...roll, tracks: [] })).toBe('The melody is not a piano roll.');
    expect(firstProblem(pianoRollSchema('snapshot melody 2'), { ...roll, steps: 0 })).toBe(
      'Snapshot melody 2 is empty: it needs at least one time step.',
    );
    expect(firstProblem(pianoRollSchema('the melody'), { ...roll, steps: 2 })).toBe(
      'The melody is damaged: its notes do not match its length.',
    );
  });

  it('say what a save target and a model name may be', () => {
    expect(firstProblem(saveTargetSchema, 'disk')).toBe(
      'A model can be saved in the browser ("indexeddb") or as files ("files"), not "disk".',
    );
    expect(firstProblem(modelNameSchema('Name it.'), '  ')).toBe('Name it.');
    expect(firstProblem(modelNameSchema('Name it.'), ' mine ')).toBeUndefined();
  });
});

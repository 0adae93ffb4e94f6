import '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FREE, decodeChorale } from '../../src/model/decode';
import { GanEngine } from '../../src/model/gan';
import { generate } from '../../src/model/generate/pipeline';
import { isParallelMotion } from '../../src/music/intervals';
import {
  emptyLock,
  isLocked,
  lockBars,
  lockedNoteCount,
  lockOutsideBars,
  lockProblem,
  lockSoundingNotes,
  lockVoice,
  setLocked,
} from '../../src/music/locks';
import { trackNotes } from '../../src/music/notes';
import { PITCHES, cellIndex, createRoll, selectTracks, type PianoRoll } from '../../src/music/pianoRoll';
import { ACCOMPANIMENT_VOICES, VOICE_RANGES } from '../../src/music/voices';
import { GenerationOptionsError } from '../../src/protocol/generation';
import { lockSchema, firstProblem } from '../../src/protocol/requests';
import { melodyRoll, tinyConfig, useCpu } from './model-fixtures';
import { useWasm } from './wasm-fixtures';
import { line, noiseScores, TRACKS } from './decode-fixtures';

beforeAll(useWasm);
afterAll(useCpu);

/** Track `track`'s cells of `roll` in steps [from, to), as one array, for comparing. */
function cells(roll: PianoRoll, track: number, from = 0, to = roll.steps): number[] {
  const out: number[] = [];
  for (let step = from; step < to; step++)
    for (let p = 0; p < PITCHES; p++) {
      const i = cellIndex(roll, step, p, track);
      out.push(roll.active[i], roll.onsets ? roll.onsets[i] : 0);
    }
  return out;
}

describe('chorale decoding with locked notes (infilling)', () => {
  const melody = line([72, 71, 69, 67, 69, 71, 72, 74, 72, 71, 69, 71, 72], 4);
  const steps = melody.length;

  it('keeps every locked pitch and rest exactly, and keeps its rules everywhere else', () => {
    // The alto locked to a line of its own in the first half, the bass locked silent for two beats, the tenor free.
    const fixed = [0, 1, 2].map(() => new Int16Array(steps).fill(FREE));
    for (let step = 0; step < 24; step++) fixed[0][step] = step < 12 ? 64 : 62;
    fixed[0][5] = 65; // a 16th-note neighbour tone inside a slot
    for (let step = 32; step < 40; step++) fixed[2][step] = -1;
    for (const seed of [1, 2, 3]) {
      const voices = decodeChorale(noiseScores(steps, seed), melody, {
        tracks: TRACKS,
        stepsPerBeat: 4,
        key: { tonic: 0, mode: 'major' },
        logitScale: 5,
        weights: { parallelCost: 1000 },
        fixed,
      });
      for (let v = 0; v < 3; v++)
        for (let step = 0; step < steps; step++)
          if (fixed[v][step] !== FREE) expect(voices[v][step], `voice ${v} step ${step}`).toBe(fixed[v][step]);
      for (let step = 0; step < steps; step++) {
        const [a, t, b] = voices.map((voice) => voice[step]);
        if (fixed[0][step] === FREE) {
          const { low, high } = VOICE_RANGES[ACCOMPANIMENT_VOICES[0]];
          expect(a).toBeGreaterThanOrEqual(low);
          expect(a).toBeLessThanOrEqual(high);
        }
        // Free voices sound under every melody note and never cross the voice above, locked or not.
        expect(t, `tenor at ${step}`).toBeGreaterThanOrEqual(0);
        expect(t).toBeLessThanOrEqual(a);
        expect(a).toBeLessThanOrEqual(melody[step]);
        if (b >= 0) expect(b).toBeLessThanOrEqual(t);
        else expect(fixed[2][step]).toBe(-1);
      }
      // The voice leading into and out of the locked notes is scored: with parallels all but forbidden, none is
      // written, between a locked voice and a free one included (slot by slot, at the slots' first steps).
      for (let step = 2; step < steps; step += 2) {
        const parts = [melody, ...voices];
        const fixedPart = (part: number, at: number) => part === 0 || fixed[part - 1][at] !== FREE;
        for (let x = 0; x < 4; x++)
          for (let y = x + 1; y < 4; y++) {
            const [x0, x1, y0, y1] = [parts[x][step - 2], parts[x][step], parts[y][step - 2], parts[y][step]];
            const given = [x, y].every((part) => fixedPart(part, step - 2) && fixedPart(part, step));
            if (Math.min(x0, x1, y0, y1) < 0 || given) continue;
            expect(isParallelMotion(x0, x1, y0, y1), `parallel between parts ${x} and ${y} into step ${step}`).toBe(false);
          }
      }
    }
  });

  it('decodes as before when nothing is locked', () => {
    const options = { tracks: TRACKS, stepsPerBeat: 4, key: { tonic: 0, mode: 'major' as const }, logitScale: 5 };
    const scores = noiseScores(steps, 4);
    const free = [0, 1, 2].map(() => new Int16Array(steps).fill(FREE));
    expect(decodeChorale(scores, melody, { ...options, fixed: free })).toEqual(decodeChorale(scores, melody, options));
  });
});

describe('locks (src/music/locks.ts)', () => {
  const roll = createRoll(
    64,
    ['Melody', 'Alto', 'Tenor', 'Bass'].map((name) => ({ name, program: 0, isDrum: false })),
  );
  for (const [track, pitch] of [
    [1, 64],
    [2, 57],
    [3, 48],
  ])
    for (let step = 0; step < 64; step++) {
      roll.active[cellIndex(roll, step, pitch, track)] = 1;
      if (step % 8 === 0) roll.onsets![cellIndex(roll, step, pitch, track)] = 1;
    }

  it('locks a voice, bars, everything outside bars, and counts the notes locked', () => {
    expect(lockedNoteCount(emptyLock(roll))).toBe(0);
    const alto = lockVoice(emptyLock(roll), 1);
    expect(lockedNoteCount(alto)).toBe(8);
    expect(isLocked(alto, 10, 1)).toBe(true);
    expect(isLocked(alto, 10, 2)).toBe(false);
    const bars = lockBars(emptyLock(roll), 2, 3);
    expect(isLocked(bars, 15, 3)).toBe(false);
    expect(isLocked(bars, 16, 3)).toBe(true);
    expect(isLocked(bars, 47, 2)).toBe(true);
    expect(isLocked(bars, 48, 2)).toBe(false);
    expect(lockedNoteCount(bars)).toBe(12);
    const outside = lockOutsideBars(roll, 2, 3, alto);
    expect(isLocked(outside, 20, 1)).toBe(true);
    expect(isLocked(outside, 20, 2)).toBe(false);
    expect(isLocked(outside, 50, 3)).toBe(true);
    expect(lockedNoteCount(setLocked(outside, [1, 2, 3], 0, 64, false))).toBe(0);
    expect(() => lockVoice(emptyLock(roll), 4)).toThrow(/track 4 is not an accompaniment track: they are 1..3/);
    expect(() => lockBars(emptyLock(roll), 3, 5)).toThrow(/bars 3–5 are not a range of this piece's bars 1–4/);
  });

  it('says why a lock does not fit the melody', () => {
    const lock = lockVoice(emptyLock(roll), 1);
    expect(lockProblem(lock, { steps: 64, stepsPerBeat: 4 }, 3)).toBeNull();
    expect(lockProblem(lock, { steps: 48, stepsPerBeat: 4 }, 3)).toMatch(/is 64 steps long and the melody 48/);
    expect(lockProblem(lockVoice(emptyLock(selectTracks(roll, [0, 1, 2])), 1), { steps: 64, stepsPerBeat: 4 }, 3)).toMatch(
      /has 2 tracks after the melody; the model writes 3/,
    );
    expect(lockProblem({ roll, cells: new Uint8Array(5) }, { steps: 64, stepsPerBeat: 4 }, 3)).toMatch(/should number 192/);
    expect(firstProblem(lockSchema({ steps: 48, stepsPerBeat: 4 }), lock)).toMatch(/^The notes to keep do not fit: .*48/);
    expect(firstProblem(lockSchema({ steps: 64, stepsPerBeat: 4 }), { roll: 'no' })).toMatch(/not a piano roll/);
  });
});

describe('generation with a lock', () => {
  const melody = melodyRoll(4 * 16, 70);

  it('keeps a locked voice cell for cell and writes the others again, in every decoding', async () => {
    const engine = GanEngine.create(tinyConfig({ seed: 21 }));
    for (const decodeMode of ['chorale', 'single', 'chords'] as const) {
      const { roll: first } = await generate(engine, melody, 1, { decodeMode });
      const lock = lockVoice(emptyLock(first), 1);
      const { roll } = await generate(engine, melody, 2, { decodeMode }, { lock });
      expect(cells(roll, 1), decodeMode).toEqual(cells(first, 1));
      expect(cells(roll, 0)).toEqual(cells(first, 0));
      const free = await generate(engine, melody, 2, { decodeMode });
      if (decodeMode === 'chorale')
        expect(cells(roll, 2).join() + cells(roll, 3).join()).not.toEqual(cells(first, 2).join() + cells(first, 3).join());
      else expect(cells(roll, 2)).toEqual(cells(free.roll, 2)); // the other decodings keep the locked cells, the rest as usual
    }
    engine.dispose();
  });

  it('writes bars 2–3 again with a new seed and leaves the other bars cell for cell unchanged', async () => {
    const engine = GanEngine.create(tinyConfig({ seed: 22 }));
    const { roll: first } = await generate(engine, melody, 3);
    const { roll } = await generate(engine, melody, 4, {}, { lock: lockOutsideBars(first, 2, 3) });
    for (const track of [1, 2, 3]) {
      expect(cells(roll, track, 0, 16)).toEqual(cells(first, track, 0, 16));
      expect(cells(roll, track, 48, 64)).toEqual(cells(first, track, 48, 64));
    }
    const inside = [1, 2, 3].map((t) => cells(roll, t, 16, 48).join()).join();
    expect(inside).not.toEqual([1, 2, 3].map((t) => cells(first, t, 16, 48).join()).join());
    // No note of the bars kept grows into the new bars: each note that ends at bar 2 or starts at bar 4 still does.
    for (const track of [1, 2, 3]) {
      const before = trackNotes(first, track).filter((n) => n.startStep < 16 && n.startStep + n.steps <= 16);
      const after = trackNotes(roll, track).filter((n) => n.startStep < 16);
      for (const note of before) expect(after).toContainEqual(note);
    }
    engine.dispose();
  });

  it('refuses a lock that does not fit the melody, before running the network', async () => {
    const engine = GanEngine.create(tinyConfig());
    const { roll } = await generate(engine, melody, 1);
    const short = melodyRoll(2 * 16, 70);
    await expect(generate(engine, short, 1, {}, { lock: lockSoundingNotes(roll) })).rejects.toThrow(GenerationOptionsError);
    await expect(generate(engine, short, 1, {}, { lock: lockSoundingNotes(roll) })).rejects.toThrow(
      /lock the locked accompaniment is 64 steps long and the melody 32/,
    );
    await expect(engine.accompany(melody, 1, {}, lockSoundingNotes(selectTracks(roll, [0, 1])))).rejects.toThrow(
      /has 1 track after the melody; the model writes 3/,
    );
    engine.dispose();
  });
});

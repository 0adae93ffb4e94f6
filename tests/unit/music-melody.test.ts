import { describe, expect, it } from 'vitest';
import { MidiInputError } from '../../src/music/errors';
import { defaultMelodyTrack, extractMelody, topLine, trimLeadingEmptyBars } from '../../src/music/melody';
import { parseMidi } from '../../src/music/midiIn';
import { trackNotes } from '../../src/music/notes';
import { cellIndex, createRoll } from '../../src/music/pianoRoll';
import { buildMidi } from './music-midi-helpers';

const notesOf = (roll: Parameters<typeof trackNotes>[0]) => trackNotes(roll, 0).map((n) => [n.pitch, n.startStep, n.steps, n.velocity]);

describe('topLine', () => {
  it('keeps the highest note at each step; a lower note that sounds on becomes a new note', () => {
    const bytes = buildMidi([
      {
        name: 'Piano',
        notes: [
          { pitch: 60, start: 0, steps: 8, velocity: 50 }, // held under the 67, heard again from step 4
          { pitch: 67, start: 0, steps: 4, velocity: 90 },
          { pitch: 64, start: 0, steps: 2, velocity: 70 }, // inner voice: never the top
          { pitch: 72, start: 8, steps: 4, velocity: 100 },
          { pitch: 72, start: 12, steps: 4, velocity: 101 }, // repeated top note stays two notes
        ],
      },
    ]);
    const line = topLine(extractMelody(parseMidi(bytes)).roll);
    expect(line.tracks).toHaveLength(1);
    expect(notesOf(line)).toEqual([
      [67, 0, 4, 90],
      [60, 4, 4, 50],
      [72, 8, 4, 100],
      [72, 12, 4, 101],
    ]);
    // Exactly one pitch per sounding step.
    for (let s = 0; s < line.steps; s++) {
      let count = 0;
      for (let p = 0; p < 128; p++) count += line.active[cellIndex(line, s, p, 0)];
      expect(count).toBe(1);
    }
  });

  it('works on a roll without onsets or velocities', () => {
    const roll = createRoll(4, [{ name: 'x', program: 0, isDrum: false }], { withOnsets: false });
    for (const s of [0, 1, 2, 3]) roll.active[cellIndex(roll, s, 50, 0)] = 1;
    roll.active[cellIndex(roll, 1, 55, 0)] = 1;
    expect(trackNotes(topLine(roll), 0).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([
      [50, 0, 1],
      [55, 1, 1],
      [50, 2, 2],
    ]);
  });
});

describe('extractMelody', () => {
  it('skips drum tracks when choosing the default melody', () => {
    const bytes = buildMidi([
      { name: 'Kit', channel: 9, notes: [{ pitch: 36, start: 0, steps: 1 }] },
      { name: 'Empty', notes: [] },
      { name: 'Oboe', program: 68, notes: [{ pitch: 74, start: 0, steps: 4 }] },
      { name: 'Bass', program: 32, notes: [{ pitch: 40, start: 0, steps: 4 }] },
    ]);
    const parsed = parseMidi(bytes);
    const oboe = parsed.tracks.find((t) => t.name === 'Oboe')!.index;
    expect(defaultMelodyTrack(parsed)).toBe(oboe);
    const melody = extractMelody(parsed);
    expect(melody.trackIndex).toBe(oboe);
    expect(melody.roll.tracks[0]).toEqual({ name: 'Oboe', program: 68, isDrum: false });
  });

  it('refuses a drum track or an empty track as the melody', () => {
    const parsed = parseMidi(
      buildMidi([
        { name: 'Kit', channel: 9, notes: [{ pitch: 36, start: 0, steps: 1 }] },
        { name: 'Empty', notes: [] },
        { name: 'Tune', notes: [{ pitch: 70, start: 0, steps: 1 }] },
      ]),
    );
    const kit = parsed.tracks.find((t) => t.isDrum)!.index;
    const empty = parsed.tracks.find((t) => t.name === 'Empty')!.index;
    expect(() => extractMelody(parsed, { track: kit })).toThrow(MidiInputError);
    expect(() => extractMelody(parsed, { track: kit })).toThrow(/drum track/);
    expect(() => extractMelody(parsed, { track: empty })).toThrow(/no notes/);
    expect(() => extractMelody(parsed, { track: 99 })).toThrow(/no track 100/);
  });

  it('trims whole empty bars only, so a pickup keeps its place in the bar', () => {
    // Silence for two bars, then a one-beat pickup on beat 4 of bar 3, then the tune from bar 4.
    const parsed = parseMidi(
      buildMidi([
        {
          name: 'Tune',
          notes: [
            { pitch: 67, start: 44, steps: 4 },
            { pitch: 72, start: 48, steps: 8 },
          ],
        },
      ]),
    );
    const melody = extractMelody(parsed);
    expect(melody.trimmedSteps).toBe(32);
    expect(notesOf(melody.roll).map((n) => n.slice(0, 3))).toEqual([
      [67, 12, 4],
      [72, 16, 8],
    ]);
    expect(melody.roll.steps).toBe(24);
  });

  it("counts bars in the file's time signature", () => {
    const parsed = parseMidi(buildMidi([{ notes: [{ pitch: 67, start: 30, steps: 2 }] }], { timeSignature: [3, 4] }));
    // Bars of 3/4 are 12 steps: two empty bars go, the note stays 6 steps into bar 3.
    expect(extractMelody(parsed).trimmedSteps).toBe(24);
    expect(notesOf(extractMelody(parsed).roll)[0].slice(0, 2)).toEqual([67, 6]);
  });

  it('says when a chordal track was reduced to its top line', () => {
    const parsed = parseMidi(
      buildMidi([
        {
          name: 'Piano',
          notes: [
            { pitch: 60, start: 0, steps: 4 },
            { pitch: 64, start: 0, steps: 4 },
          ],
        },
      ]),
    );
    expect(extractMelody(parsed).warnings.join(' ')).toMatch(/top line/);
    expect(notesOf(extractMelody(parsed).roll).map((n) => n[0])).toEqual([64]);
  });
});

describe('trimLeadingEmptyBars', () => {
  it('leaves a roll that starts in its first bar, and a silent roll, alone', () => {
    const roll = createRoll(40, [{ name: 'x', program: 0, isDrum: false }]);
    expect(trimLeadingEmptyBars(roll).trimmedSteps).toBe(0);
    roll.active[cellIndex(roll, 15, 60, 0)] = 1;
    expect(trimLeadingEmptyBars(roll)).toMatchObject({ trimmedSteps: 0, roll });
  });
});

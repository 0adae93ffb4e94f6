import { describe, expect, it } from 'vitest';
import { Midi } from '@tonejs/midi';
import { midiToRoll, parseMidi, summarizeTracks } from '../../src/music/midiIn';
import { rollToMidi } from '../../src/music/midiOut';
import { trackNotes, type Note } from '../../src/music/notes';
import { scheduleRoll } from '../../src/audio/schedule';
import { DEFAULT_VELOCITY } from '../../src/music/constants';
import { cellIndex, createRoll } from '../../src/music/pianoRoll';
import { PPQ, TICKS_PER_STEP, buildMidi, format0Midi, rawNote, rawTempo, type NoteSpec } from './music-midi-helpers';

const asNotes = (notes: NoteSpec[]): Note[] =>
  notes
    .map((n) => ({ pitch: n.pitch, startStep: n.start, steps: n.steps, velocity: n.velocity ?? 100 }))
    .sort((a, b) => a.startStep - b.startStep || a.pitch - b.pitch);

// A melody with repeated notes (same pitch back to back) and a chordal part whose notes overlap.
const melody: NoteSpec[] = [
  { pitch: 67, start: 0, steps: 4, velocity: 90 },
  { pitch: 67, start: 4, steps: 4, velocity: 70 },
  { pitch: 67, start: 8, steps: 2, velocity: 110 },
  { pitch: 69, start: 10, steps: 2 },
  { pitch: 71, start: 12, steps: 20, velocity: 64 },
  { pitch: 72, start: 33, steps: 1, velocity: 1 },
  { pitch: 72, start: 34, steps: 1, velocity: 127 },
];
const chords: NoteSpec[] = [
  // A held bass note under moving upper notes, and a chord: overlapping notes of different pitches.
  { pitch: 48, start: 0, steps: 16, velocity: 80 },
  { pitch: 55, start: 0, steps: 8, velocity: 80 },
  { pitch: 60, start: 2, steps: 8, velocity: 81 },
  { pitch: 64, start: 6, steps: 10, velocity: 82 },
  { pitch: 48, start: 16, steps: 16, velocity: 83 },
  { pitch: 52, start: 16, steps: 16, velocity: 84 },
  { pitch: 55, start: 16, steps: 16, velocity: 85 },
];

describe('parseMidi on a format-1 file with tempo changes', () => {
  const bytes = buildMidi(
    [
      { name: 'Flute', program: 73, notes: melody },
      { name: 'Piano', program: 0, notes: chords },
      {
        name: 'Kit',
        channel: 9,
        notes: [
          { pitch: 36, start: 0, steps: 1 },
          { pitch: 38, start: 4, steps: 1 },
        ],
      },
    ],
    {
      tempos: [
        { ticks: 0, bpm: 96 },
        { ticks: 8 * PPQ, bpm: 60 },
        { ticks: 12 * PPQ, bpm: 150 },
      ],
      timeSignature: [3, 4],
    },
  );
  const parsed = parseMidi(bytes);

  it('summarises every track', () => {
    const [flute, piano, kit] = summarizeTracks(parsed);
    expect(flute).toMatchObject({
      name: 'Flute',
      program: 73,
      isDrum: false,
      noteCount: 7,
      lowestPitch: 67,
      highestPitch: 72,
      maxPolyphony: 1,
    });
    expect(piano).toMatchObject({
      name: 'Piano',
      program: 0,
      isDrum: false,
      noteCount: 7,
      lowestPitch: 48,
      highestPitch: 64,
      maxPolyphony: 4,
    });
    expect(kit).toMatchObject({ isDrum: true, channel: 9, noteCount: 2 });
    expect('notes' in flute).toBe(false);
  });

  it('keeps the first tempo and says the others were dropped', () => {
    expect(parsed.tempoBpm).toBeCloseTo(96, 6);
    expect(parsed.beatsPerBar).toBe(3);
    expect(parsed.warnings.join(' ')).toMatch(/changes tempo 2 time\(s\).*96 bpm/);
    expect(parsed.totalSteps).toBe(35);
  });

  it('quantises in beats, so notes after a tempo change stay on the grid', () => {
    const roll = midiToRoll(parsed, { tracks: [0, 1] });
    expect(roll.tracks.map((t) => t.name)).toEqual(['Flute', 'Piano']);
    expect(roll.beatsPerBar).toBe(3);
    // The 72s at steps 33-34 sit after both tempo changes (beats 8 and 12) and still land on their steps.
    expect(trackNotes(roll, 0)).toEqual(asNotes(melody));
    expect(trackNotes(roll, 1)).toEqual(asNotes(chords));
  });

  it('leaves drum tracks out by default', () => {
    expect(midiToRoll(parsed).tracks.map((t) => t.name)).toEqual(['Flute', 'Piano']);
  });
});

describe('MIDI -> roll -> MIDI round trip', () => {
  const original = buildMidi(
    [
      { name: 'Flute', program: 73, notes: melody },
      { name: 'Piano', program: 0, notes: chords },
    ],
    { tempos: [{ ticks: 0, bpm: 132 }] },
  );
  const roll = midiToRoll(parseMidi(original));
  const written = rollToMidi(roll, { title: 'Test' });
  const back = parseMidi(written);

  it('keeps every note pitch, start step, length and velocity', () => {
    expect(back.tracks.map((t) => t.name)).toEqual(['Flute', 'Piano']);
    const again = midiToRoll(back);
    expect(trackNotes(again, 0)).toEqual(asNotes(melody));
    expect(trackNotes(again, 1)).toEqual(asNotes(chords));
    expect(again.active).toEqual(roll.active);
    expect(again.onsets).toEqual(roll.onsets);
  });

  it('writes tempo, programs and a channel of its own per track', () => {
    const midi = new Midi(written);
    expect(midi.header.tempos[0].bpm).toBeCloseTo(132, 3);
    expect(midi.header.name).toBe('Test');
    expect(midi.tracks.map((t) => t.instrument.number)).toEqual([73, 0]);
    const channels = midi.tracks.map((t) => t.channel);
    expect(new Set(channels).size).toBe(2);
    expect(channels).not.toContain(9);
    // On the grid: 16th notes are 120 ticks at 480 per beat.
    expect(midi.tracks[0].notes[1].ticks).toBe(4 * 120);
  });
});

describe('rollToMidi', () => {
  it('uses onsets to keep repeated notes apart and a default velocity where none is stored', () => {
    const roll = createRoll(8, [{ name: 'Voice', program: 52, isDrum: false }]);
    for (let s = 0; s < 8; s++) roll.active[cellIndex(roll, s, 60, 0)] = 1;
    (roll.onsets as Uint8Array)[cellIndex(roll, 0, 60, 0)] = 1;
    (roll.onsets as Uint8Array)[cellIndex(roll, 3, 60, 0)] = 1;
    const notes = new Midi(rollToMidi(roll, { defaultVelocity: 77 })).tracks[0].notes;
    expect(notes.map((n) => [n.midi, n.ticks / 120, n.durationTicks / 120, Math.round(n.velocity * 127)])).toEqual([
      [60, 0, 3, 77],
      [60, 3, 5, 77],
    ]);
  });

  it('writes a note without a velocity at the velocity playback gives it', () => {
    const roll = createRoll(4, [{ name: 'Out', program: 0, isDrum: false }], { withOnsets: false });
    roll.active[cellIndex(roll, 0, 60, 0)] = 1;
    const written = new Midi(rollToMidi(roll)).tracks[0].notes.map((n) => Math.round(n.velocity * 127));
    const played = scheduleRoll(roll).map((e) => Math.round(e.velocity * 127));
    expect(written).toEqual([DEFAULT_VELOCITY]);
    expect(played).toEqual(written);
  });

  it('reads a roll without onsets (a model output) as one note per run of steps', () => {
    const roll = createRoll(6, [{ name: 'Out', program: 0, isDrum: false }], { withOnsets: false });
    for (const s of [0, 1, 3, 4, 5]) roll.active[cellIndex(roll, s, 50, 0)] = 1;
    expect(trackNotes(roll, 0).map((n) => [n.startStep, n.steps])).toEqual([
      [0, 2],
      [3, 3],
    ]);
  });

  it('puts drum tracks on channel 10 and skips it for the others', () => {
    const tracks = Array.from({ length: 11 }, (_, i) => ({ name: `T${i}`, program: i, isDrum: i === 2 }));
    const roll = createRoll(4, tracks);
    tracks.forEach((_, t) => (roll.active[cellIndex(roll, 0, 40 + t, t)] = 1));
    const channels = new Midi(rollToMidi(roll)).tracks.map((t) => t.channel);
    expect(channels).toEqual([0, 1, 9, 2, 3, 4, 5, 6, 7, 8, 10]);
  });

  it('writes the tempo, programs and tracks it is given: the file plays as the page played it', () => {
    const roll = createRoll(8, [
      { name: 'Melody', program: 0, isDrum: false },
      { name: 'Alto', program: 52, isDrum: false },
      { name: 'Tenor', program: 52, isDrum: false },
    ]);
    [0, 1, 2].forEach((t) => (roll.active[cellIndex(roll, 0, 60 + t, t)] = 1));
    const midi = new Midi(rollToMidi(roll, { tempoBpm: 106, programs: [73, 19, 49], include: [true, false, true] }));
    expect(midi.header.tempos[0].bpm).toBeCloseTo(106, 3);
    expect(midi.tracks.map((t) => [t.name, t.instrument.number])).toEqual([
      ['Melody', 73],
      ['Tenor', 49],
    ]);
    // A quarter note at 106 bpm lasts 60/106 s.
    expect(midi.tracks[0].notes[0].duration).toBeCloseTo(60 / 106 / 4, 4);
    expect(() => rollToMidi(roll, { tempoBpm: 0 })).toThrow(RangeError);
  });

  it('refuses a velocity outside 1..127', () => {
    expect(() => rollToMidi(createRoll(1, [{ name: 'a', program: 0, isDrum: false }]), { defaultVelocity: 0 })).toThrow(RangeError);
  });
});

describe('parseMidi on a format-0 file', () => {
  const ppq = 96;
  const q = ppq / 4; // ticks per 16th
  const bytes = format0Midi(
    [
      rawTempo(0, 90),
      { tick: 0, bytes: [0xff, 0x58, 4, 6, 3, 24, 8] }, // 6/8
      { tick: 0, bytes: [0xc0, 40] }, // violin on channel 1
      { tick: 0, bytes: [0xc1, 32] }, // bass on channel 2
      ...rawNote(0, 76, 0, 2 * q),
      ...rawNote(0, 74, 2 * q, 2 * q),
      ...rawNote(0, 72, 4 * q + 3, 8 * q - 3), // slightly late: rounds to step 4
      ...rawNote(1, 40, 0, 12 * q),
      ...rawNote(9, 42, 0, q),
      ...rawNote(9, 42, 6 * q, q),
    ],
    ppq,
  );
  const parsed = parseMidi(bytes);

  it('splits the channels into tracks and marks the drums', () => {
    expect(parsed.format).toBe(0);
    expect(parsed.ticksPerBeat).toBe(96);
    expect(parsed.tempoBpm).toBeCloseTo(90, 3);
    expect(parsed.beatsPerBar).toBe(3);
    const withNotes = parsed.tracks.filter((t) => t.noteCount > 0);
    expect(withNotes.map((t) => [t.channel, t.program, t.isDrum, t.noteCount])).toEqual([
      [0, 40, false, 3],
      [1, 32, false, 1],
      [9, 0, true, 2],
    ]);
  });

  it('puts the notes on the 16th grid', () => {
    const violin = parsed.tracks.find((t) => t.channel === 0)!;
    const roll = midiToRoll(parsed, { tracks: [violin.index] });
    expect(trackNotes(roll, 0).map((n) => [n.pitch, n.startStep, n.steps, n.velocity])).toEqual([
      [76, 0, 2, 90],
      [74, 2, 2, 90],
      [72, 4, 8, 90],
    ]);
  });
});

describe('overlapping notes of one pitch', () => {
  it('become two notes, the first cut where the second starts', () => {
    const bytes = format0Midi([...rawNote(0, 60, 0, 8 * 120), ...rawNote(0, 60, 4 * 120, 2 * 120)], 480);
    const roll = midiToRoll(parseMidi(bytes));
    expect(trackNotes(roll, 0).map((n) => [n.startStep, n.steps])).toEqual([
      [0, 4],
      [4, 4],
    ]);
  });

  it('keep a note shorter than a 16th as one step', () => {
    const bytes = format0Midi([...rawNote(0, 62, 0, 10), ...rawNote(0, 64, TICKS_PER_STEP * 2, 0)], 480);
    const roll = midiToRoll(parseMidi(bytes));
    expect(trackNotes(roll, 0).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([
      [62, 0, 1],
      [64, 2, 1],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { MidiInputError } from '../../src/music/errors';
import { parseMidi } from '../../src/music/midiIn';
import { trackNotes } from '../../src/music/notes';
import { OWN_MIDI_TRACK_NAMES, defaultTrackRoles, ownMidiToRoll, ownMidiToTrainingWindows } from '../../src/music/ownMidi';
import { buildMidi, type NoteSpec } from './music-midi-helpers';

/** A note every `every` steps for `bars` bars at `pitch`. */
const pulse = (pitch: number, bars: number, every: number, length = every): NoteSpec[] =>
  Array.from({ length: (bars * 16) / every }, (_, i) => ({ pitch, start: i * every, steps: length }));

// A band: drums, bass, pads, a lead with a chord in it, strings and a second guitar (one too many).
const band = parseMidi(
  buildMidi([
    { name: 'Drums', channel: 9, notes: pulse(36, 4, 4, 1) },
    { name: 'Bass', program: 33, notes: pulse(40, 4, 4) },
    { name: 'Pad', program: 89, notes: pulse(60, 4, 16) },
    { name: 'Lead', program: 80, notes: [...pulse(79, 4, 2), { pitch: 76, start: 0, steps: 8 }] },
    { name: 'Strings', program: 48, notes: pulse(67, 4, 8) },
    { name: 'Guitar', program: 25, notes: pulse(52, 4, 8) },
  ]),
);
const indexOf = (name: string) => band.tracks.find((t) => t.name === name)!.index;

describe('defaultTrackRoles', () => {
  it('takes the highest non-drum track as melody and the next three, high to low, as accompaniment', () => {
    expect(defaultTrackRoles(band)).toEqual({
      melody: indexOf('Lead'),
      accompaniment: [indexOf('Strings'), indexOf('Pad'), indexOf('Guitar')],
    });
  });
});

describe('ownMidiToRoll', () => {
  it('puts the melody top line first and the accompaniment after it', () => {
    const roll = ownMidiToRoll(band);
    expect(roll.tracks.map((t) => t.name)).toEqual(['Lead', 'Strings', 'Pad', 'Guitar']);
    // The lead's chord note (76 under 79) is gone from the melody.
    expect(trackNotes(roll, 0).every((n) => n.pitch === 79)).toBe(true);
    expect(trackNotes(roll, 1)).toHaveLength(8);
  });

  it('fills missing accompaniment tracks with silence', () => {
    const duo = parseMidi(
      buildMidi([
        { name: 'Flute', notes: pulse(74, 2, 4) },
        { name: 'Cello', notes: pulse(43, 2, 8) },
      ]),
    );
    const roll = ownMidiToRoll(duo);
    expect(roll.tracks).toHaveLength(4);
    expect(trackNotes(roll, 1)).toHaveLength(4);
    expect(trackNotes(roll, 2)).toEqual([]);
    expect(trackNotes(roll, 3)).toEqual([]);
  });

  it("follows the user's choice of tracks, and refuses impossible ones", () => {
    const roll = ownMidiToRoll(band, { melody: indexOf('Strings'), accompaniment: [indexOf('Bass')] });
    expect(roll.tracks.map((t) => t.name).slice(0, 2)).toEqual(['Strings', 'Bass']);
    expect(() => ownMidiToRoll(band, { melody: indexOf('Drums'), accompaniment: [] })).toThrow(/drum track/);
    expect(() => ownMidiToRoll(band, { melody: indexOf('Lead'), accompaniment: [indexOf('Lead')] })).toThrow(MidiInputError);
    expect(() =>
      ownMidiToRoll(band, { melody: indexOf('Lead'), accompaniment: ['Bass', 'Pad', 'Strings', 'Guitar'].map(indexOf) }),
    ).toThrow(/at most 3/);
  });
});

describe('ownMidiToTrainingWindows', () => {
  it('packs 4-track windows one bar apart from every file', () => {
    const duo = parseMidi(
      buildMidi([
        { name: 'Flute', notes: pulse(74, 2, 4) },
        { name: 'Cello', notes: pulse(43, 2, 8) },
      ]),
    );
    const windows = ownMidiToTrainingWindows([band, duo]);
    // The band is 4 bars (windows at bars 1, 2, 3), the duo 2 bars (one window).
    expect(windows.count).toBe(4);
    expect(windows.tracks).toBe(4);
    expect(windows.trackNames).toEqual(OWN_MIDI_TRACK_NAMES);
    expect(new Set(windows.data)).toEqual(new Set([-1, 1]));
    // Window 4 (the duo): flute on track 0 at step 0, cello on track 1.
    const cell = (w: number, step: number, pitch: number, track: number) => windows.data[((w * 32 + step) * 128 + pitch) * 4 + track];
    expect(cell(3, 0, 74, 0)).toBe(1);
    expect(cell(3, 0, 43, 1)).toBe(1);
    expect(cell(3, 0, 43, 0)).toBe(-1);
    expect(ownMidiToTrainingWindows([band], { transpositions: [5] }).count).toBe(6);
  });
});

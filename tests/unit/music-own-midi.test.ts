import { describe, expect, it } from 'vitest';
import { MidiInputError } from '../../src/music/errors';
import { parseMidi } from '../../src/music/midiIn';
import { trackNotes } from '../../src/music/notes';
import { defaultTrackRoles, ownMidiRolls, ownMidiToRoll, ownMidiToTrainingWindows, trackRolesProblem } from '../../src/music/ownMidi';
import { buildMidi, type NoteSpec } from './music-midi-helpers';
import { drumList, drumName } from '../../src/music/drums';
import { trackRange } from '../../src/ui/trackRoles';

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
  it('takes the highest non-drum track as melody, the next two high to low and the drums as accompaniment', () => {
    expect(defaultTrackRoles(band)).toEqual({
      melody: indexOf('Lead'),
      accompaniment: [indexOf('Strings'), indexOf('Pad'), indexOf('Drums')],
    });
  });

  it('takes three melodic tracks when the file has no drums', () => {
    const noDrums = parseMidi(
      buildMidi([
        { name: 'Bass', program: 33, notes: pulse(40, 1, 4) },
        { name: 'Pad', program: 89, notes: pulse(60, 1, 16) },
        { name: 'Lead', program: 80, notes: pulse(79, 1, 2) },
        { name: 'Strings', program: 48, notes: pulse(67, 1, 8) },
      ]),
    );
    const at = (name: string) => noDrums.tracks.find((t) => t.name === name)!.index;
    expect(defaultTrackRoles(noDrums)).toEqual({ melody: at('Lead'), accompaniment: [at('Strings'), at('Pad'), at('Bass')] });
  });
});

describe('ownMidiToRoll', () => {
  it('puts the melody top line first and the accompaniment after it', () => {
    const roll = ownMidiToRoll(band);
    expect(roll.tracks.map((t) => t.name)).toEqual(['Lead', 'Strings', 'Pad', 'Drums']);
    expect(roll.tracks[3].isDrum).toBe(true);
    expect(trackNotes(roll, 3).every((n) => n.pitch === 36)).toBe(true);
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
    expect(trackRolesProblem(band, { melody: indexOf('Lead'), accompaniment: [indexOf('Bass')] })).toBeNull();
  });

  it('refuses more melodic tracks than there are places beside a drum track', () => {
    const roles = { melody: indexOf('Lead'), accompaniment: ['Strings', 'Pad', 'Guitar'].map(indexOf) };
    // Alone, the band without drums has three melodic places; beside a file with drums, two.
    expect(ownMidiRolls([band], [roles]).tracks.map((t) => t.name)).toEqual(['Strings', 'Pad', 'Guitar']);
    expect(() => ownMidiRolls([band, band], [roles, undefined], ['band.mid', 'band2.mid'])).toThrow(/"band.mid" has 3 melodic/);
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
    expect(windows.trackNames).toEqual(['Melody', 'Strings', 'Pad', 'Drums']);
    expect(new Set(windows.data)).toEqual(new Set([-1, 1]));
    // Window 4 (the duo): flute on track 0 at step 0, cello on track 1.
    const cell = (w: number, step: number, pitch: number, track: number) => windows.data[((w * 32 + step) * 128 + pitch) * 4 + track];
    expect(cell(3, 0, 74, 0)).toBe(1);
    expect(cell(3, 0, 43, 1)).toBe(1);
    expect(cell(3, 0, 43, 0)).toBe(-1);
    const moved = ownMidiToTrainingWindows([band], { transpositions: [5] });
    expect(moved.count).toBe(6);
    // The transposed copies move the strings, not the drums (a drum key is an instrument).
    const movedCell = (w: number, step: number, pitch: number, track: number) => moved.data[((w * 32 + step) * 128 + pitch) * 4 + track];
    expect(movedCell(3, 0, 72, 1)).toBe(1);
    expect(movedCell(3, 0, 36, 3)).toBe(1);
    expect(movedCell(3, 0, 41, 3)).toBe(-1);
  });

  it("names the tracks after the files' and profiles the data", () => {
    const duo = parseMidi(
      buildMidi([
        { name: 'Flute', notes: pulse(74, 2, 4) },
        { name: 'Cello', notes: pulse(43, 2, 8) },
      ]),
    );
    const windows = ownMidiToTrainingWindows([band, duo]);
    const profile = windows.profile!;
    expect(profile.kind).toBe('own');
    expect(profile.tracks.map((t) => [t.name, t.program, t.isDrum])).toEqual([
      ['Strings', 48, false],
      ['Pad', 89, false],
      ['Drums', 0, true],
    ]);
    // The first place: the band's strings (G4 half notes) and the duo's cello (G2 half notes); drums: a kick each beat.
    expect(profile.tracks[0]).toMatchObject({ low: 43, high: 67, polyphony: 1, noteSteps: 8, restRate: 0 });
    expect(profile.tracks[2].drumKeys).toEqual([
      { pitch: 36, hitRate: 0.25, pattern: [0, 4, 8, 12].reduce((p, i) => ((p[i] = 1), p), new Array(16).fill(0)) },
    ]);
    // The strings' rhythm: half notes on beats 1 and 3 of the bar.
    expect(profile.tracks[0].onsets[0] + profile.tracks[0].onsets[8]).toBe(1);
  });
});

describe('drum names', () => {
  it('names the General MIDI drum keys and lists a track’s drums, most struck first', () => {
    expect([35, 36, 38, 42, 46, 49, 81].map(drumName)).toEqual([
      'Acoustic Bass Drum',
      'Bass Drum 1',
      'Acoustic Snare',
      'Closed Hi-Hat',
      'Open Hi-Hat',
      'Crash Cymbal 1',
      'Open Triangle',
    ]);
    expect(drumName(20)).toBe('key 20');
    expect(drumList([42, 36, 42, 38, 42, 36])).toBe('Closed Hi-Hat, Bass Drum 1, Acoustic Snare');
    expect(drumList([42, 36, 38, 49, 51])).toBe('Bass Drum 1, Acoustic Snare, Closed Hi-Hat and 2 more');
    const drums = band.tracks.find((t) => t.isDrum)!;
    expect(trackRange(drums)).toBe('Bass Drum 1');
    expect(trackRange(band.tracks[indexOf('Bass')])).toBe('E2–E2');
  });
});

describe('the rhythm of a profile', () => {
  it('counts bar positions in the metre of the music: a waltz bass on its downbeats, the chords on beats 2 and 3', () => {
    const bars = 4;
    const waltz = parseMidi(
      buildMidi(
        [
          { name: 'Lead', notes: Array.from({ length: bars * 3 }, (_, i) => ({ pitch: 76, start: i * 4, steps: 4 })) },
          { name: 'Bass', program: 32, notes: Array.from({ length: bars }, (_, i) => ({ pitch: 43, start: i * 12, steps: 4 })) },
          {
            name: 'Piano',
            notes: Array.from({ length: bars * 2 }, (_, i) => ({ pitch: 60, start: Math.floor(i / 2) * 12 + 4 + (i % 2) * 4, steps: 4 })),
          },
        ],
        { timeSignature: [3, 4] },
      ),
    );
    const { profile } = ownMidiToTrainingWindows([waltz]);
    const [piano, bass] = profile!.tracks;
    expect(bass.onsets[0]).toBe(1);
    expect([piano.onsets[4], piano.onsets[8]]).toEqual([0.5, 0.5]);
    expect(piano.onsets.slice(12).every((share) => share === 0)).toBe(true);
  });
});

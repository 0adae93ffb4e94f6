/**
 * The melody track suggestion on multi-track files of the kinds people open: a piano piece with two
 * hands, a band arrangement with drums, an orchestral score with a short high part. Each file is built
 * here, read by parseMidi, and the suggestion is checked with and without helpful track names.
 */
import { describe, expect, it } from 'vitest';
import { defaultMelodyTrack, scoreMelodyTracks, suggestMelodyTrack } from '../../src/music/melody';
import { parseMidi, summarizeTracks } from '../../src/music/midiIn';
import { buildMidi, type NoteSpec, type TrackSpec } from './music-midi-helpers';

const BARS = 16;
const BAR = 16;

/** A tune: one note at a time, mostly quarters and eighths, in the given register, over `bars` bars from `fromBar`. */
function tune(low: number, bars = BARS, fromBar = 0): NoteSpec[] {
  const shape = [0, 2, 4, 5, 7, 5, 4, 2, 4, 7, 9, 7];
  const notes: NoteSpec[] = [];
  let step = fromBar * BAR;
  for (let i = 0; step < (fromBar + bars) * BAR; i++) {
    const steps = i % 3 === 2 ? 2 : 4;
    notes.push({ pitch: low + shape[i % shape.length], start: step, steps });
    step += steps;
  }
  return notes;
}

/** Block chords, `voices` notes each, one per half bar. */
function chords(root: number, voices: number, bars = BARS): NoteSpec[] {
  return Array.from({ length: bars * 2 }, (_, i) =>
    [0, 4, 7, 12].slice(0, voices).map((d) => ({ pitch: root + d + (i % 4 === 2 ? 5 : 0), start: i * 8, steps: 8 })),
  ).flat();
}

/** Broken-chord eighths (an Alberti bass or arpeggiated guitar): many notes, one at a time, low. */
function arpeggio(root: number, bars = BARS): NoteSpec[] {
  return Array.from({ length: bars * 8 }, (_, i) => ({ pitch: root + [0, 7, 4, 7][i % 4], start: i * 2, steps: 2 }));
}

/** A bass line: one long note per bar. */
function bassLine(root: number): NoteSpec[] {
  return Array.from({ length: BARS }, (_, i) => ({ pitch: root + [0, 5, 7, 0][i % 4], start: i * BAR, steps: BAR }));
}

function suggestedName(tracks: TrackSpec[]): string {
  const parsed = parseMidi(buildMidi(tracks));
  const index = suggestMelodyTrack(summarizeTracks(parsed));
  expect(defaultMelodyTrack(parsed)).toBe(index);
  return parsed.tracks[index].name;
}

const unnamed = (tracks: TrackSpec[]) => tracks.map((t, i) => ({ ...t, name: `Part ${String.fromCharCode(65 + i)}` }));

describe('suggestMelodyTrack on a piano piece with two hands', () => {
  // The left hand plays more notes (broken chords) than the right hand's tune.
  const piece = (): TrackSpec[] => [
    { name: 'Piano left hand', program: 0, notes: [...arpeggio(43), ...chords(48, 2).filter((_, i) => i % 6 === 0)] },
    { name: 'Piano right hand', program: 0, notes: tune(67) },
  ];

  it('picks the right hand', () => expect(suggestedName(piece())).toBe('Piano right hand'));
  it('picks the right hand by register and line alone when the tracks have no useful names', () => {
    expect(suggestedName(unnamed(piece()))).toBe('Part B');
  });
  it('picks the right hand when it is first, too', () => expect(suggestedName(unnamed([...piece()].reverse()))).toBe('Part A'));
});

describe('suggestMelodyTrack on a band arrangement with drums', () => {
  const band = (): TrackSpec[] => [
    { name: 'Drums', channel: 9, notes: Array.from({ length: BARS * 8 }, (_, i) => ({ pitch: i % 2 ? 42 : 36, start: i * 2, steps: 1 })) },
    { name: 'Bass', program: 33, notes: bassLine(36) },
    { name: 'Rhythm guitar', program: 25, notes: chords(55, 4) },
    { name: 'Keys', program: 4, notes: chords(60, 3) },
    { name: 'Lead vocal', program: 53, notes: tune(64) },
  ];

  it('picks the lead vocal, never the drums', () => expect(suggestedName(band())).toBe('Lead vocal'));
  it('picks the tune among unnamed parts whose chords reach higher', () => {
    // Keys' chords reach 72; the tune sits lower (64..73) but is the only single line with full coverage besides the bass.
    expect(suggestedName(unnamed(band()))).toBe('Part E');
  });
  it('gives the drums no score at all', () => {
    const tracks = summarizeTracks(parseMidi(buildMidi(band())));
    const drum = tracks.find((t) => t.isDrum)!;
    expect(scoreMelodyTracks(tracks).map((s) => s.index)).not.toContain(drum.index);
  });
});

describe('suggestMelodyTrack on an orchestral score with a short high part', () => {
  // Seventeen parts. Violin I carries the tune throughout; the piccolo plays a short, high pizzicato-like
  // figure (26 notes in two bars, one at a time, the highest part); the rest accompany.
  const score = (): TrackSpec[] => {
    const piccolo = tune(86, 2, 6).slice(0, 26);
    return [
      { name: 'Flutes', program: 73, notes: tune(72, 4, 12) },
      { name: 'Piccolo', program: 72, notes: piccolo },
      { name: 'Oboes', program: 68, notes: chords(64, 2, 8) },
      { name: 'Clarinets in B♭', program: 71, notes: chords(58, 2) },
      { name: 'Bassoons', program: 70, notes: bassLine(43) },
      { name: 'Horns in F', program: 60, notes: chords(53, 2) },
      { name: 'Trumpets', program: 56, notes: chords(60, 2, 4) },
      { name: 'Trombones', program: 57, notes: chords(48, 3, 6) },
      { name: 'Tuba', program: 58, notes: bassLine(31) },
      { name: 'Timpani', program: 47, notes: bassLine(38).slice(0, 8) },
      { name: 'Harp', program: 46, notes: arpeggio(55) },
      { name: 'Violin I', program: 40, notes: tune(67) },
      { name: 'Violin II', program: 40, notes: chords(62, 2) },
      { name: 'Viola', program: 41, notes: chords(55, 2) },
      { name: 'Violoncello', program: 42, notes: bassLine(36) },
      { name: 'Contrabass', program: 43, notes: bassLine(24) },
      { name: 'Violin I (pizz.)', program: 45, notes: tune(88, 2, 2).slice(0, 26) },
    ];
  };

  it('picks Violin I over the short high parts', () => {
    const tracks = score();
    expect(tracks).toHaveLength(17);
    expect(suggestedName(tracks)).toBe('Violin I');
  });
  it('picks the full-length tune when no part is named', () => {
    expect(suggestedName(unnamed(score()))).toBe('Part L');
  });
  it('scores the short high part low on coverage and note count, high on register', () => {
    const tracks = summarizeTracks(parseMidi(buildMidi(unnamed(score()))));
    const scores = scoreMelodyTracks(tracks);
    const piccolo = scores.find((s) => tracks[s.index].name === 'Part B')!;
    const violin = scores.find((s) => tracks[s.index].name === 'Part L')!;
    // The short part is the highest; above C6 its register counts a little less.
    expect(tracks[piccolo.index].meanPitch!).toBeGreaterThan(84);
    expect(tracks[piccolo.index].meanPitch!).toBeGreaterThan(tracks[violin.index].meanPitch!);
    expect(piccolo.notes).toBeLessThan(violin.notes);
    expect(piccolo.coverage).toBeLessThan(0.2);
    expect(violin.coverage).toBeGreaterThan(0.9);
    expect(violin.monophony).toBe(1);
    expect(violin.total).toBeGreaterThan(piccolo.total);
  });
});

describe('suggestMelodyTrack on simple files', () => {
  it('prefers the single line on top of a lower chordal track', () => {
    expect(
      suggestedName([
        { name: 'Bass', notes: chords(36, 2) },
        { name: 'Lead', notes: tune(64) },
      ]),
    ).toBe('Lead');
    expect(suggestedName(unnamed([{ notes: chords(36, 2) }, { notes: tune(64) }]))).toBe('Part B');
  });
  it('takes the only usable track, and the first track for a file without one', () => {
    expect(suggestMelodyTrack([])).toBe(0);
    expect(suggestedName([{ name: 'Solo', notes: chords(60, 3) }])).toBe('Solo');
  });
});

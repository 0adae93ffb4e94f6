/**
 * Harmonic analysis for chord symbols: the chord heard on each beat (by `chordHeard` of chords.ts, where chords
 * are recognised), spelled in the key, as a symbol ("G7/B") and as a Roman numeral ("V65"). Tones between the beats
 * (passing and neighbour notes) do not start chords; a beat whose notes make no chord keeps the chord before it.
 */
import { chordHeard, CHORD_QUALITIES, type ChordId } from './chords';
import { MAJOR_SCALE, NATURAL_MINOR_SCALE, type Key } from './keys';
import { PITCHES, type PianoRoll } from './pianoRoll';
import { pitchClassName } from './spelling';

/** A chord and the stretch of the roll it lasts. */
export interface ChordSpan {
  startStep: number;
  steps: number;
  chord: ChordId;
  /** The chord symbol in ASCII letters ("F#dim", "G7/B"); see `displayName` for ♯ and ♭. */
  symbol: string;
  /** The Roman numeral in the key, with its inversion figure ("V7", "vii°6", "♭VII"). */
  roman: string;
}

/** The root's name, the quality suffix and the bass, as a chord symbol. */
export function chordSymbol(chord: ChordId, key: Key): string {
  const root = pitchClassName(chord.root, key);
  const bass = chord.bass === chord.root ? '' : `/${pitchClassName(chord.bass, key)}`;
  return `${root}${CHORD_QUALITIES[chord.quality].suffix}${bass}`;
}

const LETTERS = 'CDEFGAB';
const NUMERALS = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII'];
const TRIAD_FIGURES = ['', '6', '64'];
const SEVENTH_FIGURES = ['7', '65', '43', '42'];
/** What marks a numeral's quality, by CHORD_QUALITIES' Tonal name. */
const QUALITY_MARKS: Record<string, string> = { dim: '°', aug: '+', maj7: 'M', m7b5: 'ø', dim7: '°' };

/** The Roman numeral of a chord in a key: its degree (lower case for a minor third), quality and inversion. */
export function romanNumeral(chord: ChordId, key: Key): string {
  const quality = CHORD_QUALITIES[chord.quality];
  const rootName = pitchClassName(chord.root, key);
  const tonicName = pitchClassName(key.tonic, key);
  const degree = (LETTERS.indexOf(rootName[0]) - LETTERS.indexOf(tonicName[0]) + 7) % 7;
  const expected = (key.mode === 'major' ? MAJOR_SCALE : NATURAL_MINOR_SCALE)[degree];
  let offset = ((((chord.root - key.tonic - expected) % 12) + 18) % 12) - 6;
  // Minor keys raise their 6th and 7th degrees as a matter of course (V and vii° of the harmonic minor).
  if (key.mode === 'minor' && (degree === 5 || degree === 6) && offset === 1) offset = 0;
  const accidental = offset > 0 ? '♯'.repeat(offset) : '♭'.repeat(-offset);
  const minorThird = quality.shape[1] === 3;
  const numeral = minorThird ? NUMERALS[degree].toLowerCase() : NUMERALS[degree];
  const position = quality.shape.indexOf((chord.bass - chord.root + 12) % 12);
  const figures = quality.shape.length === 3 ? TRIAD_FIGURES : SEVENTH_FIGURES;
  return `${accidental}${numeral}${QUALITY_MARKS[quality.tonalType] ?? ''}${figures[Math.max(0, position)]}`;
}

/** The MIDI pitches sounding at a step in the given tracks. */
function soundingAt(roll: PianoRoll, step: number, tracks: readonly number[]): number[] {
  const pitches: number[] = [];
  const n = roll.tracks.length;
  for (let pitch = 0; pitch < PITCHES; pitch++) {
    const base = (step * PITCHES + pitch) * n;
    if (tracks.some((t) => roll.active[base + t])) pitches.push(pitch);
  }
  return pitches;
}

/**
 * The chords of a roll in a key, one span per change of harmony: each beat's chord is read from the notes sounding
 * at the beat (the lowest is the bass), then, where they make none, halfway through it. `tracks` picks the tracks
 * to hear (default every non-drum track).
 */
export function analyzeHarmony(roll: PianoRoll, key: Key, tracks?: readonly number[]): ChordSpan[] {
  const heard = tracks ?? roll.tracks.flatMap((t, i) => (t.isDrum ? [] : [i]));
  const spans: ChordSpan[] = [];
  const beat = roll.stepsPerBeat;
  let last: ChordSpan | null = null;
  for (let start = 0; start < roll.steps; start += beat) {
    const end = Math.min(roll.steps, start + beat);
    const onBeat = soundingAt(roll, start, heard);
    const chord = chordHeard(onBeat) ?? (beat > 1 ? chordHeard(soundingAt(roll, start + Math.floor(beat / 2), heard)) : null);
    if (onBeat.length === 0 && !chord) {
      last = null; // silence ends the chord before it
      continue;
    }
    if (!chord || (last && last.chord.root === chord.root && last.chord.quality === chord.quality && last.chord.bass === chord.bass)) {
      if (last) last.steps = end - last.startStep;
      continue;
    }
    last = { startStep: start, steps: end - start, chord, symbol: chordSymbol(chord, key), roman: romanNumeral(chord, key) };
    spans.push(last);
  }
  return spans;
}

/**
 * Names of pitches and keys, the one place Cantus spells them: a key's name ("F# minor"), the letter name a pitch
 * is written with in a key (F♯ in G major, G♭ in D♭ major), the key's signature, and a pitch's name on a keyboard
 * ("C♯4"), answered by Tonal (@tonaljs/note, @tonaljs/key, @tonaljs/midi) for the key that `keys.ts` estimates.
 */
import { Key as TonalKey, Midi, Note } from '@tonaljs/tonal';
import { checkKey, type Key } from './keys';

/** Each tonic as musicians spell the key (fewest accidentals; F♯ major and E♭ minor where both spellings have six). */
const TONIC_NAMES: Record<Key['mode'], readonly string[]> = {
  major: ['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'],
  minor: ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'G#', 'A', 'Bb', 'B'],
};

/** The key's tonic as musicians spell it in that key ("F#", "Eb"). */
export function keyTonicName(key: Key): string {
  checkKey(key);
  return TONIC_NAMES[key.mode][key.tonic];
}

/** A readable key name such as "F# minor" or "Eb major". */
export function keyName(key: Key): string {
  return `${keyTonicName(key)} ${key.mode}`;
}

/** A MIDI pitch as a keyboard names it, sharps for the black keys and middle C as C4 ("C♯4"). */
export function pitchName(pitch: number): string {
  return displayName(Midi.midiToNoteName(pitch, { sharps: true }));
}

/** The MIDI pitch of a note name with its octave ("C4" = 60, "D#4" and "Eb4" = 63), as Tonal reads it; throws on another text. */
export function pitchOfName(name: string): number {
  const pitch = Note.midi(name);
  if (pitch === null) throw new RangeError(`not a note name with an octave: ${name}`);
  return pitch;
}

/** A pitch as a score writes it: a letter, an alteration in semitones (-2..2) and an octave (middle C is C4). */
export interface SpelledPitch {
  step: 'C' | 'D' | 'E' | 'F' | 'G' | 'A' | 'B';
  alter: number;
  octave: number;
}

/**
 * How each of the 12 semitones above the tonic is written, as an interval from the tonic: the key's own
 * degrees, then the chromatic ones as tonal music spells them (the raised 4th and 5th, the lowered 3rd and
 * 7th in major; the lowered 2nd, the raised 3rd, 4th, 6th and 7th in minor).
 */
const DEGREES: Record<Key['mode'], readonly string[]> = {
  major: ['1P', '1A', '2M', '3m', '3M', '4P', '4A', '5P', '5A', '6M', '7m', '7M'],
  minor: ['1P', '2m', '2M', '3m', '3M', '4P', '4A', '5P', '6m', '6M', '7m', '7M'],
};

const NATURAL_PC: Record<SpelledPitch['step'], number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/** The name of a pitch class in a key, in Tonal's letters ("F#", "Gb", "E"). */
export function pitchClassName(pitchClass: number, key: Key): string {
  const pc = ((pitchClass % 12) + 12) % 12;
  return Note.transpose(keyTonicName(key), DEGREES[key.mode][(pc - key.tonic + 12) % 12]);
}

/** A MIDI pitch spelled in a key. */
export function spellPitch(pitch: number, key: Key): SpelledPitch {
  const name = pitchClassName(pitch % 12, key);
  const step = name[0] as SpelledPitch['step'];
  const alter = Note.get(name).alt;
  return { step, alter, octave: Math.floor((pitch - alter - NATURAL_PC[step]) / 12) - 1 };
}

/** Sharps (positive) or flats (negative) in a key's signature. */
export function keyFifths(key: Key): number {
  const tonic = keyTonicName(key);
  return key.mode === 'major' ? TonalKey.majorKey(tonic).alteration : TonalKey.minorKey(tonic).alteration;
}

const SHARP_ORDER = ['F', 'C', 'G', 'D', 'A', 'E', 'B'] as const;

/** The alteration the key signature gives each letter (1 for F in G major). */
export function signatureAlter(fifths: number, step: SpelledPitch['step']): number {
  if (fifths > 0) return SHARP_ORDER.indexOf(step) < fifths ? 1 : 0;
  if (fifths < 0) return SHARP_ORDER.length - 1 - SHARP_ORDER.indexOf(step) < -fifths ? -1 : 0;
  return 0;
}

/** A note or chord name as people read it: sharps and flats as ♯ and ♭ ("F#dim" becomes "F♯dim"). */
export function displayName(name: string): string {
  return name.replace(
    /([A-G])(#{1,2}|b{1,2})/g,
    (_, letter: string, accidental: string) => letter + (accidental[0] === '#' ? '♯' : '♭').repeat(accidental.length),
  );
}

/** The instruments a track can be played with (names only: pure code can choose one without loading Tone.js). */
export const INSTRUMENTS = {
  piano: 'Grand piano',
  strings: 'Strings',
  organ: 'Church organ',
  choir: 'Choir',
  marimba: 'Marimba',
  bass: 'Acoustic bass',
  flute: 'Flute',
} as const;
export type InstrumentName = keyof typeof INSTRUMENTS;

/** Every voice the player has: the mixer's instruments and the General MIDI drum kit, which drum tracks (channel 10) get. */
export type VoiceName = InstrumentName | 'drums';

/**
 * The General MIDI program (0-based) of each instrument: an exported file plays in another program with the
 * instruments chosen in the mixer, and the page plays each of them (the piano excepted) from that program of a
 * General MIDI SoundFont (src/audio/soundBank.ts).
 */
export const GM_PROGRAMS: Record<InstrumentName, number> = {
  piano: 0, // Acoustic Grand Piano
  strings: 49, // String Ensemble 2 (slow strings)
  organ: 19, // Church Organ
  choir: 52, // Choir Aahs
  marimba: 12, // Marimba
  bass: 32, // Acoustic Bass
  flute: 73, // Flute
};

/** A sensible instrument for the n-th track: piano for the melody, then voices that stay apart. */
export function defaultInstrument(track: number): InstrumentName {
  const order: InstrumentName[] = ['piano', 'strings', 'organ', 'bass', 'marimba', 'flute', 'choir'];
  return order[track % order.length];
}

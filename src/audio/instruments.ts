/** The instruments a track can be played with (names only: pure code can choose one without loading Tone.js). */
export const INSTRUMENTS = {
  piano: 'Grand piano (sampled)',
  strings: 'Soft strings (synth)',
  organ: 'Organ (synth)',
  marimba: 'Marimba (synth)',
  bass: 'Bass (synth)',
  flute: 'Flute (synth)',
} as const;
export type InstrumentName = keyof typeof INSTRUMENTS;

/**
 * The General MIDI program (0-based) that sounds closest to each instrument, so an exported file
 * plays in another program with the instruments chosen in the mixer.
 */
export const GM_PROGRAMS: Record<InstrumentName, number> = {
  piano: 0, // Acoustic Grand Piano
  strings: 49, // String Ensemble 2 (slow strings)
  organ: 19, // Church Organ
  marimba: 12, // Marimba
  bass: 32, // Acoustic Bass
  flute: 73, // Flute
};

/** A sensible instrument for the n-th track: piano for the melody, then voices that stay apart. */
export function defaultInstrument(track: number): InstrumentName {
  const order: InstrumentName[] = ['piano', 'strings', 'organ', 'bass', 'marimba', 'flute'];
  return order[track % order.length];
}

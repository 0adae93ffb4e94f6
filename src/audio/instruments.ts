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

/** A sensible instrument for the n-th track: piano for the melody, then voices that stay apart. */
export function defaultInstrument(track: number): InstrumentName {
  const order: InstrumentName[] = ['piano', 'strings', 'organ', 'bass', 'marimba', 'flute'];
  return order[track % order.length];
}

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

/**
 * The mixer's instrument nearest to a General MIDI program, by its GM family (programs 0-7 pianos, 8-15 chromatic
 * percussion, 16-23 organs, 24-31 guitars, 32-39 basses, 40-47 strings, 48-55 ensembles, 56-63 brass, 64-79 reeds
 * and pipes, 80-87 synth leads, 88-103 pads and effects, 104-119 ethnic and percussive, 120-127 sound effects).
 */
export function instrumentForProgram(program: number): InstrumentName {
  if (program >= 52 && program <= 54) return 'choir';
  const byFamily: InstrumentName[] = [
    'piano',
    'marimba',
    'organ',
    'piano',
    'bass',
    'strings',
    'strings',
    'strings',
    'flute',
    'flute',
    'organ',
    'strings',
    'strings',
    'marimba',
    'marimba',
    'piano',
  ];
  return byFamily[Math.max(0, Math.min(127, Math.floor(program))) >> 3];
}

/**
 * A sensible instrument for the n-th track: the one nearest to the program the track states (its file's or its
 * data's instrument), else piano for the melody, then voices that stay apart.
 */
export function defaultInstrument(track: number, info?: { program: number }): InstrumentName {
  if (info && Number.isInteger(info.program)) return instrumentForProgram(info.program);
  const order: InstrumentName[] = ['piano', 'strings', 'organ', 'bass', 'marimba', 'flute', 'choir'];
  return order[track % order.length];
}

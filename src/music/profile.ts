/**
 * The data profile's types (measured in dataProfile.ts): what a model was trained on, as a set of training windows
 * and a model file carry it. Plain types only, so that the piano roll's module can name them without importing the
 * measures.
 */
/** Which kind of data a model learned from: it picks the decoding. */
export type DataKind = 'chorale' | 'own';

/** Positions in the bar that the rhythm measures count: up to the 16 steps of a 4/4 bar of 16ths. */
export const BAR_POSITIONS = 16;

/** One drum instrument (a General MIDI drum-map key) of a drum track and how often it is struck. */
export interface DrumKey {
  /** The General MIDI drum-map key, e.g. 36 bass drum, 38 snare, 42 closed hi-hat. */
  pitch: number;
  /** Share of the steps on which it is struck, 0..1. */
  hitRate: number;
  /** Share of the steps at each position of the bar (`barPosition`) on which it is struck. */
  pattern: number[];
}

/** One accompaniment track of the data. */
export interface TrackProfile {
  /** The track's name, General MIDI program and whether it is drums (as a roll's TrackInfo). */
  name: string;
  program: number;
  isDrum: boolean;
  /** The lowest and highest pitch of the track's notes (the 2nd and 98th percentile of their pitches). */
  low: number;
  high: number;
  /** Share of the steps where the melody sounds on which this track is silent (the voice rest rate), 0..1. */
  restRate: number;
  /** Mean number of pitches sounding at once on the steps where the track sounds (1 = a single line). */
  polyphony: number;
  /** Median note length in steps. */
  noteSteps: number;
  /** Share of the track's notes that start at each position of the bar (`barPosition`): its rhythm. */
  onsets: number[];
  /** Drum tracks: the kit's keys the data strikes, most struck first; empty for a melodic track. */
  drumKeys: DrumKey[];
}

/** What a model's data held: its kind, the melody's range and each accompaniment track (tracks 1.. of the rolls). */
export interface DataProfile {
  kind: DataKind;
  /** The melody's lowest and highest pitch (2nd and 98th percentile), where the melody is moved by octaves to be accompanied. */
  melody: { low: number; high: number };
  tracks: TrackProfile[];
}

/**
 * Values that several layers of Cantus must agree on, each named once: playback, MIDI files, recording,
 * the built-in tunes, the model's sizes and the training settings all read them from here.
 */

/**
 * MIDI velocity (1..127) of a note that states none: a model's output, a built-in tune, an on-screen key.
 * 90 of 127, a comfortable mezzo-forte; playback and MIDI export both use it, so a file sounds as the page did.
 */
export const DEFAULT_VELOCITY = 90;

/** Tempo in quarter-note beats per minute of a roll or MIDI file that states none (the MIDI standard's default). */
export const DEFAULT_TEMPO_BPM = 120;

/** The General MIDI drum channel, counted from 0 (channel 10 to musicians). */
export const DRUM_CHANNEL = 9;

/** Base widths the generator and critic can be built with, smallest first (64 reproduces the reference model). */
export const MODEL_WIDTHS = [4, 8, 16, 32, 64] as const;

/** One of MODEL_WIDTHS. */
export type ModelWidth = (typeof MODEL_WIDTHS)[number];

/**
 * The user's own MIDI files as training data, read from the files they picked in the page.
 */
import { MidiInputError } from '../music/errors';
import { parseMidi, type ParsedMidi } from '../music/midiIn';
import { ownMidiToTrainingWindows, type OwnMidiWindowOptions } from '../music/ownMidi';
import type { TrainingWindows } from '../music/pianoRoll';

/** What the page hands over: a picked `File`, or anything with a name and bytes. */
export interface NamedBytesSource {
  name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Parses one MIDI file: `parseMidi` here, or the page's off-thread reader (midiReader.ts). */
export type MidiParser = (bytes: Uint8Array) => ParsedMidi | Promise<ParsedMidi>;

/**
 * Reads and parses picked MIDI files; a file Cantus cannot use throws its `MidiInputError` with the
 * file's name in front of the message, so the user knows which one to fix.
 */
export async function readMidiFiles(files: NamedBytesSource[], parse: MidiParser = parseMidi): Promise<ParsedMidi[]> {
  const parsed: ParsedMidi[] = [];
  for (const file of files) {
    try {
      parsed.push(await parse(new Uint8Array(await file.arrayBuffer())));
    } catch (error) {
      if (error instanceof MidiInputError) throw new MidiInputError(error.code, `"${file.name}": ${error.message}`, { cause: error });
      throw error;
    }
  }
  return parsed;
}

/**
 * Which of a collection of own MIDI files `npm run evaluate` holds out (and `npm run train` leaves out of training):
 * by name order, every fifth file, or the last one of two to four files; a single file is trained on.
 */
export function splitOwnFiles(names: readonly string[]): { training: string[]; heldOut: string[] } {
  const sorted = [...names].sort();
  const held = (i: number) => (sorted.length >= 5 ? i % 5 === 4 : sorted.length >= 2 && i === sorted.length - 1);
  return { training: sorted.filter((_, i) => !held(i)), heldOut: sorted.filter((_, i) => held(i)) };
}

/** Training windows from picked MIDI files (track roles and windows as in `ownMidiToTrainingWindows`). */
export async function midiFilesToTrainingWindows(
  files: NamedBytesSource[],
  options: OwnMidiWindowOptions = {},
  parse: MidiParser = parseMidi,
): Promise<TrainingWindows> {
  if (files.length === 0) throw new MidiInputError('no-notes', 'No MIDI files were picked: choose one or more MIDI files to train on.');
  return ownMidiToTrainingWindows(await readMidiFiles(files, parse), options);
}

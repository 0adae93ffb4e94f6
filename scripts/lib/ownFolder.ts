/**
 * A folder of the user's own MIDI files, as `npm run train -- --data FOLDER` and `npm run evaluate -- --data FOLDER`
 * read it: its MIDI files by name order, every one parsed, and which are held out of training (`splitOwnFiles`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { splitOwnFiles } from '../../src/data/ownMidiFiles';
import { parseMidi, type ParsedMidi } from '../../src/music/midiIn';

/** The files of a folder that are MIDI files. */
export const MIDI_FILE = /\.midi?$/i;

/** A folder that cannot be used; the message says what to change. */
export class OwnDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OwnDataError';
  }
}

/** Whether `path` is a folder (own MIDI files) rather than a JSB file. */
export function isDataFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** The folder's MIDI files parsed, by name order, split into training and held-out; throws OwnDataError naming every unreadable file. */
export function readMidiFolder(folder: string): { names: string[]; parsed: ParsedMidi[]; training: string[]; heldOut: string[] } {
  if (!isDataFolder(folder)) throw new OwnDataError(`No folder at ${folder}`);
  const names = readdirSync(folder)
    .filter((name) => MIDI_FILE.test(name) && statSync(join(folder, name)).isFile())
    .sort();
  if (names.length === 0) throw new OwnDataError(`${folder} holds no MIDI files (.mid or .midi)`);
  const parsed: ParsedMidi[] = [];
  const problems: string[] = [];
  for (const name of names) {
    try {
      parsed.push(parseMidi(new Uint8Array(readFileSync(join(folder, name)))));
    } catch (error) {
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (problems.length > 0)
    throw new OwnDataError(
      `${problems.length === 1 ? 'A file' : `${problems.length} files`} of ${folder} cannot be read (fix or remove ${problems.length === 1 ? 'it' : 'them'}):\n  ${problems.join('\n  ')}`,
    );
  return { names, parsed, ...splitOwnFiles(names) };
}

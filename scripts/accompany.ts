/**
 * `npm run accompany -- --model DIR IN.mid [--track N] [--seed N] [generation options] [--keep KEPT.mid] [--out OUT.mid]`:
 * accompanies the melody of a MIDI file with a saved model, with the same generation as the page, and writes
 * the four-track result (melody and the model's three tracks: alto, tenor and bass, or its own data's) as a MIDI file. For users who work in batches. The
 * generation options' flags come from their schema (scripts/lib/generationFlags.ts). `--keep` keeps the notes of an
 * accompaniment written before (tracks 2.. of a file as this command writes them, perhaps edited since) and writes
 * the rest around them (infilling: src/music/locks.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { MusicInputError } from '../src/music/errors';
import { extractMelody } from '../src/music/melody';
import { lockSoundingNotes, type AccompanimentLock } from '../src/music/locks';
import { midiToRoll, parseMidi, summarizeTracks, type ParsedMidi } from '../src/music/midiIn';
import { addNote, trackNotes } from '../src/music/notes';
import { ACCOMPANIMENT_TRACKS, createRoll, sameGrid, stepsPerBar, type PianoRoll } from '../src/music/pianoRoll';
import { rollToMidi } from '../src/music/midiOut';
import { ModelFileError } from '../src/model/errors';
import { describeReport, generate } from '../src/model/generate/pipeline';
import type { GenerationOptions } from '../src/protocol/generation';
import { importModel } from '../src/model/io';
import { describeOptions, GENERATION_FLAGS, GenerationFlagError, generationOptionsFromFlags, generationUsage } from './lib/generationFlags';
import { readModelDir } from './lib/modelDir';
import { startNodeBackend } from './lib/tfNode';

const USAGE = `Usage: npm run accompany -- [--model DIR] IN.mid [--track N] [--seed N] [generation options] [--keep KEPT.mid] [--out OUT.mid]
  --model DIR         a saved model folder with model.json and model.weights.bin (default models/default)
  --track N           the file's track (1-based, as listed) that holds the melody (default: the suggested one)
  --seed N            the variation (default 1)
  --keep FILE         keeps the notes of FILE's accompaniment tracks (tracks 2.. of a file this command wrote for
                      the same melody, edited or cut as you like) and writes new accompaniment around them
  --out FILE          where to write the result (default IN - accompanied.mid beside the input)
generation options:
${generationUsage(22)}`;

/** A command line the script cannot follow; the message says what to change. */
export class AccompanyUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccompanyUsageError';
  }
}

export interface AccompanyCommand {
  model: string;
  input: string;
  track: number | null;
  seed: number;
  options: GenerationOptions;
  /** A MIDI file whose accompaniment notes are kept; null: none. */
  keep: string | null;
  out: string;
}

/** Reads the command line; throws AccompanyUsageError with what to change. */
export function parseAccompanyArgs(argv: string[]): AccompanyCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        track: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        keep: { type: 'string' },
        ...GENERATION_FLAGS,
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new AccompanyUsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new AccompanyUsageError(USAGE);
  if (positionals.length !== 1)
    throw new AccompanyUsageError(`Give exactly one MIDI file to accompany (got ${positionals.length}).\n${USAGE}`);
  const whole = (flag: string, text: string | undefined, min: number): number | null => {
    if (text === undefined) return null;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new AccompanyUsageError(`${flag} must be a whole number >= ${min}, got "${text}"`);
    return value;
  };
  let options: GenerationOptions;
  try {
    options = generationOptionsFromFlags(values);
  } catch (error) {
    if (error instanceof GenerationFlagError) throw new AccompanyUsageError(error.message);
    throw error;
  }
  const input = resolve(positionals[0]);
  const track = whole('--track', values.track, 1);
  return {
    model: resolve(values.model ?? 'models/default'),
    input,
    track: track === null ? null : track - 1,
    seed: whole('--seed', values.seed, 0) ?? 1,
    options,
    keep: values.keep === undefined ? null : resolve(values.keep),
    out: resolve(values.out ?? join(dirname(input), `${basename(input, extname(input))} - accompanied.mid`)),
  };
}

/** Accompanies the file as the command says and writes the result; returns lines to print. */
export async function accompanyFile(command: AccompanyCommand): Promise<string[]> {
  if (!existsSync(command.input)) throw new AccompanyUsageError(`No file at ${command.input}`);
  const parsed = parseMidi(new Uint8Array(readFileSync(command.input)));
  const melody = extractMelody(parsed, command.track === null ? {} : { track: command.track });
  const lock = command.keep === null ? null : keptLock(command.keep, melody.roll);
  const engine = await importModel(readModelDir(command.model));
  try {
    const { roll: result, report } = await generate(engine, melody.roll, command.seed, command.options, { lock });
    writeFileSync(command.out, rollToMidi(result, { title: `${basename(command.input, extname(command.input))} - accompanied` }));
    const trackName = summarizeTracks(parsed)[melody.trackIndex]?.name || `track ${melody.trackIndex + 1}`;
    const bars = (result.steps / (result.stepsPerBeat * result.beatsPerBar)).toFixed(1);
    return [
      `melody: ${trackName} (track ${melody.trackIndex + 1})${melody.trimmedSteps ? `, ${melody.trimmedSteps / result.stepsPerBeat} empty beats at the start left out` : ''}`,
      ...melody.warnings.map((w) => `note: ${w}`),
      `wrote ${command.out}: ${bars} bars, melody + ${result.tracks
        .slice(1)
        .map((t) => t.name)
        .join(', ')} (seed ${command.seed}${describeOptions(command.options) ? `, ${describeOptions(command.options)}` : ''})`,
      ...(lock && command.keep ? [`kept: the notes of ${basename(command.keep)}'s ${ACCOMPANIMENT_TRACKS} accompaniment tracks`] : []),
      `generation: ${describeReport(report)}`,
    ];
  } finally {
    engine.dispose();
  }
}

/**
 * The lock of `--keep FILE`: the notes of its tracks 2.. (as this command writes them: melody first, then one track per
 * accompaniment track) kept where they sound, under `melody`. Throws AccompanyUsageError for a file of another length
 * (in bars) or another number of tracks.
 */
export function keptLock(file: string, melody: PianoRoll): AccompanimentLock {
  if (!existsSync(file)) throw new AccompanyUsageError(`No file at ${file} (--keep)`);
  const parsed: ParsedMidi = parseMidi(new Uint8Array(readFileSync(file)));
  const name = basename(file);
  if (parsed.tracks.length !== ACCOMPANIMENT_TRACKS + 1)
    throw new AccompanyUsageError(
      `--keep ${name} has ${parsed.tracks.length} track${parsed.tracks.length === 1 ? '' : 's'}; it needs ${ACCOMPANIMENT_TRACKS + 1}, the melody and ${ACCOMPANIMENT_TRACKS} accompaniment tracks, as npm run accompany writes them`,
    );
  const barLength = stepsPerBar(melody);
  const keptBars = Math.ceil(parsed.totalSteps / barLength);
  const melodyBars = Math.ceil(melody.steps / barLength);
  if (keptBars !== melodyBars)
    throw new AccompanyUsageError(
      `--keep ${name} is ${keptBars} bar${keptBars === 1 ? '' : 's'} long and the melody ${melodyBars}: keep an accompaniment of this melody`,
    );
  const kept = midiToRoll(parsed, { tracks: parsed.tracks.map((t) => t.index) });
  const roll = createRoll(melody.steps, [melody.tracks[0], ...kept.tracks.slice(1)], { ...sameGrid(melody), withVelocities: true });
  for (let track = 0; track < roll.tracks.length; track++) {
    const from = track === 0 ? melody : kept;
    for (const note of trackNotes(from, track))
      if (note.startStep < roll.steps) addNote(roll, track, { ...note, steps: Math.min(note.steps, roll.steps - note.startStep) });
  }
  return lockSoundingNotes(roll);
}

if (process.argv[1]?.endsWith('scripts/accompany.ts')) {
  try {
    const command = parseAccompanyArgs(process.argv.slice(2));
    await startNodeBackend('wasm');
    for (const line of await accompanyFile(command)) console.log(line);
  } catch (error) {
    const known = error instanceof AccompanyUsageError || error instanceof MusicInputError || error instanceof ModelFileError;
    console.error(error instanceof Error && known ? error.message : error);
    process.exit(error instanceof AccompanyUsageError ? 2 : 1);
  }
}

/**
 * `npm run evaluate -- --model <dir> [--data <file>] [--json]`: accompanies the soprano line of every chorale
 * in a JSB-format file (its `valid` split, or its `test` split when that is the only one) and reports, per
 * system, the metrics of src/music/metrics/: what a listener hears (listener.ts: rests, chords, consonance,
 * voice leading, range, key) and the MuseGAN-style metrics (musegan.ts), each computed per chorale and
 * then averaged over chorales, plus `distance_to_bach`, `harmony_agreement` and the critic test
 * (src/model/criticTest.ts; `--no-critic-test` skips it). The systems are the model, Bach's own alto, tenor and
 * bass, and three baselines. With --json the last line is
 * {"systems": {"model": {...}, "bach": {...}, "baseline_<name>": {...}}, ...}.
 *
 * `npm run evaluate -- --model DIR --data FOLDER [--seed N] [--json]`, with a folder of MIDI files (as `npm run train
 * -- --data FOLDER` takes), instead judges the model on the folder's held-out files (`splitOwnFiles`: every fifth by
 * name, or the last of 2 to 4 files), laid out as training lays out the whole folder (`ownMidiRolls`): each one's
 * melody is accompanied by the model (held-out file i with seed + i) and the real file is the reference
 * (scripts/lib/evaluate/own.ts). Reported for the model and for the held-out data: per accompaniment track
 * (`measureDataProfile`, named after each one's tracks) the rest rate under the melody, polyphony, median note
 * length, range and, for drums, each key's hit rate; overall the chord rate (beats where the melody sounds on which
 * melody and melodic tracks sound 3 or more pitch classes), notes in the melody's key, and
 * `distance` = mean over the measures m of `PROFILE_MEASURES` of profileDistance(model, data)[m] (each averaged over
 * the track places: |Δ rest rate|, |Δ polyphony| / max(1, data's), |Δ median note length| / max(1, data's),
 * |Δ low| / 12 and |Δ high| / 12, the last two 0 for drums); the data's own distance is 0. A chorale model
 * (alto, tenor, bass) can be judged the same way, for comparison. No critic test (it learns on chorales);
 * --split, --limit and --critic-chorales are refused. With --json the last line is
 * {"data": {"folder", "files", "training_files"}, "model": {"folder", "kind"}, "seed",
 *  "systems": {"model": S, "data": S}, "heldOutFiles": [names]}, where S is {"tracks": [{"name", "is_drum",
 *  "rest_rate", "polyphony", "note_steps", "low", "high", "drum_keys": [{"pitch", "hit_rate"}]}], "chord_rate",
 *  "in_key_rate", "distance", "distances": {"rest_rate", "polyphony", "note_steps", "low", "high"}}.
 *
 * `npm run evaluate -- --melodies builtin,a.mid` instead accompanies the page's built-in tunes and/or the
 * melodies of MIDI files and reports the model's listener metrics per melody (no Bach to compare with; the
 * key comes from the melody).
 *
 * The work lives in scripts/lib/evaluate/: metrics.ts (the report), systems.ts (who accompanies), chorales.ts
 * (the chorale evaluation), critic.ts (the critic test), own.ts (a folder of own MIDI files), melodies.ts and format.ts
 * (the tables).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { evaluate } from './lib/evaluate/chorales';
import type { CriticTestRunOptions } from './lib/evaluate/critic';
import { formatMelodyTable, formatOwnTable, formatTable } from './lib/evaluate/format';
import { evaluateMelodies } from './lib/evaluate/melodies';
import { evaluateOwnData, isDataFolder, OwnDataError } from './lib/evaluate/own';
import { GENERATION_FLAGS, generationOptionsFromFlags, generationUsage } from './lib/generationFlags';
import { startNodeBackend, type NodeBackend } from './lib/tfNode';
import type { GenerationOptions } from '../src/protocol/generation';
import { DEFAULT_DATA } from './train';

export * from './lib/evaluate/metrics';
export { evaluate, type EvaluateOptions } from './lib/evaluate/chorales';
export { runCriticTests, type CriticTestRunOptions } from './lib/evaluate/critic';
export { formatMelodyTable, formatOwnTable, formatTable } from './lib/evaluate/format';
export { evaluateMelodies, loadMelodies, type MelodyReport } from './lib/evaluate/melodies';
export {
  evaluateOwnData,
  OWN_DISTANCE_MEASURES,
  OwnDataError,
  readOwnFolder,
  type OwnEvaluateOptions,
  type OwnEvaluationReport,
  type OwnSystemReport,
  type OwnTrackReport,
} from './lib/evaluate/own';
export { systemRolls } from './lib/evaluate/systems';

const USAGE = `Usage: npm run evaluate -- [--model DIR] [--data FILE] [--split NAME] [--seed N] [--limit N] [--backend wasm|cpu] [generation options] [--json]
       npm run evaluate -- [--model DIR] --data FOLDER [--seed N] [--backend wasm|cpu] [generation options] [--json]
       npm run evaluate -- [--model DIR] --melodies builtin,a.mid,... [--seed N] [generation options] [--json]
  --model DIR       a saved model folder with model.json and model.weights.bin (default models/default)
  --data FILE|DIR   JSB-format JSON (default ../shared/data/jsb-chorales/Jsb16thSeparated.train-valid.json);
                    a file with only a "valid" or only a "test" split will do (with --no-critic-test);
                    or a folder of MIDI files, as \`npm run train -- --data FOLDER\` takes: the model accompanies
                    the melodies of the files training held out (every fifth by name; the last of 2 to 4), and
                    its tracks are compared with theirs (no critic test, --split or --limit)
  --split NAME      split to evaluate (default valid; a file without one uses test)
  --limit N         evaluate the first N chorales only
  --no-critic-test  skip the critic test (a classifier telling each system's voices from Bach's, trained on
                    the "train" split: the longest part of the evaluation)
  --critic-chorales N  train the critic test on the first N train chorales only (default all; quicker, weaker)
  --melodies LIST   instead of chorales: "builtin" (the page's tunes) and/or MIDI files, comma-separated;
                    each file's melody is its suggested melody track, as on the page; melody i is
                    accompanied with seed + i, and judged in the key estimated from the melody (by the
                    chorale listener metrics: a model of your own files is judged with --data FOLDER)
generation options (of the model's accompaniments; the defaults are the page's):
${generationUsage(20)}`;

/** A command line the script cannot follow; the message says what to change (the usage follows it on the terminal). */
export class EvaluateUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluateUsageError';
  }
}

/** What the command line asks for: which evaluation (chorales, melodies or a folder of own MIDI files) and its settings. */
export interface EvaluateCommand {
  mode: 'chorales' | 'melodies' | 'own';
  help: boolean;
  model: string;
  /** The JSB file (chorales) or the folder of MIDI files (own). */
  data: string;
  split?: string;
  seed: number;
  limit: number | null;
  backend: NodeBackend;
  melodies?: string;
  generation: GenerationOptions;
  /** Chorales only: false, or the critic test's settings. */
  criticTest: false | CriticTestRunOptions;
  json: boolean;
}

/** Reads the command line; throws EvaluateUsageError with what to change. */
export function parseEvaluateArgs(argv: string[]): EvaluateCommand {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        model: { type: 'string' },
        data: { type: 'string' },
        split: { type: 'string' },
        seed: { type: 'string' },
        limit: { type: 'string' },
        backend: { type: 'string' },
        melodies: { type: 'string' },
        ...GENERATION_FLAGS,
        'no-critic-test': { type: 'boolean' },
        'critic-chorales': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    throw new EvaluateUsageError((error as Error).message);
  }
  const seed = Number(values.seed ?? 1);
  const limit = values.limit === undefined ? null : Number(values.limit);
  const criticChorales = values['critic-chorales'] === undefined ? undefined : Number(values['critic-chorales']);
  const backend = (values.backend ?? 'wasm') as NodeBackend;
  if (!Number.isInteger(seed) || (limit !== null && (!Number.isInteger(limit) || limit < 1)) || !['wasm', 'cpu'].includes(backend))
    throw new EvaluateUsageError('--seed and --limit take whole numbers (limit >= 1), --backend wasm or cpu');
  if (criticChorales !== undefined && (!Number.isInteger(criticChorales) || criticChorales < 1))
    throw new EvaluateUsageError(`--critic-chorales takes a whole number >= 1, got "${values['critic-chorales']}"`);
  if (criticChorales !== undefined && values['no-critic-test'])
    throw new EvaluateUsageError('--critic-chorales sets up the critic test that --no-critic-test skips: give one or the other');
  if (values.melodies !== undefined && (values.data !== undefined || values.split !== undefined || values.limit !== undefined))
    throw new EvaluateUsageError('--melodies evaluates melodies, not chorales: leave out --data, --split and --limit');
  const data = resolve(values.data ?? DEFAULT_DATA);
  const own = values.data !== undefined && isDataFolder(data);
  if (own && (values.split !== undefined || values.limit !== undefined))
    throw new EvaluateUsageError(
      `--data ${values.data} is a folder: the evaluation takes its held-out files (every fifth by name, as training left them out), ` +
        'so leave out --split and --limit',
    );
  if (own && criticChorales !== undefined)
    throw new EvaluateUsageError(
      'the critic test learns on chorales and is skipped for a folder of MIDI files: leave out --critic-chorales',
    );
  let generation: GenerationOptions;
  try {
    generation = generationOptionsFromFlags(values);
  } catch (error) {
    throw new EvaluateUsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    mode: values.melodies !== undefined ? 'melodies' : own ? 'own' : 'chorales',
    help: values.help ?? false,
    model: resolve(values.model ?? 'models/default'),
    data,
    split: values.split,
    seed,
    limit,
    backend,
    melodies: values.melodies,
    generation,
    criticTest: values['no-critic-test'] || own ? false : { trainChorales: criticChorales },
    json: values.json ?? false,
  };
}

if (process.argv[1]?.endsWith('scripts/evaluate.ts')) {
  let command: EvaluateCommand;
  try {
    command = parseEvaluateArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  if (command.help) {
    console.log(USAGE);
    process.exit(0);
  }
  try {
    await startNodeBackend(command.backend);
    const { model, seed, generation } = command;
    if (command.mode === 'melodies') {
      const result = await evaluateMelodies({ model, melodies: command.melodies ?? '', seed, generation });
      console.log(formatMelodyTable(result));
      if (command.json) console.log(JSON.stringify(result));
    } else if (command.mode === 'own') {
      const result = await evaluateOwnData({ model, data: command.data, seed, generation });
      console.log(formatOwnTable(result));
      if (command.json) console.log(JSON.stringify(result));
    } else {
      const started = Date.now();
      const result = await evaluate({
        model,
        data: command.data,
        split: command.split,
        seed,
        limit: command.limit,
        generation,
        criticTest: command.criticTest,
        log: (line) => console.error(line),
      });
      console.log(formatTable(result));
      console.log(`evaluated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      if (command.json) console.log(JSON.stringify(result));
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof OwnDataError ? 2 : 1);
  }
}

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
 * `npm run evaluate -- --melodies builtin,a.mid` instead accompanies the page's built-in tunes and/or the
 * melodies of MIDI files and reports the model's listener metrics per melody (no Bach to compare with; the
 * key comes from the melody).
 *
 * The work lives in scripts/lib/evaluate/: metrics.ts (the report), systems.ts (who accompanies), chorales.ts
 * (the chorale evaluation), critic.ts (the critic test), melodies.ts and format.ts (the tables).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { evaluate } from './lib/evaluate/chorales';
import { formatMelodyTable, formatTable } from './lib/evaluate/format';
import { evaluateMelodies } from './lib/evaluate/melodies';
import { GENERATION_FLAGS, generationOptionsFromFlags, generationUsage } from './lib/generationFlags';
import { startNodeBackend, type NodeBackend } from './lib/tfNode';
import type { GenerationOptions } from '../src/protocol/generation';
import { DEFAULT_DATA } from './train';

export * from './lib/evaluate/metrics';
export { evaluate, type EvaluateOptions } from './lib/evaluate/chorales';
export { runCriticTests, type CriticTestRunOptions } from './lib/evaluate/critic';
export { formatMelodyTable, formatTable } from './lib/evaluate/format';
export { evaluateMelodies, loadMelodies, type MelodyReport } from './lib/evaluate/melodies';
export { systemRolls } from './lib/evaluate/systems';

const USAGE = `Usage: npm run evaluate -- [--model DIR] [--data FILE] [--split NAME] [--seed N] [--limit N] [--backend wasm|cpu] [generation options] [--json]
       npm run evaluate -- [--model DIR] --melodies builtin,a.mid,... [--seed N] [generation options] [--json]
  --model DIR       a saved model folder with model.json and model.weights.bin (default models/default)
  --data FILE       JSB-format JSON (default ../shared/data/jsb-chorales/Jsb16thSeparated.train-valid.json);
                    a file with only a "valid" or only a "test" split will do (with --no-critic-test)
  --split NAME      split to evaluate (default valid; a file without one uses test)
  --limit N         evaluate the first N chorales only
  --no-critic-test  skip the critic test (a classifier telling each system's voices from Bach's, trained on
                    the "train" split: the longest part of the evaluation)
  --critic-chorales N  train the critic test on the first N train chorales only (default all; quicker, weaker)
  --melodies LIST   instead of chorales: "builtin" (the page's tunes) and/or MIDI files, comma-separated;
                    each file's melody is its suggested melody track, as on the page; melody i is
                    accompanied with seed + i, and judged in the key estimated from the melody
generation options (of the model's accompaniments; the defaults are the page's):
${generationUsage(20)}`;

if (process.argv[1]?.endsWith('scripts/evaluate.ts')) {
  let values;
  try {
    values = parseArgs({
      args: process.argv.slice(2),
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
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const seed = Number(values.seed ?? 1);
  const limit = values.limit === undefined ? null : Number(values.limit);
  const criticChorales = values['critic-chorales'] === undefined ? undefined : Number(values['critic-chorales']);
  const backend = (values.backend ?? 'wasm') as NodeBackend;
  if (!Number.isInteger(seed) || (limit !== null && (!Number.isInteger(limit) || limit < 1)) || !['wasm', 'cpu'].includes(backend)) {
    console.error(`--seed and --limit take whole numbers (limit >= 1), --backend wasm or cpu\n${USAGE}`);
    process.exit(2);
  }
  if (criticChorales !== undefined && (!Number.isInteger(criticChorales) || criticChorales < 1)) {
    console.error(`--critic-chorales takes a whole number >= 1, got "${values['critic-chorales']}"\n${USAGE}`);
    process.exit(2);
  }
  if (criticChorales !== undefined && values['no-critic-test']) {
    console.error(`--critic-chorales sets up the critic test that --no-critic-test skips: give one or the other\n${USAGE}`);
    process.exit(2);
  }
  if (values.melodies !== undefined && (values.data !== undefined || values.split !== undefined || values.limit !== undefined)) {
    console.error(`--melodies evaluates melodies, not chorales: leave out --data, --split and --limit\n${USAGE}`);
    process.exit(2);
  }
  let generation: GenerationOptions;
  try {
    generation = generationOptionsFromFlags(values);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  try {
    await startNodeBackend(backend);
    const model = resolve(values.model ?? 'models/default');
    if (values.melodies !== undefined) {
      const result = await evaluateMelodies({ model, melodies: values.melodies, seed, generation });
      console.log(formatMelodyTable(result));
      if (values.json) console.log(JSON.stringify(result));
    } else {
      const started = Date.now();
      const result = await evaluate({
        model,
        data: resolve(values.data ?? DEFAULT_DATA),
        split: values.split,
        seed,
        limit,
        generation,
        criticTest: values['no-critic-test'] ? false : { trainChorales: criticChorales },
        log: (line) => console.error(line),
      });
      console.log(formatTable(result));
      console.log(`evaluated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      if (values.json) console.log(JSON.stringify(result));
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

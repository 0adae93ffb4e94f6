/**
 * `npm run evaluate -- --model <dir> --data <file> [--json]`: accompanies the soprano line of every chorale
 * in a JSB-format file (its `valid` split, or its `test` split when that is the only one) and reports the
 * objective metrics of (a) the model, (b) Bach's own alto, tenor and bass, and (c) simple baselines, plus
 * how close each system comes to Bach. With --json the last line is
 * {"systems": {"model": {...}, "bach": {...}, "baseline_<name>": {...}}, ...}.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { octaveDoubling, randomInKey } from '../src/music/baselines';
import { jsbChoraleToRoll, parseJsbJson, type JsbChorale } from '../src/music/jsb';
import { evaluationMetrics, type EvaluationMetrics } from '../src/music/metrics';
import { selectTracks, type PianoRoll } from '../src/music/pianoRoll';
import { importModel } from '../src/model/io';
import { readModelDir } from './lib/modelDir';
import { startNodeBackend, type NodeBackend } from './lib/tfNode';
import { DEFAULT_DATA } from './train';

const USAGE = `Usage: npm run evaluate -- [--model DIR] [--data FILE] [--split NAME] [--seed N] [--limit N] [--backend wasm|cpu] [--json]
  --model DIR   a saved model folder with model.json and model.weights.bin (default models/default)
  --data FILE   JSB-format JSON (default ../shared/data/jsb-chorales/Jsb16thSeparated.train-valid.json)
  --split NAME  split to evaluate (default valid; a file with only a test split uses test)
  --limit N     evaluate the first N chorales only`;

/** The keys of the JSON report, in table order, with the metric each reads. */
const COLUMNS = [
  ['empty_bar_rate', 'emptyBarRate'],
  ['used_pitch_classes', 'usedPitchClasses'],
  ['qualified_note_rate', 'qualifiedNoteRate'],
  ['polyphonic_rate', 'polyphonicRate'],
  ['in_scale_rate', 'inScaleRate'],
  ['tonal_distance', 'tonalDistance'],
  ['consonance_rate', 'consonanceRate'],
  ['parallels_per_bar', 'parallelsPerBar'],
] as const satisfies readonly (readonly [string, keyof EvaluationMetrics])[];

/** The six MuseGAN-style metrics on which "closer to Bach" is judged. */
const MUSEGAN_KEYS = COLUMNS.slice(0, 6).map(([key]) => key);

export type SystemReport = Record<(typeof COLUMNS)[number][0], number>;

export interface EvaluationReport {
  data: string;
  split: string;
  chorales: number;
  systems: Record<string, SystemReport>;
  /** For each non-Bach system: on which MuseGAN metrics it is closer to Bach than each other non-Bach system. */
  closer_to_bach: Record<string, Record<string, string[]>>;
}

function report(metrics: EvaluationMetrics): SystemReport {
  return Object.fromEntries(COLUMNS.map(([key, field]) => [key, metrics[field]])) as SystemReport;
}

/** Picks the split to evaluate: the asked one, else valid, else test when that is the only split. */
export function chooseSplit(dataset: Record<string, JsbChorale[] | undefined>, asked: string | undefined): string {
  if (asked !== undefined) return asked;
  if ((dataset.valid?.length ?? 0) > 0) return 'valid';
  if ((dataset.test?.length ?? 0) > 0) return 'test';
  return 'valid';
}

/** Builds the report: every system's metrics over the same chorales, and the closeness comparison. */
export async function evaluate(options: { model: string; data: string; split?: string; seed: number; limit: number | null }): Promise<EvaluationReport> {
  if (!existsSync(options.data)) throw new Error(`No data file at ${options.data}`);
  const dataset = parseJsbJson(readFileSync(options.data, 'utf8')) as unknown as Record<string, JsbChorale[] | undefined>;
  const split = chooseSplit(dataset, options.split);
  const chorales = (dataset[split] ?? []).slice(0, options.limit ?? undefined);
  if (chorales.length === 0) throw new Error(`${options.data} has no chorales in a "${split}" split`);
  const engine = await importModel(readModelDir(options.model));
  try {
    const bach: PianoRoll[] = chorales.map((c) => jsbChoraleToRoll(c));
    const melodies = bach.map((roll) => selectTracks(roll, [0]));
    const model: PianoRoll[] = [];
    for (const [i, melody] of melodies.entries()) model.push(await engine.accompany(melody, options.seed + i));
    const systems: Record<string, SystemReport> = {
      model: report(evaluationMetrics(model)),
      bach: report(evaluationMetrics(bach)),
      baseline_octave_doubling: report(evaluationMetrics(melodies.map((m) => octaveDoubling(m)))),
      baseline_random_in_key: report(evaluationMetrics(melodies.map((m, i) => randomInKey(m, options.seed + i)))),
    };
    const others = Object.keys(systems).filter((name) => name !== 'bach');
    const closer: EvaluationReport['closer_to_bach'] = {};
    for (const name of others) {
      closer[name] = {};
      for (const rival of others.filter((o) => o !== name)) {
        closer[name][rival] = MUSEGAN_KEYS.filter((key) => {
          const gap = Math.abs(systems[name][key] - systems.bach[key]);
          const rivalGap = Math.abs(systems[rival][key] - systems.bach[key]);
          return gap < rivalGap;
        });
      }
    }
    return { data: options.data, split, chorales: chorales.length, systems, closer_to_bach: closer };
  } finally {
    engine.dispose();
  }
}

/** The report as a fixed-width table. */
export function formatTable(result: EvaluationReport): string {
  const names = Object.keys(result.systems);
  const width = Math.max(...names.map((n) => n.length), 8);
  const header = ['system'.padEnd(width), ...COLUMNS.map(([key]) => key.padStart(Math.max(key.length, 8)))].join('  ');
  const rows = names.map((name) =>
    [name.padEnd(width), ...COLUMNS.map(([key]) => result.systems[name][key].toFixed(3).padStart(Math.max(key.length, 8)))].join('  '),
  );
  const closeness = Object.entries(result.closer_to_bach.model ?? {}).map(
    ([rival, keys]) => `model closer to Bach than ${rival} on ${keys.length}/6 MuseGAN metrics: ${keys.join(', ') || 'none'}`,
  );
  return [`${result.chorales} chorales, split "${result.split}" of ${result.data}`, header, ...rows, '', ...closeness].join('\n');
}

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
  const backend = (values.backend ?? 'wasm') as NodeBackend;
  if (!Number.isInteger(seed) || (limit !== null && (!Number.isInteger(limit) || limit < 1)) || !['wasm', 'cpu'].includes(backend)) {
    console.error(`--seed and --limit take whole numbers (limit >= 1), --backend wasm or cpu\n${USAGE}`);
    process.exit(2);
  }
  try {
    await startNodeBackend(backend);
    const result = await evaluate({
      model: resolve(values.model ?? 'models/default'),
      data: resolve(values.data ?? DEFAULT_DATA),
      split: values.split,
      seed,
      limit,
    });
    console.log(formatTable(result));
    if (values.json) console.log(JSON.stringify(result));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

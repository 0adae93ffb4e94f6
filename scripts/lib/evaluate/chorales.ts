/**
 * The chorale evaluation of `npm run evaluate`: every system accompanies the sopranos of the evaluated split and is
 * measured against Bach's own voices (the listener and MuseGAN-style metrics, the distance to Bach, harmony
 * agreement), and, unless skipped, the critic test (./critic.ts) reads how well a classifier tells each from Bach.
 */
import { existsSync, readFileSync } from 'node:fs';

import { jsbChoraleToRoll, parseJsbJson, type JsbChorale } from '../../../src/music/jsb';
import { estimateRollKey } from '../../../src/music/keys';
import type { PianoRoll } from '../../../src/music/pianoRoll';
import { finiteMean, harmonyAgreement, meanOverRolls } from '../../../src/music/metrics';
import type { GanEngine } from '../../../src/model/gan';
import { DEFAULT_GENERATION_OPTIONS, type GenerationOptions } from '../../../src/protocol/generation';
import { importModel } from '../../../src/model/io';
import { readModelDir } from '../modelDir';
import { runCriticTests, type CriticTestRunOptions } from './critic';
import { systemRolls } from './systems';
import {
  SYSTEM_NAMES,
  chooseSplit,
  distanceToBach,
  rollReport,
  type EvaluationReport,
  type MetricReport,
  type SystemName,
  type SystemReport,
} from './metrics';

/** Options of `evaluate`. */
export interface EvaluateOptions {
  model: string;
  data: string;
  split?: string;
  seed: number;
  limit: number | null;
  /** The options of every accompaniment of the model (default: the defaults, as on the page). */
  generation?: GenerationOptions;
  /** Run the critic test (default false here; the command line runs it unless --no-critic-test). */
  criticTest?: boolean | CriticTestRunOptions;
  /** Progress lines of the long steps (the critic test), e.g. to stderr. */
  log?: (line: string) => void;
}

export async function loadEngine(dir: string): Promise<GanEngine> {
  return importModel(readModelDir(dir));
}

/**
 * Builds the chorale report: every system's per-chorale metrics averaged over the same chorales, the distances to
 * Bach, harmony agreement and, when asked, the critic test.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationReport> {
  if (!existsSync(options.data)) throw new Error(`No data file at ${options.data}`);
  const dataset = parseJsbJson(readFileSync(options.data, 'utf8'), { requireTrain: false }) as unknown as Record<
    string,
    JsbChorale[] | undefined
  >;
  const split = chooseSplit(dataset, options.split);
  const chorales = (dataset[split] ?? []).slice(0, options.limit ?? undefined);
  if (chorales.length === 0) throw new Error(`${options.data} has no chorales in a "${split}" split`);
  const critic = options.criticTest === true ? {} : options.criticTest === false ? undefined : options.criticTest;
  const trainChorales = dataset.train ?? [];
  if (critic !== undefined && trainChorales.length === 0)
    throw new Error(
      `The critic test learns on a "train" split, and ${options.data} has none: give --data a file with one, or --no-critic-test`,
    );
  if (critic !== undefined && split === 'train')
    throw new Error('The critic test scores chorales its classifier never saw: evaluate another split than "train", or --no-critic-test');
  const generation = options.generation ?? DEFAULT_GENERATION_OPTIONS;
  const engine = await loadEngine(options.model);
  try {
    const bach: PianoRoll[] = chorales.map((c) => jsbChoraleToRoll(c));
    // Every system is judged against the key of Bach's own four voices of the same chorale.
    const keys = bach.map((roll) => estimateRollKey(roll));
    const rolls = await systemRolls(engine, bach, options.seed, generation);
    const perChorale = {} as Record<SystemName, MetricReport[]>;
    const means = {} as Record<SystemName, MetricReport>;
    for (const name of SYSTEM_NAMES) {
      perChorale[name] = rolls[name].map((roll, i) => rollReport(roll, keys[i]));
      means[name] = meanOverRolls(perChorale[name]);
    }
    const { distances, ...distance } = distanceToBach(means, perChorale.bach);
    const systems = {} as Record<SystemName, SystemReport>;
    for (const name of SYSTEM_NAMES) {
      const agreement = finiteMean(rolls[name].map((roll, i) => harmonyAgreement(bach[i], roll)));
      systems[name] = { ...means[name], distance_to_bach: distances[name], harmony_agreement: agreement };
    }
    const report: EvaluationReport = { systems, data: options.data, split, chorales: chorales.length, ...distance };
    if (critic !== undefined) {
      const run = await runCriticTests(engine, trainChorales, rolls, { seed: options.seed, generation, log: options.log, ...critic });
      for (const [name, reading] of Object.entries(run.readings)) systems[name as SystemName].critic_test = reading;
      systems.model.critic_test_views = run.modelViews;
      if (run.modelCheck) systems.model.critic_test_check = run.modelCheck;
      report.critic_test = run.setup;
    }
    return report;
  } finally {
    engine.dispose();
  }
}

/**
 * The critic test of `npm run evaluate` (src/model/criticTest.ts): every system accompanies the sopranos of the
 * train split as it does the evaluated split's (same decoding, chorale i with seed + i); for each system but Bach,
 * a classifier learns Bach's train-split windows against the system's, then reads the evaluated split. The model is
 * also read in each restricted view (rhythm, pitch classes, bass).
 */
import { criticTest, CRITIC_CHECK_DESIGN, CRITIC_TEST_DESIGN, type CriticTestResult } from '../../../src/model/criticTest';
import { CRITIC_VIEWS, type CriticView } from '../../../src/music/criticWindows';
import { jsbChoraleToRoll, type JsbChorale } from '../../../src/music/jsb';
import type { PianoRoll } from '../../../src/music/pianoRoll';
import type { GanEngine } from '../../../src/model/gan';
import type { GenerationOptions } from '../../../src/protocol/generation';
import { systemRolls } from './systems';
import { SYSTEM_NAMES, type CriticTestReading, type CriticTestSetup, type SystemName } from './metrics';

/** Options of the critic test in the evaluation. */
export interface CriticTestRunOptions {
  /** Train on the first N chorales of the train split only (default all of them). */
  trainChorales?: number;
  /** Passes of each classifier (default CRITIC_TEST_DESIGN.epochs); fewer only for quick checks. */
  epochs?: number;
  /** Also read the model in the restricted views and with the second design (default true). */
  views?: boolean;
}

/** What the critic test read: per system but Bach, and the model's restricted views. */
export interface CriticTestRun {
  readings: Partial<Record<SystemName, CriticTestReading>>;
  modelViews: Partial<Record<Exclude<CriticView, 'full'>, CriticTestReading>>;
  /** The model read by the classifier of the second design (CRITIC_CHECK_DESIGN); absent without views. */
  modelCheck?: CriticTestReading;
  setup: CriticTestSetup;
}

function reading(result: CriticTestResult): CriticTestReading {
  return { window_accuracy: result.window_accuracy, auc: result.auc, chorale_accuracy: result.chorale_accuracy };
}

/** Runs the critic test of every system but Bach (and of the model's views), on the evaluated split's `evaluated` rolls. */
export async function runCriticTests(
  engine: GanEngine,
  trainSplit: readonly JsbChorale[],
  evaluated: Record<SystemName, PianoRoll[]>,
  options: CriticTestRunOptions & { seed: number; generation: GenerationOptions; log?: (line: string) => void },
): Promise<CriticTestRun> {
  const count = options.trainChorales ?? trainSplit.length;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`the critic test needs at least one train chorale, got ${count}`);
  const epochs = options.epochs ?? CRITIC_TEST_DESIGN.epochs;
  const log = options.log ?? (() => {});
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  const bach = trainSplit.slice(0, count).map((c) => jsbChoraleToRoll(c));
  log(`critic test: accompanying ${bach.length} train chorales`);
  const train = await systemRolls(engine, bach, options.seed, options.generation);
  const readings: CriticTestRun['readings'] = {};
  const modelViews: CriticTestRun['modelViews'] = {};
  const testOptions = { seed: options.seed, epochs };
  for (const name of SYSTEM_NAMES) {
    if (name === 'bach') continue;
    const views: CriticView[] = name === 'model' && options.views !== false ? [...CRITIC_VIEWS] : ['full'];
    for (const view of views) {
      const result = await criticTest(
        { bach: train.bach, system: train[name] },
        { bach: evaluated.bach, system: evaluated[name] },
        { ...testOptions, view },
      );
      log(`critic test: ${name}${view === 'full' ? '' : ` (${view})`} ${result.window_accuracy.toFixed(3)} (${elapsed()})`);
      if (view === 'full') readings[name] = reading(result);
      else modelViews[view] = reading(result);
    }
  }
  let modelCheck: CriticTestReading | undefined;
  if (options.views !== false) {
    const result = await criticTest(
      { bach: train.bach, system: train.model },
      { bach: evaluated.bach, system: evaluated.model },
      { seed: options.seed, design: CRITIC_CHECK_DESIGN, ...(options.epochs === undefined ? {} : { epochs: options.epochs }) },
    );
    log(`critic test: model, second classifier design ${result.window_accuracy.toFixed(3)} (${elapsed()})`);
    modelCheck = reading(result);
  }
  return {
    readings,
    modelViews,
    ...(modelCheck ? { modelCheck } : {}),
    setup: { train_chorales: bach.length, seed: options.seed, epochs },
  };
}

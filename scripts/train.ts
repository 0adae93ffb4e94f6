/**
 * `npm run train -- [options]`: trains the accompaniment GAN in Node with the same engine and training driver
 * (src/model/driver.ts) as the page's worker (wasm backend by default), printing progress and checkpointing so
 * that a killed run, started again with the same --out, continues from its last checkpoint with its optimiser state.
 *
 * Output folder (--out): checkpoint/ (training state: model + both Adam optimisers), model/ (the finished
 * model, loadable by the page), run.json (what the run trains on), log.jsonl (one line per iteration).
 * The last few windows are kept out of training (src/music/heldOut.ts); each epoch's end prints the network's own
 * measures on them, before any decoding, beside the same measures of their real voices.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { ALL_KEY_TRANSPOSITIONS, jsbToTrainingWindows, parseJsbJson, type JsbDataset } from '../src/music/jsb';
import { MidiInputError } from '../src/music/errors';
import { ownMidiRolls, ownRollsToTrainingWindows } from '../src/music/ownMidi';
import { OwnDataError, readMidiFolder } from './lib/ownFolder';
import { heldOutReference, splitHeldOut, windowRange, type HeldOutReference, type NetworkMeasures } from '../src/music/heldOut';
import type { TrainingWindows } from '../src/music/pianoRoll';
import { checkHyperParams, MODEL_SIZES, type HyperParams, type HyperParamsInput } from '../src/protocol/config';
import { exportModel, exportTrainingState, importModel, importTrainingState } from '../src/model/io';
import { trainEngineIteration, TrainingDriver } from '../src/model/driver';
import { GanEngine } from '../src/model/gan';
import { measureHeldOut } from '../src/model/heldOut';
import { hasModel, readModelDir, recoverModelDir, writeModelDir } from './lib/modelDir';
import { NODE_BACKENDS, nodeWasmThreads, startNodeBackend, type NodeBackend } from './lib/tfNode';
import { replicaCount, ReplicatedTraining } from '../src/model/parallel/replicas';
import { spawnNodeReplica } from './lib/replicas';

export const DEFAULT_DATA = resolve(import.meta.dirname, '../../shared/data/jsb-chorales/Jsb16thSeparated.train-valid.json');

const USAGE = `Usage: npm run train -- [options]
  --out DIR               run folder: checkpoint/, model/, run.json, log.jsonl (default runs/latest)
  --data FILE|DIR         JSB-format JSON (default ../shared/data/jsb-chorales/Jsb16thSeparated.train-valid.json),
                          or a folder of your own MIDI files (.mid, .midi): the model learns their style, drums
                          included (tracks chosen as the page does by default; every fifth file, by name, is held
                          out for \`npm run evaluate --data DIR\`)
  --split NAME            split to train on (default train; for a folder: train, or all to use every file)
  --hop STEPS             steps between training windows (default 16, one bar)
  --transpose LIST|all    extra transpositions in semitones, e.g. -2,2 (default none); "all" adds every
                          key within a tritone that keeps each voice inside its range in the data set
  --limit-windows N       train on the first N windows only
  --epochs N  --learning-rate X  --update-ratio N  --batch-size N  --seed N
  --voice-loss-weight X   weight of the generator's voice term (0 = pure WGAN-GP; default 10)
  --voice-context         the generator also reads the voices, some of their steps hidden, and writes the hidden
                          ones (Coconet-style); generation then draws the voices by Gibbs sampling
  --init-from DIR         a new run starts from the model in DIR (same base width); a generator with
                          --voice-context starts from one without as that model (its new input planes at zero)
  --base-width N | --size tiny|small|medium|large|reference
  --max-iterations N      stop (with a checkpoint) once the run has done N iterations in all
  --checkpoint-every N    also checkpoint every N iterations (default 10; epochs always end with one)
  --backend wasm|cpu|webgpu  TensorFlow.js backend (default wasm, on every core: one replica of the
                          model per core, CANTUS_WASM_THREADS=N for N; webgpu uses the machine's GPU
                          through Dawn, see docs/scaling.md)
  --quiet                 print one line per epoch instead of one per iteration`;

/** A command line the script cannot follow; the message says what to change. */
export class TrainUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainUsageError';
  }
}

export interface RunInfo {
  data: string;
  split: string;
  hop: number;
  transpose: number[];
  /** Transposed copies keep each voice inside its range in the data set (set by --transpose all). */
  keepVoiceRanges?: boolean;
  limitWindows: number | null;
  windows: number;
}

export interface TrainOptions {
  out: string;
  run: Omit<RunInfo, 'windows'>;
  hyper: HyperParamsInput;
  maxIterations: number | null;
  /** A new run starts from this model folder's weights; null: from seeded weights. */
  initFrom: string | null;
  checkpointEvery: number;
  backend: NodeBackend;
  quiet: boolean;
}

function wholeNumber(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new TrainUsageError(`${flag} must be a whole number >= ${min}, got "${text}"`);
  return value;
}

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new TrainUsageError(`${flag} must be a number, got "${text}"`);
  return value;
}

/** Reads the command line into options; the hyperparameters are validated later, all at once. */
export function parseTrainArgs(argv: string[]): TrainOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        out: { type: 'string' },
        data: { type: 'string' },
        split: { type: 'string' },
        hop: { type: 'string' },
        transpose: { type: 'string' },
        'limit-windows': { type: 'string' },
        epochs: { type: 'string' },
        'learning-rate': { type: 'string' },
        'update-ratio': { type: 'string' },
        'batch-size': { type: 'string' },
        'voice-loss-weight': { type: 'string' },
        'voice-context': { type: 'boolean' },
        'init-from': { type: 'string' },
        seed: { type: 'string' },
        'base-width': { type: 'string' },
        size: { type: 'string' },
        'max-iterations': { type: 'string' },
        'checkpoint-every': { type: 'string' },
        backend: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new TrainUsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) throw new TrainUsageError(USAGE);
  const hyper: Record<string, unknown> = {};
  const set = (key: keyof HyperParams, value: unknown) => {
    if (value !== undefined) hyper[key] = value;
  };
  set('epochs', number('--epochs', v.epochs));
  set('learningRate', number('--learning-rate', v['learning-rate']));
  set('updateRatio', number('--update-ratio', v['update-ratio']));
  set('batchSize', number('--batch-size', v['batch-size']));
  set('seed', number('--seed', v.seed));
  set('voiceLossWeight', number('--voice-loss-weight', v['voice-loss-weight']));
  set('voiceContext', v['voice-context']);
  if (v.size !== undefined && v['base-width'] !== undefined) throw new TrainUsageError('give --size or --base-width, not both');
  if (v.size !== undefined) {
    if (!(v.size in MODEL_SIZES))
      throw new TrainUsageError(`--size must be one of ${Object.keys(MODEL_SIZES).join(', ')}, got "${v.size}"`);
    set('baseWidth', MODEL_SIZES[v.size as keyof typeof MODEL_SIZES]);
  }
  set('baseWidth', number('--base-width', v['base-width']));
  const backend = v.backend ?? 'wasm';
  if (!(NODE_BACKENDS as readonly string[]).includes(backend))
    throw new TrainUsageError(`--backend must be ${NODE_BACKENDS.join(', ')}, got "${backend}"`);
  const allKeys = v.transpose?.trim() === 'all';
  const transpose = (allKeys ? ALL_KEY_TRANSPOSITIONS.join(',') : (v.transpose ?? ''))
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => {
      const shift = Number(s);
      if (!Number.isInteger(shift) || Math.abs(shift) > 24)
        throw new TrainUsageError(`--transpose takes whole semitone shifts within ±24, got "${s}"`);
      return shift;
    });
  return {
    out: resolve(v.out ?? 'runs/latest'),
    run: {
      data: resolve(v.data ?? DEFAULT_DATA),
      split: v.split ?? 'train',
      hop: wholeNumber('--hop', v.hop, 1) ?? 16,
      transpose,
      ...(allKeys ? { keepVoiceRanges: true } : {}),
      limitWindows: wholeNumber('--limit-windows', v['limit-windows'], 1) ?? null,
    },
    hyper: hyper as HyperParamsInput,
    maxIterations: wholeNumber('--max-iterations', v['max-iterations'], 1) ?? null,
    initFrom: v['init-from'] === undefined ? null : resolve(v['init-from']),
    checkpointEvery: wholeNumber('--checkpoint-every', v['checkpoint-every'], 1) ?? 10,
    backend: backend as NodeBackend,
    quiet: v.quiet ?? false,
  };
}

/**
 * Own MIDI files in `dir` (a split: 'train' leaves the held-out files out, 'all' keeps every file) as training windows,
 * the tracks laid out over the whole folder, as `npm run evaluate -- --data DIR` lays them out.
 */
export function loadOwnMidiWindows(dir: string, split: string, hop: number, transpose: number[]): TrainingWindows {
  if (split !== 'train' && split !== 'all')
    throw new TrainUsageError(`--split for a folder of MIDI files must be train or all, got "${split}"`);
  try {
    const { names, parsed, training } = readMidiFolder(dir);
    const { rolls, tracks } = ownMidiRolls(parsed, [], names);
    const kept = split === 'all' ? rolls : rolls.filter((_, i) => training.includes(names[i]));
    return ownRollsToTrainingWindows(kept, tracks, { hopSteps: hop, transpositions: transpose });
  } catch (error) {
    if (error instanceof MidiInputError || error instanceof OwnDataError) throw new TrainUsageError(error.message);
    throw error;
  }
}

/** Loads the training windows a run asks for. */
export function loadWindows(run: Omit<RunInfo, 'windows'>): TrainingWindows {
  if (!existsSync(run.data)) throw new TrainUsageError(`No data file at ${run.data}`);
  if (statSync(run.data).isDirectory()) {
    const windows = loadOwnMidiWindows(run.data, run.split, run.hop, run.transpose);
    if (run.limitWindows === null || run.limitWindows >= windows.count) return windows;
    return windowRange(windows, 0, run.limitWindows);
  }
  const dataset: JsbDataset = parseJsbJson(readFileSync(run.data, 'utf8'));
  const chorales = dataset[run.split as keyof JsbDataset];
  if (!Array.isArray(chorales) || chorales.length === 0) {
    throw new TrainUsageError(`${run.data} has no "${run.split}" split with chorales in it`);
  }
  const windows = jsbToTrainingWindows(chorales, {
    hopSteps: run.hop,
    transpositions: run.transpose,
    keepVoiceRanges: run.keepVoiceRanges ?? false,
  });
  if (run.limitWindows === null || run.limitWindows >= windows.count) return windows;
  return windowRange(windows, 0, run.limitWindows);
}

function sameRun(a: RunInfo, b: RunInfo): string | null {
  for (const key of ['data', 'split', 'hop', 'limitWindows', 'windows', 'keepVoiceRanges'] as const) {
    if ((a[key] ?? false) !== (b[key] ?? false)) return `${key} (${String(b[key])} in the checkpoint, ${String(a[key])} now)`;
  }
  if (a.transpose.join() !== b.transpose.join()) return `transpose (${b.transpose.join()} in the checkpoint, ${a.transpose.join()} now)`;
  return null;
}

/** A new run's settings, validated; throws TrainUsageError naming every bad one. */
function checkedSettings(hyper: HyperParamsInput): HyperParams {
  const checked = checkHyperParams(hyper);
  if (!checked.ok) throw new TrainUsageError(`Invalid settings: ${checked.problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
  return checked.value;
}

/** Resumes the checkpoint in `out` if there is one (refusing one made for other data or settings), else builds a new engine. */
export async function openEngine(options: TrainOptions, run: RunInfo, log: (line: string) => void): Promise<GanEngine> {
  const checkpointDir = join(options.out, 'checkpoint');
  recoverModelDir(checkpointDir);
  const runFile = join(options.out, 'run.json');
  if (hasModel(checkpointDir)) {
    const saved = JSON.parse(readFileSync(runFile, 'utf8')) as RunInfo;
    const differs = sameRun(run, saved);
    if (differs) throw new TrainUsageError(`${options.out} holds a run on other data: ${differs}. Use another --out to start afresh.`);
    const engine = await importTrainingState(readModelDir(checkpointDir));
    // Only the length of training may change on resume; every other setting must be the checkpoint's.
    const asked = checkHyperParams({ ...engine.config, ...options.hyper });
    if (!asked.ok) throw new TrainUsageError(asked.problems.map((p) => `${p.field} ${p.message}`).join('; '));
    const changed = (Object.keys(options.hyper) as (keyof HyperParams)[]).filter(
      (key) => key !== 'epochs' && JSON.stringify(asked.value[key]) !== JSON.stringify(engine.config[key]),
    );
    if (changed.length > 0) {
      engine.dispose();
      throw new TrainUsageError(
        `The checkpoint in ${options.out} was trained with other ${changed.join(', ')}; only --epochs may change when resuming. Use another --out to start afresh.`,
      );
    }
    log(`resumed from checkpoint at epoch ${engine.epoch}, iteration ${engine.iteration}`);
    if (asked.value.epochs === engine.config.epochs) return engine;
    // A longer (or shorter) run: same weights and optimiser state under the new epoch count.
    const files = await exportTrainingState(engine);
    engine.dispose();
    const manifest = JSON.parse(files.modelJson) as { config: HyperParams };
    manifest.config = asked.value;
    return importTrainingState({ modelJson: JSON.stringify(manifest), weights: files.weights });
  }
  const settings = checkedSettings(options.hyper);
  mkdirSync(options.out, { recursive: true });
  writeFileSync(runFile, JSON.stringify(run, null, 2));
  const engine = GanEngine.create(settings);
  if (options.initFrom) {
    if (!hasModel(options.initFrom)) throw new TrainUsageError(`No model to start from in ${options.initFrom}`);
    const source = await importModel(readModelDir(options.initFrom));
    try {
      engine.copyWeightsFrom(source);
    } catch (error) {
      engine.dispose();
      throw new TrainUsageError(`Cannot start from ${options.initFrom}: ${(error as Error).message}`);
    } finally {
      source.dispose();
    }
  }
  log(`new run in ${options.out}${options.initFrom ? `, starting from the model in ${options.initFrom}` : ''}`);
  return engine;
}

/** Trains as the options say; returns the engine's final counters. */
export async function train(
  options: TrainOptions,
  log: (line: string) => void = (l) => console.log(l),
): Promise<{ epoch: number; iteration: number; stoppedEarly: boolean }> {
  // A new run's settings are checked before the backend starts and the data loads, so a typo is told at once (a
  // resumed run's are checked against its checkpoint's in openEngine).
  if (!hasModel(join(options.out, 'checkpoint'))) checkedSettings(options.hyper);
  const backendInUse = await startNodeBackend(options.backend);
  const windows = loadWindows(options.run);
  // run.json records every window loaded; the run trains on all but the held-out ones.
  const run: RunInfo = { ...options.run, windows: windows.count };
  const { training: trainingWindows, heldOut } = splitHeldOut(windows);
  const engine = await openEngine(options, run, log);
  const config = engine.config;
  const driver = new TrainingDriver({
    config,
    windowCount: trainingWindows.count,
    completedIterations: engine.iteration,
    checkpointEvery: options.checkpointEvery,
    ...(options.maxIterations === null ? {} : { maxIterations: options.maxIterations }),
  });
  const perEpoch = driver.iterationsPerEpoch;
  const total = driver.totalIterations;
  // On wasm, one replica of the engine per core trains on its share of each batch (src/model/parallel/replicas.ts).
  const replicas = options.backend === 'wasm' ? replicaCount(nodeWasmThreads(), config.batchSize) : 1;
  const training = await ReplicatedTraining.starter(replicas, spawnNodeReplica)?.(engine);
  log(
    `backend ${backendInUse}${training ? `, training on ${training.size} threads (one replica each)` : ''}; ${trainingWindows.count} windows ` +
      `(${heldOut?.count ?? 0} more held out); width ${config.baseWidth}, batch ${config.batchSize}, update ratio ${config.updateRatio}, ` +
      `learning rate ${config.learningRate}; ${perEpoch} iterations per epoch, ${config.epochs} epochs (${total} iterations)`,
  );
  const checkpoint = async () =>
    writeModelDir(join(options.out, 'checkpoint'), await (training ? training.exportState() : exportTrainingState(engine)));
  const onSignal = () => {
    driver.requestStop();
    log('stopping after this iteration (a checkpoint follows); press Ctrl+C again to quit at once');
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const sampler = engine.sampler(trainingWindows);
  const reference = heldOut ? heldOutReference(heldOut) : null;
  const started = performance.now();
  try {
    await driver.run({
      trainIteration: () => trainEngineIteration(engine, sampler, perEpoch, training),
      afterIteration: (losses, report) => {
        const record = { iteration: report.iteration, epoch: report.completedEpochs, seconds: report.seconds, ...losses };
        appendFileSync(join(options.out, 'log.jsonl'), `${JSON.stringify(record)}\n`);
        if (!options.quiet || report.epochEnded) {
          log(
            `epoch ${report.epoch}/${config.epochs} iteration ${report.iteration}/${total}  ` +
              `critic ${losses.criticLoss.toFixed(4)}  generator ${losses.generatorLoss.toFixed(4)}  ` +
              `W ${losses.wasserstein.toFixed(4)}  GP ${losses.gradientPenalty.toFixed(4)}  voice ${losses.voiceLoss.toFixed(4)}  ` +
              `${report.samplesPerSecond.toFixed(1)} samples/s  ` +
              `${Math.round(report.secondsLeft)} s left`,
          );
        }
        if (!Number.isFinite(losses.criticLoss) || !Number.isFinite(losses.generatorLoss)) {
          throw new Error(`training diverged at iteration ${report.iteration} (a loss is not finite); lower the learning rate`);
        }
      },
      endEpoch: async (report) => {
        if (!heldOut || !reference) return;
        const start = performance.now();
        await training?.sync();
        const network = await measureHeldOut(engine, heldOut);
        log(describeHeldOut(report.completedEpochs, heldOut.count, network, reference, performance.now() - start));
      },
      checkpoint,
    });
    await training?.sync();
    await checkpoint();
    writeModelDir(join(options.out, 'model'), await exportModel(engine));
    log(
      `saved the model to ${join(options.out, 'model')} (epoch ${engine.epoch}, iteration ${engine.iteration}) after ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return { epoch: engine.epoch, iteration: engine.iteration, stoppedEarly: engine.iteration < total };
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    training?.dispose();
    engine.dispose();
  }
}

/**
 * One epoch's held-out line, e.g. "held-out after epoch 2 (16 windows, network before decoding): voice cross-entropy
 * 3.912  best pitch in key 0.61 (real 0.88)  raw rests 0.12 (real 0.05)  raw polyphony 0.40 (real 0.00)  31 ms".
 */
export function describeHeldOut(epoch: number, windows: number, network: NetworkMeasures, real: HeldOutReference, ms: number): string {
  const pair = (name: string, key: keyof HeldOutReference) => `${name} ${network[key].toFixed(2)} (real ${real[key].toFixed(2)})`;
  return (
    `held-out after epoch ${epoch} (${windows} window${windows === 1 ? '' : 's'}, network before decoding): ` +
    `voice cross-entropy ${network.voiceCrossEntropy.toFixed(3)}  ${pair('best pitch in key', 'inKeyRate')}  ` +
    `${pair('raw rests', 'restRate')}  ${pair('raw polyphony', 'polyphonicRate')}  ${Math.round(ms)} ms`
  );
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/train.ts')) {
  try {
    await train(parseTrainArgs(process.argv.slice(2)));
  } catch (error) {
    console.error(error instanceof TrainUsageError ? error.message : error);
    process.exit(error instanceof TrainUsageError ? 2 : 1);
  }
}

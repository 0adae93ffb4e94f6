/**
 * `npm run scale -- prepare --out DIR [options of npm run train] [--from MODEL_DIR]`: makes DIR a run folder that
 * the PyTorch trainer (scale/train.py, under torchrun) trains: the training windows `npm run train` would train on
 * (windows.bin: int8 -1/+1 cells, index ((window * 32 + step) * 128 + pitch) * 4 + track; windows.json: their
 * count and shape), run.json, and a first training state in checkpoint/: a new seeded model as `npm run train`
 * starts one, the checkpoint already there (resumed, with the same checks as `npm run train`), or the model in
 * MODEL_DIR (a model saved by the page, or a training state) with its own settings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { exportTrainingState, importModel, importTrainingState } from '../src/model/io';
import type { GanEngine } from '../src/model/gan';
import type { TrainingWindows } from '../src/music/pianoRoll';
import { hasModel, readModelDir, writeModelDir } from './lib/modelDir';
import { loadWindows, openEngine, parseTrainArgs, TrainUsageError, type RunInfo } from './train';

const USAGE = `Usage: npm run scale -- prepare --out DIR [options of npm run train] [--from MODEL_DIR]
  writes DIR/windows.bin and windows.json (the training windows), DIR/run.json and DIR/checkpoint/
  (a new model from the settings given, the checkpoint already in DIR, or --from: a model saved by the
  page or a training state, keeping its own settings); then train it with
  torchrun --nproc_per_node N scale/train.py --run DIR`;

/** The run folder's windows as the PyTorch trainer reads them. */
export function writeWindows(out: string, windows: TrainingWindows): void {
  writeFileSync(join(out, 'windows.bin'), new Uint8Array(windows.data.buffer, windows.data.byteOffset, windows.data.byteLength));
  const meta = { count: windows.count, steps: windows.steps, tracks: windows.tracks, trackNames: windows.trackNames };
  writeFileSync(join(out, 'windows.json'), JSON.stringify(meta, null, 2));
}

/** Splits `--from DIR` off the command line (parseTrainArgs knows the rest). */
function takeFrom(argv: string[]): { from: string | undefined; rest: string[] } {
  const at = argv.findIndex((a) => a === '--from' || a.startsWith('--from='));
  if (at < 0) return { from: undefined, rest: argv };
  const inline = argv[at].startsWith('--from=');
  const from = inline ? argv[at].slice('--from='.length) : argv[at + 1];
  if (!from) throw new TrainUsageError(`--from needs a model folder\n${USAGE}`);
  return { from, rest: [...argv.slice(0, at), ...argv.slice(at + (inline ? 1 : 2))] };
}

/** Prepares a run folder for scale/train.py; returns the windows count and the checkpoint's counters. */
export async function prepare(
  argv: string[],
  log: (line: string) => void = (l) => console.log(l),
): Promise<{ windows: number; iteration: number }> {
  const { from, rest } = takeFrom(argv);
  const options = parseTrainArgs(rest);
  await tf.setBackend('cpu');
  const windows = loadWindows(options.run);
  const run: RunInfo = { ...options.run, windows: windows.count };
  const checkpoint = join(options.out, 'checkpoint');
  let engine: GanEngine;
  if (from !== undefined && !hasModel(checkpoint)) {
    if (Object.keys(options.hyper).length > 0) {
      throw new TrainUsageError('A run started --from a model keeps that model’s settings; give no training settings with --from.');
    }
    if (!hasModel(from)) throw new TrainUsageError(`No model in ${from}: it needs model.json and model.weights.bin.`);
    const files = readModelDir(from);
    engine = 'optimizers' in (JSON.parse(files.modelJson) as object) ? await importTrainingState(files) : await importModel(files);
    mkdirSync(options.out, { recursive: true });
    writeFileSync(join(options.out, 'run.json'), JSON.stringify(run, null, 2));
    log(`new run in ${options.out} from the model in ${from} (epoch ${engine.epoch}, iteration ${engine.iteration})`);
  } else {
    if (from !== undefined) log(`${options.out} already holds a checkpoint: --from is not used`);
    engine = await openEngine(options, run, log);
  }
  try {
    writeModelDir(checkpoint, await exportTrainingState(engine));
    writeWindows(options.out, windows);
    log(`wrote ${windows.count} training windows and the checkpoint (iteration ${engine.iteration}) to ${options.out}`);
    log(`train it with: torchrun --redirects 1 --tee 1 --nproc_per_node 2 scale/train.py --run ${options.out}`);
    return { windows: windows.count, iteration: engine.iteration };
  } finally {
    engine.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('scripts/scale.ts')) {
  const [command, ...rest] = process.argv.slice(2);
  try {
    if (command !== 'prepare') throw new TrainUsageError(USAGE);
    await prepare(rest);
  } catch (error) {
    console.error(error instanceof TrainUsageError ? error.message : error);
    process.exit(error instanceof TrainUsageError ? 2 : 1);
  }
}

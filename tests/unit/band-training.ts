/**
 * Band files in a folder and a tiny model trained on them through `npm run train`'s own code (scripts/train.ts), on
 * one thread: no replica workers to start, each of which would load TensorFlow.js (as in train-script.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseTrainArgs, train } from '../../scripts/train';
import { bandMidi } from './band-fixtures';

/** Writes `count` band files of 8 bars into `dir`, named `band1.mid`.. (by name, band5.mid is the one held out of six). */
export function writeBandFolder(dir: string, count: number): string[] {
  const names = Array.from({ length: count }, (_, i) => `band${i + 1}.mid`);
  names.forEach((name, i) => writeFileSync(join(dir, name), bandMidi(i + 1, 8)));
  return names;
}

/** Trains the tiny model (batch 4, seed 3) for `epochs` epochs on the MIDI files of `folder`; returns the model's folder. */
export async function trainTinyOnFolder(folder: string, out: string, epochs: number): Promise<string> {
  const before = process.env.CANTUS_WASM_THREADS;
  process.env.CANTUS_WASM_THREADS = '1';
  try {
    const args = ['--data', folder, '--out', out, '--size', 'tiny', '--batch-size', '4', '--epochs', String(epochs), '--seed', '3'];
    await train(parseTrainArgs(args), () => undefined);
  } finally {
    if (before === undefined) delete process.env.CANTUS_WASM_THREADS;
    else process.env.CANTUS_WASM_THREADS = before;
  }
  return join(out, 'model');
}

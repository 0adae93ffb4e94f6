/** Model files on disk: a folder holding model.json and model.weights.bin, as the page downloads and uploads them. */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFiles } from '../../src/protocol/messages';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'model.weights.bin';

/** True when `dir` holds a saved model. */
export function hasModel(dir: string): boolean {
  return existsSync(join(dir, MODEL_JSON)) && existsSync(join(dir, WEIGHTS_BIN));
}

/** Reads the model saved in `dir`. */
export function readModelDir(dir: string): ModelFiles {
  if (!hasModel(dir)) throw new Error(`No model in ${dir}: it needs ${MODEL_JSON} and ${WEIGHTS_BIN}.`);
  const bytes = readFileSync(join(dir, WEIGHTS_BIN));
  const weights = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { modelJson: readFileSync(join(dir, MODEL_JSON), 'utf8'), weights };
}

/**
 * Writes a model to `dir` all at once: both files go to a fresh sibling folder that then replaces `dir`,
 * so a run killed mid-write leaves the previous model whole.
 */
export function writeModelDir(dir: string, files: ModelFiles): void {
  const staging = `${dir}.writing`;
  const previous = `${dir}.previous`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, WEIGHTS_BIN), new Uint8Array(files.weights));
  writeFileSync(join(staging, MODEL_JSON), files.modelJson);
  rmSync(previous, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, previous);
  renameSync(staging, dir);
  rmSync(previous, { recursive: true, force: true });
}

/** Where a killed write left the last whole model: `dir`, or the `.previous` copy it was replacing. */
export function recoverModelDir(dir: string): void {
  const previous = `${dir}.previous`;
  if (!hasModel(dir) && hasModel(previous)) {
    rmSync(dir, { recursive: true, force: true });
    renameSync(previous, dir);
  }
}

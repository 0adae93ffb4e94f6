/**
 * WebGPU trains and accompanies as WebAssembly does: from the same state (exported on wasm, imported on each) and on
 * the same batch, one training iteration gives the same losses and the same weight updates, and the accompaniment
 * the same notes. WebGPU runs here through Dawn in Node on Chromium's software Vulkan (SwiftShader); the run is in a
 * process of its own (webgpu-parity-run.ts), as Dawn takes its Vulkan settings at start.
 *
 * The tolerances, and why, are in parity-fixtures.ts (the browser's test, tests/e2e/worker.test.ts, uses them too).
 * Run with PARITY_PERTURB=1 to see the comparison fail: the WebGPU copy then starts with one weight moved by 0.05.
 *
 * The same process then runs `npm run train -- --backend webgpu` (the command's `train()`) for two iterations: Dawn
 * and its shaders start once for both tests. On a GPU machine the same command trains on the GPU.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parityProblems, type ParitySide } from './parity-fixtures';

const ROOT = resolve(import.meta.dirname, '../..');
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

interface RunResult {
  adapter: string;
  backend: string;
  wasm: ParitySide;
  webgpu: ParitySide;
  /** The lines `npm run train -- --backend webgpu` printed. */
  trainLines: string[];
}

// Without Chromium's software Vulkan there is no adapter to test on; the e2e set-up installs Chromium.
describe.skipIf(!existsSync(SWIFTSHADER_ICD))('WebGPU (Dawn in Node) against WebAssembly, and npm run train on it', () => {
  const out = mkdtempSync(join(tmpdir(), 'cantus-train-webgpu-'));
  let result: RunResult;
  beforeAll(() => {
    const env = {
      ...process.env,
      VK_ICD_FILENAMES: SWIFTSHADER_ICD,
      LD_LIBRARY_PATH: '/usr/lib/chromium',
      PARITY_PERTURB: process.env.PARITY_PERTURB ?? '',
    };
    // 4 windows, batch 2, update ratio 1: two iterations in the one epoch.
    const train = ['--out', out, '--size', 'tiny', '--batch-size', '2', '--update-ratio', '1', '--limit-windows', '4', '--epochs', '1'];
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'tests/unit/webgpu-parity-run.ts', '--train', ...train, '--seed', '3'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 540_000,
      // Every weight before and after, twice: a few megabytes of JSON.
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.status, run.stderr).toBe(0);
    result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as RunResult;
  }, 600_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('gives the same losses, weight updates and notes from the same state and batch', () => {
    // A silent fall-back to another backend would make the comparison empty.
    expect(result.backend).toBe('webgpu');
    expect(parityProblems(result.wasm, result.webgpu)).toEqual([]);
  });

  it('trains two iterations with npm run train -- --backend webgpu, with finite losses, and saves the model', () => {
    // The line names the backend and its adapter, so a silent fall-back to another backend would show.
    expect(result.trainLines.join('\n')).toMatch(/backend webgpu on .*swiftshader/i);
    const lines = readFileSync(join(out, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    expect(lines.map((l) => l.iteration)).toEqual([1, 2]);
    for (const line of lines) {
      for (const key of ['criticLoss', 'generatorLoss', 'wasserstein'])
        expect(Number.isFinite(line[key]), `${key} ${line[key]}`).toBe(true);
    }
    expect(existsSync(join(out, 'model', 'model.json'))).toBe(true);
  });
});

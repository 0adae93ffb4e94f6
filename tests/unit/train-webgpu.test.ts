/**
 * `npm run train -- --backend webgpu`: tfjs-backend-webgpu in Node through Dawn (the `webgpu` package). Here, with
 * no GPU, Dawn runs on Chromium's software Vulkan (SwiftShader); on a GPU machine the same command uses the GPU.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const out = mkdtempSync(join(tmpdir(), 'cantus-train-webgpu-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run train -- --backend webgpu', () => {
  // Without Chromium's software Vulkan there is no adapter to test on; the e2e setup installs Chromium.
  it.skipIf(!existsSync(SWIFTSHADER_ICD))(
    'trains two iterations on WebGPU (SwiftShader) with finite losses',
    () => {
      const args = [
        '--import',
        'tsx',
        'scripts/train.ts',
        '--out',
        out,
        '--backend',
        'webgpu',
        '--size',
        'tiny',
        '--batch-size',
        '2',
        '--update-ratio',
        '1',
        '--limit-windows',
        '4',
        '--epochs',
        '1',
        '--seed',
        '3',
      ];
      const env = { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER_ICD, LD_LIBRARY_PATH: '/usr/lib/chromium' };
      const run = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 540_000 });
      expect(run.status, run.stderr).toBe(0);
      // The log line names the backend and its adapter, so a silent fall-back to another backend would show.
      expect(run.stdout).toMatch(/backend webgpu on .*swiftshader/i);
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
    },
    600_000,
  );

  it('refuses an unknown backend, naming the choices', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--backend', 'tpu'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr + run.stdout).toMatch(/--backend must be wasm, cpu, webgpu/);
  }, 150_000);
});

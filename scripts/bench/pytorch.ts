/**
 * The PyTorch trainer's rows of `npm run bench` (backends pytorch and pytorch-2p): runs scale/bench.py (one process,
 * or two under torchrun) with Debian's Python and reads its JSON line. The same workload as the TF.js rows: batch 16,
 * 5 critic steps and 1 generator step per iteration, random windows; PyTorch trains only, so generation is not timed.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

import { unmeasuredResult, type WidthResult } from './measure';

const ROOT = resolve(import.meta.dirname, '../..');
/** The Python that has torch: Debian's python3-torch installs for /usr/bin/python3 (CANTUS_PYTHON overrides). */
export const TORCH_PYTHON = process.env.CANTUS_PYTHON ?? '/usr/bin/python3';

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => done({ code: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/**
 * Times the PyTorch trainer on `processes` processes: one process on every core (one thread per core Node may use),
 * or more under torchrun, one thread each. PyTorch is told the count: Debian's python3-torch starts ONE thread when
 * OMP_NUM_THREADS is unset (measured on a 2-core machine), so leaving it unset compared two cores with one.
 */
export async function benchPytorch(processes: number, widths: number[], log: (line: string) => void): Promise<WidthResult[] | string> {
  const probe = await run(TORCH_PYTHON, ['-c', 'import torch'], process.env);
  if (probe.code !== 0) return `${TORCH_PYTHON} cannot import torch (install Debian's python3-torch)`;
  const threads = processes === 1 ? availableParallelism() : 1;
  const bench = ['scale/bench.py', '--widths', widths.join(','), '--threads', String(threads)];
  // torchrun's --redirects/--tee: PyTorch 1.13's launcher cannot read their default under Python 3.11 (docs/scaling.md).
  const args =
    processes === 1
      ? bench
      : ['-m', 'torch.distributed.run', '--standalone', '--redirects', '1', '--tee', '1', `--nproc_per_node=${processes}`, ...bench];
  log(`[pytorch ${processes}p] ${TORCH_PYTHON} ${args.join(' ')}`);
  const env = { ...process.env, OMP_NUM_THREADS: String(threads) };
  const result = await run(TORCH_PYTHON, args, env);
  const line = result.stdout
    .split('\n')
    .map((l) => l.replace(/^\[default0\]:/, ''))
    .reverse()
    .find((l) => l.startsWith('['));
  if (result.code !== 0 || line === undefined) return `failed: ${result.stderr.trim().split('\n').slice(-1)[0] ?? `exit ${result.code}`}`;
  const parsed = JSON.parse(line) as { width: number; iterationsPerSecond: number | null; note: string }[];
  return parsed.map((r) => ({
    ...unmeasuredResult(r.width, r.note),
    iterationsPerSecond: r.iterationsPerSecond,
    iterationMethod: r.iterationsPerSecond === null ? null : 'timed',
  }));
}

/**
 * `npm run bench [-- --json] [-- --widths 16,64] [-- --backends wasm,wasm-1t,cpu,node-webgpu,webgpu,webgl,browser-wasm,browser-wasm-1t,pytorch,pytorch-2p]
 * [-- --browser-limit 600] [-- --profile]`: the project's GanEngine timed on every backend, side by side in one run:
 * training iterations per second (`trainIteration`, batch 16, update ratio 5) and `accompany` latency on
 * a 2-bar and a 16-bar melody. In Node: wasm (every core: training on one single-thread replica of the engine per
 * core, as `npm run train` does; generation on the threaded SIMD build), wasm-1t (one thread), cpu, and
 * node-webgpu (tfjs-backend-webgpu on Dawn, the `webgpu` package); in headless Chromium (a cross-origin
 * isolated page): webgpu, webgl, browser-wasm (every core, as the app's worker trains) and browser-wasm-1t, each
 * browser backend under a time limit so a stuck one cannot hang the run. pytorch and pytorch-2p: the PyTorch trainer
 * (scale/) on the same workload, one process and two under torchrun (scripts/bench/pytorch.ts); with a wasm backend, the
 * JSON carries PyTorch's rate and Cantus / PyTorch per width. `--profile`: where a wasm-1t training iteration's time
 * goes, per kernel family, against XNNPACK's forward convolution (scripts/bench/profile.ts; implies wasm-1t).
 */
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Browser } from 'playwright-core';
import { createServer } from 'vite';

import { MODEL_WIDTHS } from '../src/music/constants';
import { defaultNodeThreads, startWasmBackendInNode } from '../src/model/wasm/node';
import { startNodeBackend } from './lib/tfNode';
import { spawnNodeReplica } from './lib/replicas';
import { replicaCount, ReplicatedTraining } from '../src/model/parallel/replicas';
import { collectPageErrors, launchBrowser } from '../tests/e2e/harness';
import { BATCH_SIZE, measureBackend, SKIP_ABOVE_SECONDS, unmeasuredResult, UPDATE_RATIO, type WidthResult } from './bench/measure';
import type { BenchWorkload } from './bench/workload';
import type { PageBenchResult } from './bench/page';
import { benchPytorch } from './bench/pytorch';
import { profileTraining, type TrainingProfile } from './bench/profile';
import { FAMILY_LABELS, profileTableLines } from './bench/kernelFamilies';

const ALL_BACKENDS = [
  'wasm',
  'wasm-1t',
  'cpu',
  'node-webgpu',
  'webgpu',
  'webgl',
  'browser-wasm',
  'browser-wasm-1t',
  'pytorch',
  'pytorch-2p',
] as const;
type BenchBackend = (typeof ALL_BACKENDS)[number];
const NODE_BENCH_BACKENDS = ['wasm', 'wasm-1t', 'cpu', 'node-webgpu'] as const;
type NodeBenchBackend = (typeof NODE_BENCH_BACKENDS)[number];
/** The browser backends and what the bench page calls them. */
const BROWSER_NAMES = { webgpu: 'webgpu', webgl: 'webgl', 'browser-wasm': 'wasm', 'browser-wasm-1t': 'wasm-1t' } as const;
type BrowserBenchBackend = keyof typeof BROWSER_NAMES;
type PageBackend = (typeof BROWSER_NAMES)[BrowserBenchBackend];
/** Threaded / one-thread pairs whose ratio the summary reports. */
const THREAD_PAIRS = [
  ['wasm', 'wasm-1t'],
  ['browser-wasm', 'browser-wasm-1t'],
] as const;

interface Options {
  json: boolean;
  widths: number[];
  backends: BenchBackend[];
  /** Wall-clock seconds one browser backend may take, all widths together. */
  browserLimitSeconds: number;
  /** Profile wasm-1t's training iteration per kernel family. */
  profile: boolean;
}

/** Default per-backend limit in the browser: generous for width 64 on wasm, short of a hang. */
const DEFAULT_BROWSER_LIMIT_SECONDS = 600;
/** How long closing a page may take before the whole browser is closed and started again. */
const CLOSE_TIMEOUT_MS = 30_000;

/** Thrown for a command line the bench cannot follow. */
class BenchUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    json: false,
    widths: [16, 64],
    backends: [...ALL_BACKENDS],
    browserLimitSeconds: DEFAULT_BROWSER_LIMIT_SECONDS,
    profile: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--widths') {
      options.widths = (argv[++i] ?? '').split(',').map(Number);
      if (options.widths.some((w) => !(MODEL_WIDTHS as readonly number[]).includes(w))) {
        throw new BenchUsageError(`--widths takes a comma-separated list of ${MODEL_WIDTHS.join(', ')}`);
      }
    } else if (arg === '--backends') {
      const names = (argv[++i] ?? '').split(',');
      const unknown = names.filter((name) => !(ALL_BACKENDS as readonly string[]).includes(name));
      if (unknown.length > 0) throw new BenchUsageError(`unknown backend(s) ${unknown.join(', ')}; choose from ${ALL_BACKENDS.join(', ')}`);
      options.backends = names as BenchBackend[];
    } else if (arg === '--browser-limit') {
      options.browserLimitSeconds = Number(argv[++i]);
      if (!(options.browserLimitSeconds > 0)) throw new BenchUsageError('--browser-limit takes a number of seconds above 0');
    } else throw new BenchUsageError(`unknown option ${arg}; use --json, --widths, --backends, --browser-limit, --profile`);
  }
  // The profile is taken on one engine on one thread, so every kernel runs where it is timed.
  if (options.profile && !options.backends.includes('wasm-1t')) options.backends.push('wasm-1t');
  return options;
}

const log = (line: string): void => console.error(line);

/** The headers that make a page cross-origin isolated (the same as vite.config.ts sends). */
const CROSS_ORIGIN_ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Threads each wasm variant ran on, for the report. */
const threadsUsed = new Map<BenchBackend, number>();
/** Training replicas (one thread each) of the every-core wasm variants. */
const replicasUsed = new Map<BenchBackend, number>();
/** Average cores each Node backend's process got while measured (CPU time / wall time). */
const coresUsed = new Map<BenchBackend, number>();
/** `--profile`: wasm-1t's training iteration per kernel family, by width (a string says why a width has none). */
const profiles = new Map<number, TrainingProfile | string>();

async function benchNode(backend: NodeBenchBackend, widths: number[], profile = false): Promise<WidthResult[] | string> {
  if (backend === 'wasm' || backend === 'wasm-1t') {
    const info = await startWasmBackendInNode(backend === 'wasm' ? defaultNodeThreads() : 1);
    threadsUsed.set(backend, info.threads);
    log(`[node ${backend}] ${info.build} build, ${info.threads} thread(s)`);
  } else if (backend === 'node-webgpu') {
    try {
      log(`[node ${backend}] ${await startNodeBackend('webgpu')}`);
    } catch (error) {
      return `failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  } else await tf.setBackend('cpu');
  // CPU time over wall time: how many cores this process really got (threads cannot help without a free core).
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  // Every core: training as `npm run train` does it, one single-thread replica of the engine per core.
  const replicas = backend === 'wasm' ? replicaCount(defaultNodeThreads(), BATCH_SIZE) : 1;
  if (replicas > 1) replicasUsed.set(backend, replicas);
  const replicate = ReplicatedTraining.starter(replicas, spawnNodeReplica);
  const label = (line: string): void => log(`[node ${backend}] ${line}`);
  const afterTraining =
    profile && backend === 'wasm-1t'
      ? async (workload: BenchWorkload, result: WidthResult) => {
          const unprofiled = result.iterationsPerSecond === null ? null : 1000 / result.iterationsPerSecond;
          try {
            profiles.set(workload.width, await profileTraining(workload, unprofiled, label));
          } catch (error) {
            // A failed profile leaves the bench's own figures standing.
            profiles.set(workload.width, `profile failed: ${error instanceof Error ? error.message : String(error)}`);
            label(`width ${workload.width}: profile failed: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      : undefined;
  const results = await measureBackend(widths, label, undefined, { replicate, afterTraining });
  if (afterTraining) {
    for (const r of results) {
      if (!profiles.has(r.width)) profiles.set(r.width, `not profiled: training was not timed whole (${r.note ?? 'skipped'})`);
    }
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cores = (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore);
  coresUsed.set(backend, cores);
  log(`[node ${backend}] used ${cores.toFixed(2)} cores on average (CPU time / wall time)`);
  return results;
}

/**
 * Serves the bench page with Vite. Not the app's config: it excludes tfjs-backend-wasm from pre-bundling,
 * and unbundled, that package's CommonJS worker file cannot be imported by the browser in dev mode.
 */
async function startBenchServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = await createServer({
    configFile: false,
    root: resolve(import.meta.dirname, '..'),
    logLevel: 'warn',
    // Scanning the bench page up front avoids a reload when the optimiser discovers tfjs mid-run.
    optimizeDeps: { entries: ['scripts/bench/page.html'] },
    // Cross-origin isolation, as the app's own server sends it: SharedArrayBuffer, so wasm can use threads.
    server: { port: 0, host: '127.0.0.1', strictPort: false, headers: CROSS_ORIGIN_ISOLATION },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('Vite did not report a port');
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}

const sleep = (ms: number): Promise<'timeout'> => new Promise((done) => setTimeout(() => done('timeout'), ms));

/**
 * Runs each browser backend on a fresh page under `limitSeconds`. Results arrive width by width, so a backend
 * that runs out of time keeps the widths it finished; the rest are reported as timed out.
 */
async function benchBrowser(backends: PageBackend[], widths: number[], limitSeconds: number): Promise<Map<string, WidthResult[] | string>> {
  const results = new Map<string, WidthResult[] | string>();
  const app = await startBenchServer();
  let browser: Browser = await launchBrowser();
  try {
    for (const backend of backends) {
      // A fresh page per backend, so no backend's state or memory carries into the next.
      const page = await browser.newPage();
      const errors = collectPageErrors(page);
      const finished: WidthResult[] = [];
      page.on('console', (message) => {
        if (message.text().startsWith('[bench]')) log(`[chromium ${backend}] ${message.text().slice(8)}`);
      });
      await page.exposeFunction('cantusBenchReport', (result: WidthResult) => {
        finished.push(result);
      });
      page.setDefaultTimeout(0);
      await page.goto(`${app.url}scripts/bench/page.html`);
      await page.waitForFunction(() => typeof window.cantusBench === 'function', undefined, { timeout: 120_000 });
      const isolated = await page.evaluate(() => window.crossOriginIsolated);
      if (!isolated) log(`[chromium ${backend}] warning: the page is not cross-origin isolated, so wasm runs one thread`);
      const run: Promise<PageBenchResult> = page.evaluate(({ name, list }) => window.cantusBench(name, list), {
        name: backend,
        list: widths,
      });
      // Closing the page rejects the pending evaluation; that rejection is expected and ignored.
      run.catch(() => {});
      try {
        const outcome = await Promise.race([run, sleep(limitSeconds * 1000)]);
        if (outcome === 'timeout') {
          log(`[chromium ${backend}] stopped: the ${limitSeconds} s per-backend limit ran out`);
          const done = new Set(finished.map((r) => r.width));
          results.set(backend, [
            ...finished,
            ...widths
              .filter((w) => !done.has(w))
              .map((w) => unmeasuredResult(w, `timed out: the ${limitSeconds} s per-backend browser limit ran out`)),
          ]);
        } else {
          results.set(backend, outcome.unavailable ?? outcome.results);
          if (outcome.threads !== undefined) pageThreads.set(backend, outcome.threads);
          if (outcome.replicas !== undefined) pageReplicas.set(backend, outcome.replicas);
        }
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        results.set(backend, `failed: ${reason}${errors.length ? ` (${errors[0]})` : ''}`);
      }
      // A renderer stuck in a long kernel may not close promptly: then start the browser afresh.
      if ((await Promise.race([page.close({ runBeforeUnload: false }), sleep(CLOSE_TIMEOUT_MS)])) === 'timeout') {
        log(`[chromium ${backend}] the page did not close within ${CLOSE_TIMEOUT_MS / 1000} s; restarting Chromium`);
        await Promise.race([browser.close(), sleep(CLOSE_TIMEOUT_MS)]);
        browser = await launchBrowser();
      }
    }
  } finally {
    await browser.close();
    await app.close();
  }
  return results;
}

/** Threads the browser's wasm variants ran on, by page backend name. */
const pageThreads = new Map<string, number>();
const pageReplicas = new Map<string, number>();

function describeMachine(loadAtStart: number): string {
  const cpuList = cpus();
  return (
    `${cpuList.length} x ${cpuList[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, no GPU ` +
    `(browser GPUs are SwiftShader), 1-minute load average ${loadAtStart.toFixed(1)} at start`
  );
}

const format = (value: number | null | undefined, digits: number): string => (value == null ? '-' : value.toFixed(digits));

/** Threaded over one-thread training rates, per width, for each pair measured. */
function threadRatios(table: Map<BenchBackend, WidthResult[] | string>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [threaded, single] of THREAD_PAIRS) {
    const a = table.get(threaded);
    const b = table.get(single);
    if (!Array.isArray(a) || !Array.isArray(b)) continue;
    for (const r of a) {
      const one = b.find((x) => x.width === r.width);
      if (r.iterationsPerSecond === null || !one || one.iterationsPerSecond === null) continue;
      (out[`${threaded}/${single}`] ??= {})[String(r.width)] = r.iterationsPerSecond / one.iterationsPerSecond;
    }
  }
  return out;
}

/** The Cantus row set against PyTorch: Node's wasm on every core (as `npm run train` trains), else the browser's. */
const CANTUS_BACKENDS = ['wasm', 'browser-wasm'] as const;

/** PyTorch's one-process rate and Cantus / PyTorch per width, where the run has pytorch and a wasm backend. */
interface PytorchComparison {
  backend: (typeof CANTUS_BACKENDS)[number];
  pytorch: Record<string, number | null>;
  ratio: Record<string, number | null>;
}

function pytorchComparison(table: Map<BenchBackend, WidthResult[] | string>, widths: number[]): PytorchComparison | undefined {
  const pytorch = table.get('pytorch');
  const backend = CANTUS_BACKENDS.find((b) => table.has(b));
  if (pytorch === undefined || backend === undefined) return undefined;
  const cantus = table.get(backend);
  const rate = (results: WidthResult[] | string | undefined, width: number): number | null =>
    Array.isArray(results) ? (results.find((r) => r.width === width)?.iterationsPerSecond ?? null) : null;
  const out: PytorchComparison = { backend, pytorch: {}, ratio: {} };
  for (const width of widths) {
    const torch = rate(pytorch, width);
    const ours = rate(cantus, width);
    out.pytorch[String(width)] = torch;
    out.ratio[String(width)] = torch === null || ours === null ? null : ours / torch;
  }
  return out;
}

/** The line per width of Cantus / PyTorch. */
function pytorchLines(table: Map<BenchBackend, WidthResult[] | string>, widths: number[]): string[] {
  const comparison = pytorchComparison(table, widths);
  if (comparison === undefined) return [];
  const { backend } = comparison;
  const pytorch = table.get('pytorch');
  const cantus = table.get(backend);
  return [...widths]
    .sort((a, b) => a - b)
    .map((width) => {
      const ratio = comparison.ratio[String(width)];
      const torch = Array.isArray(pytorch) ? pytorch.find((r) => r.width === width) : undefined;
      const ours = Array.isArray(cantus) ? cantus.find((r) => r.width === width) : undefined;
      if (ratio === null || ratio === undefined || !torch || !ours) {
        const why = typeof pytorch === 'string' ? pytorch : (torch?.note ?? ours?.note ?? 'not measured');
        return `Cantus / PyTorch width ${width}: not measured (${why})`;
      }
      const how = replicasUsed.has(backend)
        ? `${replicasUsed.get(backend)} training replicas of one thread each`
        : `${threadsUsed.get(backend) ?? '?'} threads`;
      return (
        `Cantus / PyTorch width ${width}: ${backend} (every core: ${how}) ${format(ours.iterationsPerSecond, 3)} it/s / ` +
        `pytorch (${torch.note ?? 'one process'}) ${format(torch.iterationsPerSecond, 3)} it/s = ${ratio.toFixed(2)} (target >= 0.5)`
      );
    });
}

/** The profile's lines: per width, the heading, the reference convolution, the family table and its notes. */
function profileLines(widths: number[]): string[] {
  const rows: string[] = [];
  for (const width of [...widths].sort((a, b) => a - b)) {
    const profile = profiles.get(width);
    if (profile === undefined) continue;
    if (typeof profile === 'string') {
      rows.push(`Where the time goes, wasm-1t width ${width}: ${profile}`);
      continue;
    }
    const { reference } = profile;
    const unprofiled =
      profile.unprofiled_iteration_ms === null ? '' : ` (${profile.unprofiled_iteration_ms.toFixed(0)} ms timed without the profiler)`;
    rows.push(
      `Where the time goes, wasm-1t (one engine, one thread) width ${width}: GanEngine.trainIteration (batch ${BATCH_SIZE}, ` +
        `${UPDATE_RATIO} critic steps + 1 generator step), ${profile.iterations} profiled iterations of ` +
        `${profile.iteration_ms.toFixed(0)} ms${unprofiled}, ${profile.kernel_ms.toFixed(0)} ms of it in kernels.`,
    );
    rows.push(
      `Reference (x ref): tf.conv2d on ${profile.backend} in the shape of the generator's largest convolution (${reference.layer}), ` +
        `input [${reference.input_shape.join(',')}], filter [${reference.filter_shape.join(',')}], strides ${reference.strides.join(',')}, ` +
        `${reference.padding}: ${reference.gflops.toFixed(2)} GFLOP/s (median ${reference.ms.toFixed(1)} ms).`,
    );
    rows.push(...profileTableLines(profile.families));
    rows.push(`Notes: ${FAMILY_LABELS.tape_and_javascript}: the iteration's wall time minus its kernels' times; ${profile.note}.`);
  }
  return rows;
}

/** Human-readable summary lines: the acceptance ratios of the wasm kernels and of threads. */
function summaryLines(table: Map<BenchBackend, WidthResult[] | string>): string[] {
  const rows: string[] = [];
  for (const [pair, byWidth] of Object.entries(threadRatios(table))) {
    const [threaded] = pair.split('/') as [BenchBackend];
    for (const [width, ratio] of Object.entries(byWidth)) {
      const cores = coresUsed.get(threaded);
      const got = cores === undefined ? '' : `; the threaded run got ${cores.toFixed(2)} cores on average`;
      rows.push(
        `${pair} width ${width}: every core (${replicasUsed.has(threaded) ? `${replicasUsed.get(threaded)} training replicas of one thread each` : `${threadsUsed.get(threaded) ?? '?'} threads`}) / one thread = ${ratio.toFixed(2)}x training iterations per second (acceptance >= 1.5${got})`,
      );
    }
  }
  for (const backend of ['wasm', 'browser-wasm'] as const) {
    const results = table.get(backend);
    if (!Array.isArray(results)) continue;
    for (const r of results) {
      if (r.generatorStepGflops !== null && r.generatorForwardGflops !== null) {
        rows.push(
          `${backend} width ${r.width}: generator training step at ${(r.generatorStepGflops / r.generatorForwardGflops).toFixed(2)} ` +
            `of its forward pass's convolution FLOP rate (backward counted as 2x forward; acceptance >= 0.33)`,
        );
      }
    }
  }
  const wasmResults = table.get('wasm');
  const cpuResults = table.get('cpu');
  if (Array.isArray(wasmResults)) {
    for (const r of wasmResults) {
      const cpu = Array.isArray(cpuResults) ? cpuResults.find((c) => c.width === r.width) : undefined;
      if (!cpu || r.iterationsPerSecond === null) continue;
      if (cpu.iterationsPerSecond !== null) {
        const how = cpu.iterationMethod === 'extrapolated' ? ' (cpu iteration extrapolated from one critic and one generator step)' : '';
        rows.push(
          `wasm width ${r.width}: ${(r.iterationsPerSecond / cpu.iterationsPerSecond).toFixed(1)}x the cpu backend's iterations per second${how}`,
        );
      } else if (cpu.estimatedIterationSeconds !== undefined) {
        rows.push(
          `wasm width ${r.width}: about ${(r.iterationsPerSecond * cpu.estimatedIterationSeconds).toFixed(0)}x the cpu backend's ` +
            `iterations per second (cpu skipped; its estimate of ${cpu.estimatedIterationSeconds.toFixed(0)} s per iteration is extrapolated)`,
        );
      }
    }
  }
  return rows;
}

/** The JSON keys of the PyTorch comparison (none where the run lacks pytorch or a wasm backend). */
function pytorchJson(comparison: PytorchComparison | undefined): Record<string, unknown> {
  if (comparison === undefined) return {};
  return {
    pytorch_iterations_per_second: comparison.pytorch,
    cantus_over_pytorch: comparison.ratio,
    cantus_over_pytorch_backend: comparison.backend,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const loadAtStart = loadavg()[0];
  const table = new Map<BenchBackend, WidthResult[] | string>();
  for (const backend of options.backends) {
    if ((NODE_BENCH_BACKENDS as readonly string[]).includes(backend))
      table.set(backend, await benchNode(backend as NodeBenchBackend, options.widths, options.profile));
    else if (backend === 'pytorch' || backend === 'pytorch-2p')
      table.set(backend, await benchPytorch(backend === 'pytorch' ? 1 : 2, options.widths, log));
  }
  const browserBackends = options.backends.filter((b): b is BrowserBenchBackend => b in BROWSER_NAMES);
  if (browserBackends.length > 0) {
    const browserResults = await benchBrowser(
      browserBackends.map((b) => BROWSER_NAMES[b]),
      options.widths,
      options.browserLimitSeconds,
    );
    for (const backend of browserBackends) {
      table.set(backend, browserResults.get(BROWSER_NAMES[backend]) ?? 'not run');
      const threads = pageThreads.get(BROWSER_NAMES[backend]);
      if (threads !== undefined) threadsUsed.set(backend, threads);
      const replicas = pageReplicas.get(BROWSER_NAMES[backend]);
      if (replicas !== undefined) replicasUsed.set(backend, replicas);
    }
  }

  const rows: string[] = [];
  rows.push(
    `GanEngine.trainIteration: batch ${BATCH_SIZE}, ${UPDATE_RATIO} critic steps (WGAN-GP) + 1 generator step; ` +
      `combinations estimated above ${SKIP_ABOVE_SECONDS} s per iteration are skipped. Generation: GanEngine.accompany ` +
      `on a 2-bar (1 window) and a 16-bar (15 overlapping windows) melody, median ms.`,
  );
  rows.push(`Machine: ${describeMachine(loadAtStart)}; load average at the end ${loadavg()[0].toFixed(1)}.`);
  rows.push('backend          width  iter/s    how     2-bar ms  16-bar ms  gen-step GFLOP/s  gen-forward GFLOP/s  note');
  for (const [backend, results] of table) {
    if (typeof results === 'string') {
      rows.push(`${backend.padEnd(16)} -      unavailable: ${results}`);
      continue;
    }
    for (const r of [...results].sort((a, b) => a.width - b.width)) {
      const how = r.iterationMethod === 'extrapolated' ? 'extrap.' : (r.iterationMethod ?? 'skipped');
      rows.push(
        `${backend.padEnd(16)} ${String(r.width).padEnd(6)} ${format(r.iterationsPerSecond, 4).padEnd(9)} ${how.padEnd(7)} ` +
          `${format(r.generateMs2Bar, 1).padEnd(9)} ${format(r.generateMs16Bar, 1).padEnd(10)} ` +
          `${format(r.generatorStepGflops, 2).padEnd(17)} ${format(r.generatorForwardGflops, 2).padEnd(20)} ${r.note ?? ''}`,
      );
    }
  }
  rows.push(...summaryLines(table));
  rows.push(...pytorchLines(table, options.widths));
  if (options.profile) rows.push(...profileLines(options.widths));
  console.log(rows.join('\n'));

  if (options.json) {
    const pick = (key: 'iterationsPerSecond' | 'generateMs2Bar' | 'generateMs16Bar') => {
      const out: Record<string, Record<string, number | null>> = {};
      for (const backend of ALL_BACKENDS) {
        const results = table.get(backend);
        out[backend] = Object.fromEntries(
          options.widths.map((w) => [String(w), Array.isArray(results) ? (results.find((r) => r.width === w)?.[key] ?? null) : null]),
        );
      }
      return out;
    };
    console.log(
      JSON.stringify({
        machine: describeMachine(loadAtStart),
        train_iterations_per_second: pick('iterationsPerSecond'),
        generate_ms_2bar: pick('generateMs2Bar'),
        generate_ms_16bar: pick('generateMs16Bar'),
        wasm_threads: Object.fromEntries(threadsUsed),
        training_replicas: Object.fromEntries(replicasUsed),
        node_cores_used: Object.fromEntries(coresUsed),
        threaded_over_one_thread: threadRatios(table),
        ...pytorchJson(pytorchComparison(table, options.widths)),
        ...(options.profile
          ? { profile: Object.fromEntries([...profiles].map(([width, p]) => [String(width), typeof p === 'string' ? { note: p } : p])) }
          : {}),
        load_average: { start: loadAtStart, end: loadavg()[0] },
      }),
    );
  }
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    process.exitCode = 1;
  })
  // The bench starts and stops several engines (wasm pthread workers, Dawn, a Vite server, Chromium); one of them
  // has been seen to leave a handle that kept Node alive after the report was printed. The report is complete here.
  .finally(() => process.exit());

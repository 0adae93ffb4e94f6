/**
 * `npm run bench [-- --json] [-- --widths 16,64] [-- --backends wasm,cpu,webgpu,webgl,browser-wasm]`:
 * training iterations per second and generation latency for every backend, side by side in one run:
 * wasm and cpu in Node, webgpu, webgl and wasm ("browser-wasm") in headless Chromium.
 */
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs';

import { startWasmBackendInNode } from '../src/model/wasm/node';
import { resolve } from 'node:path';
import { createServer } from 'vite';

import { collectPageErrors, launchBrowser } from '../tests/e2e/harness';
import { BATCH_SIZE, measureBackend, SKIP_ABOVE_SECONDS, UPDATE_RATIO, type WidthResult } from './bench/measure';
import type { PageBenchResult } from './bench/page';

const ALL_BACKENDS = ['wasm', 'cpu', 'webgpu', 'webgl', 'browser-wasm'] as const;
type BenchBackend = (typeof ALL_BACKENDS)[number];

interface Options {
  json: boolean;
  widths: number[];
  backends: BenchBackend[];
}

/** Thrown for a command line the bench cannot follow. */
class BenchUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

function parseOptions(argv: string[]): Options {
  const options: Options = { json: false, widths: [16, 64], backends: [...ALL_BACKENDS] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--widths') {
      options.widths = (argv[++i] ?? '').split(',').map(Number);
      if (options.widths.some((w) => ![4, 8, 16, 32, 64].includes(w))) {
        throw new BenchUsageError('--widths takes a comma-separated list of 4, 8, 16, 32, 64');
      }
    } else if (arg === '--backends') {
      const names = (argv[++i] ?? '').split(',');
      const unknown = names.filter((name) => !(ALL_BACKENDS as readonly string[]).includes(name));
      if (unknown.length > 0) throw new BenchUsageError(`unknown backend(s) ${unknown.join(', ')}; choose from ${ALL_BACKENDS.join(', ')}`);
      options.backends = names as BenchBackend[];
    } else throw new BenchUsageError(`unknown option ${arg}; use --json, --widths, --backends`);
  }
  return options;
}

const log = (line: string): void => console.error(line);

async function benchNode(backend: 'wasm' | 'cpu', widths: number[]): Promise<WidthResult[]> {
  if (backend === 'wasm') await startWasmBackendInNode();
  else await tf.setBackend('cpu');
  return measureBackend(widths, (line) => log(`[node] ${line}`));
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
    server: { port: 0, host: '127.0.0.1', strictPort: false },
    // Scanning the bench page up front avoids a reload when the optimiser discovers tfjs mid-run.
    optimizeDeps: { entries: ['scripts/bench/page.html'] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('Vite did not report a port');
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}

async function benchBrowser(backends: ('webgpu' | 'webgl' | 'wasm')[], widths: number[]): Promise<Map<string, WidthResult[] | string>> {
  const results = new Map<string, WidthResult[] | string>();
  const app = await startBenchServer();
  const browser = await launchBrowser();
  try {
    for (const backend of backends) {
      // A fresh page per backend, so no backend's state or memory carries into the next.
      const page = await browser.newPage();
      const errors = collectPageErrors(page);
      page.on('console', (message) => {
        if (message.text().startsWith('[bench]')) log(`[chromium ${backend}] ${message.text().slice(8)}`);
      });
      page.setDefaultTimeout(0);
      await page.goto(`${app.url}scripts/bench/page.html`);
      await page.waitForFunction(() => typeof window.cantusBench === 'function', undefined, { timeout: 120_000 });
      try {
        const outcome: PageBenchResult = await page.evaluate(
          ({ name, list }) => window.cantusBench(name, list),
          { name: backend, list: widths },
        );
        results.set(backend, outcome.unavailable ?? outcome.results);
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        results.set(backend, `failed: ${reason}${errors.length ? ` (${errors[0]})` : ''}`);
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await app.close();
  }
  return results;
}

function describeMachine(): string {
  const cpuList = cpus();
  return `${cpuList.length} x ${cpuList[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, no GPU (browser GPUs are SwiftShader)`;
}

const format = (value: number | null | undefined, digits: number): string => (value == null ? '-' : value.toFixed(digits));

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const table = new Map<BenchBackend, WidthResult[] | string>();
  for (const backend of options.backends) {
    if (backend === 'wasm' || backend === 'cpu') table.set(backend, await benchNode(backend, options.widths));
  }
  const browserBackends = options.backends.filter((b) => b === 'webgpu' || b === 'webgl' || b === 'browser-wasm');
  if (browserBackends.length > 0) {
    const names = browserBackends.map((b) => (b === 'browser-wasm' ? 'wasm' : b)) as ('webgpu' | 'webgl' | 'wasm')[];
    const browserResults = await benchBrowser(names, options.widths);
    for (const backend of browserBackends) {
      table.set(backend, browserResults.get(backend === 'browser-wasm' ? 'wasm' : backend) ?? 'not run');
    }
  }

  const rows: string[] = [];
  rows.push(
    `Training: batch ${BATCH_SIZE}, ${UPDATE_RATIO} critic steps (WGAN-GP) + 1 generator step per iteration; ` +
      `combinations estimated above ${SKIP_ABOVE_SECONDS} s per iteration are skipped.`,
  );
  rows.push('backend       width  iter/s    2-bar ms  16-bar ms  gen-step GFLOP/s  gen-forward GFLOP/s  note');
  for (const [backend, results] of table) {
    if (typeof results === 'string') {
      rows.push(`${backend.padEnd(13)} -      unavailable: ${results}`);
      continue;
    }
    for (const r of results) {
      rows.push(
        `${backend.padEnd(13)} ${String(r.width).padEnd(6)} ${format(r.iterationsPerSecond, 4).padEnd(9)} ` +
          `${format(r.generateMs2Bar, 1).padEnd(9)} ${format(r.generateMs16Bar, 1).padEnd(10)} ` +
          `${format(r.generatorStepGflops, 2).padEnd(17)} ${format(r.generatorForwardGflops, 2).padEnd(20)} ${r.note ?? ''}`,
      );
    }
  }
  const wasmResults = table.get('wasm');
  const cpuResults = table.get('cpu');
  if (Array.isArray(wasmResults)) {
    for (const r of wasmResults) {
      if (r.generatorStepGflops !== null && r.generatorForwardGflops !== null) {
        rows.push(
          `wasm width ${r.width}: generator training step at ${(r.generatorStepGflops / r.generatorForwardGflops).toFixed(2)} ` +
            `of its forward pass's convolution FLOP rate (backward counted as 2x forward)`,
        );
      }
      const cpu = Array.isArray(cpuResults) ? cpuResults.find((c) => c.width === r.width) : undefined;
      if (cpu?.iterationsPerSecond && r.iterationsPerSecond) {
        rows.push(`wasm width ${r.width}: ${(r.iterationsPerSecond / cpu.iterationsPerSecond).toFixed(1)}x the cpu backend's iterations per second`);
      } else if (cpu?.estimatedIterationSeconds && r.iterationsPerSecond) {
        // The cpu run was skipped; its estimate is a lower bound on its iteration time.
        rows.push(
          `wasm width ${r.width}: at least ${(r.iterationsPerSecond * cpu.estimatedIterationSeconds).toFixed(0)}x the cpu backend's ` +
            `iterations per second (cpu skipped, estimated ${cpu.estimatedIterationSeconds.toFixed(0)} s per iteration)`,
        );
      }
    }
  }
  console.log(rows.join('\n'));

  if (options.json) {
    const pick = (key: 'iterationsPerSecond' | 'generateMs2Bar' | 'generateMs16Bar') => {
      const out: Record<string, Record<string, number | null>> = {};
      for (const [backend, results] of table) {
        out[backend] = Object.fromEntries(options.widths.map((w) => [String(w), Array.isArray(results) ? (results.find((r) => r.width === w)?.[key] ?? null) : null]));
      }
      return out;
    };
    console.log(
      JSON.stringify({
        machine: describeMachine(),
        train_iterations_per_second: pick('iterationsPerSecond'),
        generate_ms_2bar: pick('generateMs2Bar'),
        generate_ms_16bar: pick('generateMs16Bar'),
      }),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exitCode = 1;
});

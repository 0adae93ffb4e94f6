/** How the worker chooses its backend (src/worker/backend.ts): by probing, and by measuring the training rate. */
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../../src/protocol/messages';
import { chooseBackend as chooseMeasured, type BackendProbe, type RateMeter } from '../../src/worker/backend';
import { NoBackendError } from '../../src/worker/errors';
import { chooseBackend } from './worker-fixtures';

describe('chooseBackend', () => {
  it('uses the first backend that works and says why earlier ones were skipped', async () => {
    const choice = await chooseBackend(['webgpu', 'webgl', 'wasm', 'cpu'], async (b) => (b === 'wasm' ? undefined : `no ${b} here`));
    expect(choice.backend).toBe('wasm');
    expect(choice.fallbackReason).toBe('webgpu: no webgpu here; webgl: no webgl here');
  });

  it('throws NoBackendError naming every reason when none works', async () => {
    const attempt = chooseBackend(['webgpu', 'cpu'], async (b) => `${b} refused`);
    await expect(attempt).rejects.toBeInstanceOf(NoBackendError);
    await expect(attempt).rejects.toThrow(/webgpu: webgpu refused; cpu: cpu refused/);
  });

  it('really computes on the cpu backend with the default probe', async () => {
    await expect(chooseBackend(['cpu'])).resolves.toMatchObject({ backend: 'cpu', skipped: [] });
  });
});

describe('chooseBackend by measurement', () => {
  const ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
  /** A meter with fixed rates per backend that records which backends it timed, at which width. */
  const meter =
    (rates: Partial<Record<BackendName, number | null>>, calls: string[]): RateMeter =>
    async (backend, width) => {
      calls.push(`${backend}@${width}`);
      return { backend, iterationsPerSecond: rates[backend] ?? null, note: rates[backend] == null ? 'timed out' : undefined };
    };
  const memoryCache = () => {
    const map = new Map<string, unknown>();
    return { get: async (k: string) => map.get(k) as never, put: async (k: string, v: unknown) => void map.set(k, v), map };
  };
  const works: BackendProbe = async () => undefined;

  it('times every offered GPU and wasm backend (never cpu) and trains on the fastest, not the first', async () => {
    const calls: string[] = [];
    // A software WebGPU (fallback adapter) that works but is slow: measured, and loses to wasm.
    const measure = meter({ webgpu: 0.01, webgl: 0.05, wasm: 0.7 }, calls);
    const choice = await chooseMeasured(ORDER, { width: 8 }, { probe: works, measure, cache: memoryCache(), limitMs: 100 });
    expect(calls).toEqual(['webgpu@8', 'webgl@8', 'wasm@8']);
    expect(choice.backend).toBe('wasm');
    expect(choice.how).toBe('measured');
    expect(choice.rates?.map((r) => r.backend)).toEqual(['wasm', 'webgl', 'webgpu']);
  });

  it('does not time a GPU engine on a software renderer where wasm can train, and lists it with the reason', async () => {
    const calls: string[] = [];
    const measure = meter({ webgpu: 0.01, webgl: 0.05, wasm: 0.7 }, calls);
    const software = async (b: BackendName) => (b === 'webgpu' ? 'google swiftshader' : undefined);
    const choice = await chooseMeasured(ORDER, { width: 8 }, { probe: works, measure, cache: memoryCache(), limitMs: 100, software });
    expect(calls).toEqual(['webgl@8', 'wasm@8']);
    expect(choice.backend).toBe('wasm');
    const webgpu = choice.rates?.find((r) => r.backend === 'webgpu');
    expect(webgpu).toEqual({
      backend: 'webgpu',
      iterationsPerSecond: null,
      note: 'a software renderer, google swiftshader: slower than WebAssembly',
    });
    // Without wasm to train instead, the software renderer is timed like any engine.
    const gpuOnly: BackendName[] = ['webgpu', 'webgl'];
    const gpuCalls: string[] = [];
    await chooseMeasured(
      gpuOnly,
      { width: 8 },
      { probe: works, measure: meter({ webgpu: 0.01, webgl: 0.05 }, gpuCalls), cache: memoryCache(), limitMs: 100, software },
    );
    expect(gpuCalls).toEqual(['webgpu@8', 'webgl@8']);
  });

  it('reuses the cached rates of the same browser and model size, and measures again for another size', async () => {
    const cache = memoryCache();
    const calls: string[] = [];
    const deps = { probe: works, measure: meter({ webgpu: 3, wasm: 1 }, calls), cache, limitMs: 100 };
    await chooseMeasured(ORDER, { width: 16 }, deps);
    const again = await chooseMeasured(ORDER, { width: 16 }, deps);
    expect(again).toMatchObject({ backend: 'webgpu', how: 'cached' });
    expect(calls).toEqual(['webgpu@16', 'webgl@16', 'wasm@16']);
    await chooseMeasured(ORDER, { width: 32 }, deps);
    expect(calls.slice(3)).toEqual(['webgpu@32', 'webgl@32', 'wasm@32']);
  });

  it('skips a fastest backend that fails its correctness probe, and honours an override', async () => {
    const probe: BackendProbe = async (b) => (b === 'webgpu' ? 'computed wrong values' : undefined);
    const deps = { probe, measure: meter({ webgpu: 9, webgl: 2, wasm: 1 }, []), cache: memoryCache(), limitMs: 100 };
    const choice = await chooseMeasured(ORDER, {}, deps);
    expect(choice.backend).toBe('webgl');
    expect(choice.fallbackReason).toMatch(/webgpu: computed wrong values/);
    await expect(chooseMeasured(ORDER, { override: 'wasm' }, deps)).resolves.toMatchObject({ backend: 'wasm', how: 'override' });
    // An override that does not work falls back to the measured choice and says why.
    const failed = await chooseMeasured(ORDER, { override: 'webgpu' }, deps);
    expect(failed.backend).toBe('webgl');
    expect(failed.fallbackReason).toMatch(/webgpu \(your choice\): computed wrong values/);
  });
});

/**
 * The page starts its worker before it renders (startWorkerEarly): the first client takes that worker, and what the
 * worker said before anyone listened (an event, a failure to load) reaches the client. A stand-in Worker replaces
 * the browser's, which Node lacks.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBrowserWorkerPort, startWorkerEarly, TrainerClient } from '../../src/worker/client';
import type { WorkerEvent } from '../../src/protocol/messages';

class StandInWorker {
  static made: StandInWorker[] = [];
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: { message: string; preventDefault: () => void }) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  posted: unknown[] = [];
  terminated = false;
  constructor() {
    StandInWorker.made.push(this);
  }
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  terminate() {
    this.terminated = true;
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  StandInWorker.made = [];
});

describe('a worker started early', () => {
  it('hands what it sent before anyone listened to the listener, in order', () => {
    vi.stubGlobal('Worker', StandInWorker);
    const port = createBrowserWorkerPort();
    const worker = StandInWorker.made[0];
    worker.onmessage?.({ data: { type: 'ready', backend: 'wasm' } });
    worker.onerror?.({ message: 'the script failed', preventDefault: () => undefined });
    const events: WorkerEvent[] = [];
    const crashes: string[] = [];
    port.listen(
      (event) => events.push(event),
      (reason) => crashes.push(reason),
    );
    expect(events).toEqual([{ type: 'ready', backend: 'wasm' }]);
    expect(crashes).toEqual(['the script failed']);
    // Afterwards straight through.
    worker.onmessage?.({ data: { type: 'state', state: 'idle' } });
    expect(events).toHaveLength(2);
  });

  it('is taken by the first client, and a client after it starts its own', async () => {
    vi.stubGlobal('Worker', StandInWorker);
    startWorkerEarly();
    startWorkerEarly();
    expect(StandInWorker.made).toHaveLength(1);
    const early = StandInWorker.made[0];
    // The first client talks to the worker started early.
    const first = TrainerClient.create({ recover: false });
    expect(StandInWorker.made).toHaveLength(1);
    const ready = first.init();
    expect(early.posted).toMatchObject([{ type: 'init' }]);
    early.onmessage?.({ data: { type: 'ready', backend: 'wasm' } });
    await expect(ready).resolves.toMatchObject({ backend: 'wasm' });
    const second = TrainerClient.create({ recover: false });
    expect(StandInWorker.made).toHaveLength(2);
    first.dispose();
    second.dispose();
    expect(early.terminated).toBe(true);
  });
});

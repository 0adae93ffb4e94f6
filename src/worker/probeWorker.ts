/**
 * The probe role of the worker script (worker.ts): a short-lived worker that times one backend for backend.ts's
 * chooseBackend. It checks the backend computes correctly, then times a few training iterations of the requested
 * model size and answers once. Running in its own worker lets the caller end it when its time limit runs out, even
 * in the middle of a long GPU dispatch.
 */
import * as tf from '@tensorflow/tfjs';

import { ReplicatedTraining } from '../model/parallel/replicas';
import { measureActiveBackend, PROBE_BATCH, type ProbeReply, type ProbeRequest } from './backend';
import { activeWasmThreads, probeBackend } from './backendStart';
import { browserReplicaCount, spawnReplicaWorker } from './replicas';

/** Describes the WebGPU adapter, flagging a fallback (software) one: it is measured, never assumed fast. */
async function adapterNote(): Promise<string | undefined> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) return undefined;
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
  const fallback = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true;
  return `${fallback ? 'fallback adapter' : 'adapter'}${name ? ` ${name}` : ''}`;
}

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}

/** Answers the one ProbeRequest this worker gets. */
export function serveProbe(scope: DedicatedWorkerGlobalScope): void {
  scope.onmessage = async (event: MessageEvent<ProbeRequest>) => {
    const { backend, width, budgetMs } = event.data;
    let reply: ProbeReply;
    try {
      const reason = await probeBackend(backend);
      if (reason !== undefined) reply = { ok: false, reason };
      else {
        // WebAssembly is timed as it trains: one replica of the engine per core. Starting the replicas' workers is
        // start-up, like loading the backend: the timed part (and the probe's limit) begins once they are ready.
        const replicas = browserReplicaCount(PROBE_BATCH);
        const measured = await measureActiveBackend(width, budgetMs, ReplicatedTraining.starter(replicas, spawnReplicaWorker), () =>
          scope.postMessage({ ok: 'started' } satisfies ProbeReply),
        );
        const notes = [tf.getBackend() === 'webgpu' ? await adapterNote() : undefined, measured.note].filter(Boolean);
        reply = { ok: true, iterationsPerSecond: measured.iterationsPerSecond };
        if (notes.length) reply.note = notes.join('; ');
        const threads = activeWasmThreads();
        if (threads !== undefined) reply.threads = Math.max(threads, replicas);
      }
    } catch (error) {
      reply = { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
    scope.postMessage(reply);
  };
}

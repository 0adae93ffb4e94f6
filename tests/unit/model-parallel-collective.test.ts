/**
 * The collective of data-parallel training (src/model/parallel/collective.ts) on real threads: sums longer than
 * one slot arrive whole and the same in every thread, and an abort frees every waiting thread with an error.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

import { Collective, createCollective, type CollectiveInit } from '../../src/model/parallel/collective';

type Reply = { first?: number[]; second?: number[]; error?: string; aborted?: boolean };

function thread(init: CollectiveInit, index: number, length: number, abort = false): Promise<Reply> {
  const worker = new Worker(new URL('../../scripts/lib/tsWorker.mjs', import.meta.url), {
    workerData: { entry: new URL('./model-parallel-collective-worker.ts', import.meta.url).href, init, index, length, abort },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (reply: Reply) => {
      void worker.terminate();
      resolve(reply);
    });
    worker.once('error', reject);
  });
}

describe('the collective of training replicas', () => {
  it('sums in several rounds across three threads, every thread getting the same numbers', async () => {
    // A slot of 5 numbers: 12 numbers take three rounds.
    const init = createCollective(3, 5);
    const replies = await Promise.all([0, 1, 2].map((index) => thread(init, index, 12)));
    // Thread r contributes (r + 1) * i + 0.25: the sum over 3 threads is 6i + 0.75.
    const expected = Array.from({ length: 12 }, (_, i) => 6 * i + 0.75);
    for (const reply of replies) {
      expect(reply.error).toBeUndefined();
      expect(reply.first).toEqual(expected);
      expect(reply.second).toEqual(expected.map((v) => -v));
    }
  }, 60_000);

  it('frees every waiting thread with an error when one aborts', async () => {
    const init = createCollective(3, 4);
    const replies = await Promise.all([thread(init, 0, 8), thread(init, 1, 8), thread(init, 2, 8, true)]);
    expect(replies[2]).toEqual({ aborted: true });
    expect(replies[0]).toEqual({ error: 'CollectiveAbortedError' });
    expect(replies[1]).toEqual({ error: 'CollectiveAbortedError' });
  }, 60_000);

  it('refuses a replica index outside the set and sums a lone replica without waiting', () => {
    const init = createCollective(2, 4);
    expect(() => new Collective(init, 2)).toThrow(RangeError);
    expect(() => createCollective(0)).toThrow(RangeError);
    const alone = new Collective(createCollective(1, 2), 0);
    expect(Array.from(alone.sum(Float32Array.of(1, 2, 3)))).toEqual([1, 2, 3]);
  });
});

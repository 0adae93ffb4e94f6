/** A thread of model-parallel-collective.test.ts: joins the collective and sums its numbers, or aborts it. */
import { parentPort, workerData } from 'node:worker_threads';

import { Collective, type CollectiveInit } from '../../src/model/parallel/collective';

const { init, index, length, abort } = workerData as { init: CollectiveInit; index: number; length: number; abort: boolean };
const collective = new Collective(init, index);
try {
  if (abort) {
    collective.abort();
    parentPort?.postMessage({ aborted: true });
  } else {
    const values = Float32Array.from({ length }, (_, i) => (index + 1) * i + 0.25);
    const first = collective.sum(values);
    collective.barrier();
    const second = collective.sum(values.map((v) => -v));
    parentPort?.postMessage({ first: Array.from(first), second: Array.from(second) });
  }
} catch (error) {
  parentPort?.postMessage({ error: (error as Error).name });
}

/**
 * The meeting point of data-parallel training replicas: a barrier and a sum over every replica, on one
 * SharedArrayBuffer that each replica's thread holds (workers in the browser, worker_threads in Node).
 *
 * Every replica must make the same calls in the same order (they run the same training step on their
 * own share of the batch). Sums add the replicas' numbers in replica order, so every replica gets the very
 * same result, bit for bit, and their weights stay identical. A replica that fails, or the coordinator
 * ending the run, aborts the collective: every replica waiting in it, or arriving later, throws instead of
 * waiting forever.
 */

/** Control words at the start of the buffer. */
const ARRIVED = 0;
const GENERATION = 1;
const ABORTED = 2;
const CONTROL_WORDS = 4;
/** How long one wait may last before the abort flag is looked at again, in milliseconds. */
const WAIT_SLICE_MS = 1000;
/** Numbers each replica contributes per round of a sum; longer arrays go in several rounds. */
export const DEFAULT_SLOT_FLOATS = 1 << 20;

/** What a replica's thread needs to join: structured-cloneable, the buffer shared. */
export interface CollectiveInit {
  buffer: SharedArrayBuffer;
  replicas: number;
  slotFloats: number;
}

/** Raised in every replica once any replica (or the coordinator) aborted the collective. */
export class CollectiveAbortedError extends Error {
  constructor() {
    super('Training on several threads stopped: another training thread failed or the run was ended.');
    this.name = 'CollectiveAbortedError';
  }
}

/** Allocates the shared memory for `replicas` replicas. */
export function createCollective(replicas: number, slotFloats = DEFAULT_SLOT_FLOATS): CollectiveInit {
  if (!Number.isInteger(replicas) || replicas < 1) throw new RangeError(`replicas must be a whole number >= 1, got ${replicas}`);
  if (!Number.isInteger(slotFloats) || slotFloats < 1) throw new RangeError(`slotFloats must be a whole number >= 1, got ${slotFloats}`);
  const buffer = new SharedArrayBuffer(CONTROL_WORDS * 4 + replicas * slotFloats * 4);
  return { buffer, replicas, slotFloats };
}

/** Marks the collective aborted and wakes every waiting replica (callable from any thread, the coordinator's too). */
export function abortCollective(init: CollectiveInit): void {
  const control = new Int32Array(init.buffer, 0, CONTROL_WORDS);
  Atomics.store(control, ABORTED, 1);
  Atomics.add(control, GENERATION, 1);
  Atomics.notify(control, GENERATION);
}

/** One replica's handle on the collective. */
export class Collective {
  readonly replicas: number;
  private readonly control: Int32Array;
  private readonly slots: Float32Array[];

  constructor(
    private readonly init: CollectiveInit,
    readonly index: number,
  ) {
    if (!Number.isInteger(index) || index < 0 || index >= init.replicas) {
      throw new RangeError(`replica index must be in 0..${init.replicas - 1}, got ${index}`);
    }
    this.replicas = init.replicas;
    this.control = new Int32Array(init.buffer, 0, CONTROL_WORDS);
    this.slots = Array.from(
      { length: init.replicas },
      (_, r) => new Float32Array(init.buffer, CONTROL_WORDS * 4 + r * init.slotFloats * 4, init.slotFloats),
    );
  }

  /** Returns once every replica has called it as often as this one. */
  barrier(): void {
    const control = this.control;
    this.throwIfAborted();
    const generation = Atomics.load(control, GENERATION);
    if (Atomics.add(control, ARRIVED, 1) === this.replicas - 1) {
      Atomics.store(control, ARRIVED, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      return;
    }
    while (Atomics.load(control, GENERATION) === generation) Atomics.wait(control, GENERATION, generation, WAIT_SLICE_MS);
    this.throwIfAborted();
  }

  /** The element-wise sum of `values` over every replica (each passes an array of the same length). */
  sum(values: Float32Array): Float32Array {
    if (this.replicas === 1) return Float32Array.from(values);
    const total = new Float32Array(values.length);
    const slotFloats = this.init.slotFloats;
    const own = this.slots[this.index];
    for (let start = 0; start < values.length; start += slotFloats) {
      const end = Math.min(values.length, start + slotFloats);
      own.set(values.subarray(start, end));
      this.barrier();
      const part = total.subarray(start, end);
      part.set(this.slots[0].subarray(0, end - start));
      for (let r = 1; r < this.replicas; r++) {
        const slot = this.slots[r];
        for (let i = 0; i < part.length; i++) part[i] += slot[i];
      }
      // Nobody writes its slot again before everyone has read this round.
      this.barrier();
    }
    return total;
  }

  /** Aborts the collective for every replica (see abortCollective). */
  abort(): void {
    abortCollective(this.init);
  }

  private throwIfAborted(): void {
    if (Atomics.load(this.control, ABORTED) !== 0) throw new CollectiveAbortedError();
  }
}

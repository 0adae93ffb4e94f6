/** Shared fixtures of the worker tests: tiny synthetic data, an event recorder, an in-process worker port. */
import { PITCHES, WINDOW_STEPS, createRoll, type PianoRoll, type TrainingWindows } from '../../src/music/pianoRoll';
import type { HyperParams } from '../../src/protocol/config';
import type { BackendName, ModelFiles, WorkerEvent, WorkerRequest } from '../../src/protocol/messages';
import { chooseBackend as chooseMeasured, type BackendProbe, type ChooseDeps } from '../../src/worker/backend';
import { probeBackend } from '../../src/worker/backendStart';
import type { WorkerPort } from '../../src/worker/client';
import type { EngineFactory, TrainingRun, WorkerModel } from '../../src/worker/engineFactory';
import { BadModelError } from '../../src/worker/errors';
import { TrainerHandler, type TrainerDeps } from '../../src/worker/trainer';

/** Choosing without timing (every rate unknown): the first backend of the order that passes `probe`. */
const untimed = (probe: BackendProbe): ChooseDeps => ({
  probe,
  measure: async (backend) => ({ backend, iterationsPerSecond: null, note: 'not timed in this test' }),
  cache: { get: async () => undefined, put: async () => {} },
  limitMs: 1000,
});

/** The worker's backend choice without timing: the first backend of `order` that passes `probe` (by default the real probe). */
export const chooseBackend = (order?: readonly BackendName[], probe: BackendProbe = (b) => probeBackend(b)) =>
  chooseMeasured(order, {}, untimed(probe));

/** `count` 2-bar SATB windows of held triads moving by a step per window (values -1/+1). */
export function syntheticWindows(count: number): TrainingWindows {
  const tracks = 4;
  const data = new Int8Array(count * WINDOW_STEPS * PITCHES * tracks).fill(-1);
  for (let w = 0; w < count; w++) {
    // soprano, alto, tenor, bass of a C-major-ish chord, shifted per window and per half bar.
    for (let step = 0; step < WINDOW_STEPS; step++) {
      const shift = (w + Math.floor(step / 8)) % 5;
      const pitches = [72 + shift, 67 + shift, 64 + shift, 48 + shift];
      pitches.forEach((pitch, track) => {
        data[((w * WINDOW_STEPS + step) * PITCHES + pitch) * tracks + track] = 1;
      });
    }
  }
  return { count, steps: WINDOW_STEPS, tracks, data, trackNames: ['soprano', 'alto', 'tenor', 'bass'] };
}

/** A one-track melody of `steps` steps: a scale, one pitch per beat. */
export function melodyRoll(steps = WINDOW_STEPS): PianoRoll {
  const roll = createRoll(steps, [{ name: 'melody', program: 0, isDrum: false }]);
  for (let step = 0; step < steps; step++) {
    const pitch = 72 + (Math.floor(step / 4) % 8);
    roll.active[step * PITCHES + pitch] = 1;
    if (step % 4 === 0 && roll.onsets) roll.onsets[step * PITCHES + pitch] = 1;
  }
  return roll;
}

/** Records posted events and lets a test wait for one that matches. */
export class EventLog {
  readonly events: WorkerEvent[] = [];
  private waiters: { match: (e: WorkerEvent) => boolean; resolve: (e: WorkerEvent) => void }[] = [];

  readonly post = (event: WorkerEvent): void => {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(event)) return true;
      w.resolve(event);
      return false;
    });
  };

  /** Resolves with the first event (already seen or future, from index `from`) that matches. */
  waitFor<T extends WorkerEvent['type']>(
    type: T,
    match: (e: Extract<WorkerEvent, { type: T }>) => boolean = () => true,
    from = 0,
    timeoutMs = 110_000,
  ): Promise<Extract<WorkerEvent, { type: T }>> {
    const test = (e: WorkerEvent): boolean => e.type === type && match(e as Extract<WorkerEvent, { type: T }>);
    const seen = this.events.slice(from).find(test);
    if (seen) return Promise.resolve(seen as Extract<WorkerEvent, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no '${type}' event within ${timeoutMs} ms; saw ${this.events.map((e) => e.type).join(', ')}`)),
        timeoutMs,
      );
      this.waiters.push({
        match: test,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as Extract<WorkerEvent, { type: T }>);
        },
      });
    });
  }

  of<T extends WorkerEvent['type']>(type: T): Extract<WorkerEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  }
}

/**
 * A WorkerPort that runs a real TrainerHandler in this process, with structured cloning (and transfer) of every
 * message in both directions as postMessage does; `crash()` acts as the worker dying.
 */
export class InProcessPort implements WorkerPort {
  readonly handler: TrainerHandler;
  readonly received: WorkerRequest[] = [];
  private onEvent: ((event: WorkerEvent) => void) | undefined;
  private onCrash: ((reason: string) => void) | undefined;
  terminated = false;

  constructor(deps: Omit<TrainerDeps, 'post'>) {
    this.handler = new TrainerHandler({
      ...deps,
      post: (event, transfer) => {
        if (this.terminated) return;
        const copy = structuredClone(event, { transfer: transfer ?? [] });
        // Delivered as a separate task, like a real message.
        setTimeout(() => {
          if (!this.terminated) this.onEvent?.(copy);
        }, 0);
      },
    });
  }

  postMessage(message: WorkerRequest, transfer: ArrayBuffer[]): void {
    if (this.terminated) return;
    const copy = structuredClone(message, { transfer });
    this.received.push(copy);
    setTimeout(() => void this.handler.handle(copy), 0);
  }

  listen(onEvent: (event: WorkerEvent) => void, onCrash: (reason: string) => void): void {
    this.onEvent = onEvent;
    this.onCrash = onCrash;
  }

  terminate(): void {
    this.terminated = true;
    this.handler.dispose();
  }

  /** Simulates the worker dying. */
  crash(reason: string): void {
    this.onCrash?.(reason);
  }
}

/**
 * A stand-in engine for tests of the message plumbing only (errors, request ids, crash recovery): it trains
 * nothing. Its "weights" are a counter of iterations, so exported state and models show where a run stood.
 */
export class CountingEngineFactory implements EngineFactory {
  /** Milliseconds each fake iteration takes, so pause and stop can land mid-run. */
  constructor(private readonly iterationMs = 2) {}

  async newRun(config: HyperParams, _data: TrainingWindows): Promise<TrainingRun> {
    return this.makeRun(config, 0);
  }

  /** Trains alone, as on a GPU engine. */
  replicasFor(): number {
    return 1;
  }

  async restoreRun(state: unknown, config: HyperParams, _data: TrainingWindows, completedIterations: number): Promise<TrainingRun> {
    const saved = state as { iterations: number };
    if (saved.iterations !== completedIterations) throw new Error(`state at ${saved.iterations}, counters at ${completedIterations}`);
    return this.makeRun(config, saved.iterations);
  }

  async loadModel(files: ModelFiles): Promise<WorkerModel> {
    const parsed = JSON.parse(files.modelJson) as { cantusFake?: HyperParams };
    if (!parsed.cantusFake) throw new BadModelError('not a model');
    return new CountingModel(parsed.cantusFake, { iterations: new Uint32Array(files.weights)[0] });
  }

  private makeRun(config: HyperParams, iterations: number): TrainingRun {
    const counter = { iterations };
    const model = new CountingModel(config, counter);
    const iterationMs = this.iterationMs;
    return {
      model,
      threads: 1,
      async trainIteration() {
        await new Promise((resolve) => setTimeout(resolve, iterationMs));
        counter.iterations++;
        return { criticLoss: -counter.iterations, generatorLoss: counter.iterations, wasserstein: 1, gradientPenalty: 0.5, voiceLoss: 0 };
      },
      async exportState() {
        return { iterations: counter.iterations };
      },
      dispose() {},
    };
  }
}

class CountingModel implements WorkerModel {
  constructor(
    readonly config: HyperParams,
    private readonly counter: { iterations: number },
  ) {}

  async accompany(melody: PianoRoll): Promise<PianoRoll> {
    const tracks = ['soprano', 'alto', 'tenor', 'bass'].map((name) => ({ name, program: 0, isDrum: false }));
    const roll = createRoll(melody.steps, tracks, { withOnsets: false });
    for (let cell = 0; cell < melody.steps * PITCHES; cell++) {
      if (melody.active[cell * melody.tracks.length]) roll.active[cell * 4] = 1;
    }
    return roll;
  }

  async snapshot(melodies: PianoRoll[]): Promise<PianoRoll[]> {
    return Promise.all(melodies.map((m) => this.accompany(m)));
  }

  async exportModel(): Promise<ModelFiles> {
    return { modelJson: JSON.stringify({ cantusFake: this.config }), weights: new Uint32Array([this.counter.iterations]).buffer };
  }

  dispose(): void {}
}

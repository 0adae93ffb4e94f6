/**
 * The training worker's compute engine: chosen at once so generation never waits, timed for training in the
 * background. On a first visit nothing is timed yet: the worker starts the engine that is ready in a moment
 * (chooseBackend with `deferTiming`), reports it, and times the engines once the worker has been idle for a while
 * (a request that uses the engine interrupts the timing, which starts again when it is done), or at once when
 * training is asked for. The timed choice then replaces the first one between two engine calls and is reported
 * in a second 'ready'.
 */
import type { BackendName, BackendRate, WorkerEvent } from '../protocol/messages';
import type { BackendChoice, ChooseOptions } from './backend';

/** How long the worker must be idle before the engines are timed in the background. */
export const TIMING_IDLE_MS = 4_000;

/** What the engine choice is built from; injected, so it can be tested without browsers. */
export interface EngineChoiceDeps {
  /** Picks and switches to a backend (backend.ts's chooseBackend). */
  chooseBackend: (order: readonly BackendName[], options: ChooseOptions) => Promise<BackendChoice>;
  /** Times the engines for training (backend.ts's timeBackends); absent: the choice is always timed first. */
  timeBackends?: (order: readonly BackendName[], width: number, signal: AbortSignal) => Promise<BackendRate[] | undefined>;
  /** Watches the chosen engine's device; returns a cancel function. */
  watchDeviceLoss?: (onLost: (message: string) => void) => () => void;
  onDeviceLost: (message: string) => void;
  post: (event: WorkerEvent) => void;
  /** Runs `task` between engine calls (never in the middle of a training step or a generation). */
  exclusive: <T>(task: () => Promise<T>) => Promise<T>;
  idleMs?: number;
}

/** The timing still to do: what it is for, and its run when started. */
interface PendingTiming {
  order: readonly BackendName[];
  width: number | undefined;
  run?: Promise<void>;
  abort?: AbortController;
}

/** The engine in use, and the timing of the engines for training that may still replace it. */
export class EngineChoice {
  private currentChoice: BackendChoice | undefined;
  private cancelWatch: (() => void) | undefined;
  private pending: PendingTiming | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busyCount = 0;
  /** Counts choices; a background timing applies only if no other choice was made since it began. */
  private generation = 0;

  constructor(private readonly deps: EngineChoiceDeps) {}

  /** The choice in use; undefined before the first. */
  get current(): BackendChoice | undefined {
    return this.currentChoice;
  }

  /** Whether the engines are still to be timed (the engine in use was started at once). */
  get timing(): boolean {
    return this.pending !== undefined;
  }

  /**
   * Chooses the engine: the user's override, the fastest timed (now or on an earlier visit), or, where nothing is
   * timed yet and the timing can wait, the quickest to start; the timing then follows in the background.
   */
  async choose(order: readonly BackendName[], width: number | undefined, override: BackendName | undefined): Promise<void> {
    this.cancelTiming();
    const generation = ++this.generation;
    const options: ChooseOptions = {};
    if (width !== undefined) options.width = width;
    if (override !== undefined) options.override = override;
    else if (this.deps.timeBackends) options.deferTiming = true;
    const choice = await this.deps.exclusive(() => this.deps.chooseBackend(order, options));
    this.apply(choice);
    if (choice.timing && generation === this.generation) {
      this.pending = { order, width };
      this.schedule();
    }
  }

  /**
   * Times the engines now if that is still to do, at model width `width` (default the width asked for), and switches
   * to the fastest: training waits for this.
   */
  async timed(width?: number): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    clearTimeout(this.timer);
    if (width !== undefined && width !== pending.width) {
      // The run trains another model size than the one asked for at start: time that one.
      pending.abort?.abort();
      pending.run = undefined;
      pending.abort = undefined;
      pending.width = width;
    }
    await (pending.run ?? this.start(pending));
  }

  /** Runs `task`, an engine call of a request (generation, loading, saving): the timing gives way to it and waits. */
  async whileBusy<T>(task: () => Promise<T>): Promise<T> {
    this.busyCount++;
    clearTimeout(this.timer);
    const pending = this.pending;
    if (pending?.abort) {
      // A timing in flight competes for the same cores: end it, and time again once idle.
      pending.abort.abort();
      pending.run = undefined;
      pending.abort = undefined;
    }
    try {
      return await task();
    } finally {
      this.busyCount--;
      this.schedule();
    }
  }

  /** Ends any timing and the device watch. */
  dispose(): void {
    this.cancelTiming();
    this.cancelWatch?.();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const pending = this.pending;
    if (!pending || pending.run || this.busyCount > 0) return;
    this.timer = setTimeout(() => void this.start(pending), this.deps.idleMs ?? TIMING_IDLE_MS);
  }

  private start(pending: PendingTiming): Promise<void> {
    const abort = new AbortController();
    const generation = this.generation;
    pending.abort = abort;
    pending.run = (async () => {
      const rates = await this.deps.timeBackends?.(pending.order, pending.width ?? 16, abort.signal);
      if (abort.signal.aborted || rates === undefined || this.pending !== pending) return;
      this.pending = undefined;
      await this.deps.exclusive(async () => {
        if (generation !== this.generation) return;
        const current = this.currentChoice;
        if (current && !rates.some((r) => r.iterationsPerSecond !== null)) {
          // Nothing could be timed (each engine ran out of its limit): the engine in use stays, with the reasons shown.
          const { timing: _timing, ...kept } = current;
          void _timing;
          this.apply({ ...kept, rates, width: pending.width ?? 16 });
          return;
        }
        const options: ChooseOptions = { rates };
        if (pending.width !== undefined) options.width = pending.width;
        this.apply(await this.deps.chooseBackend(pending.order, options));
      });
    })().catch((error: unknown) => {
      // The first engine stays in use; the page hears why the timing failed.
      if (this.pending === pending) this.pending = undefined;
      this.deps.post({
        type: 'error',
        code: 'internal',
        message: `The compute engines could not be timed (${error instanceof Error ? error.message : String(error)}); the engine in use stays.`,
      });
    });
    return pending.run;
  }

  private cancelTiming(): void {
    clearTimeout(this.timer);
    this.pending?.abort?.abort();
    this.pending = undefined;
  }

  /** Uses `choice`: watches its device and tells the page. */
  private apply(choice: BackendChoice): void {
    this.currentChoice = choice;
    this.cancelWatch?.();
    this.cancelWatch = this.deps.watchDeviceLoss?.((message) => this.deps.onDeviceLost(message));
    const ready: WorkerEvent = { type: 'ready', backend: choice.backend };
    if (choice.fallbackReason) ready.fallbackReason = choice.fallbackReason;
    // Optional fields are left out when empty, so a choice without measurements reads as before.
    if (choice.how !== undefined && choice.how !== 'first-working') ready.how = choice.how;
    if (choice.rates?.length) ready.rates = choice.rates;
    if (choice.threads !== undefined) ready.threads = choice.threads;
    // The width the rates were timed at; without rates there was nothing timed at any width.
    if (choice.width !== undefined && choice.rates?.length) ready.width = choice.width;
    if (choice.timing) ready.timing = true;
    this.deps.post(ready);
  }
}

/** The worker the page trains and accompanies with: started once, chosen by measurement or by the user. */
import type { BackendName, EngineOptions, EngineReady, WorkerEvent } from '../../protocol/messages';
import type { Store } from '../store';
import { isTraining, type AppState } from '../state';
import { checkDraft } from '../hyperForm';
import type { Trainer } from './deps';
import { messageOf, PageActionError, type Messages } from './messages';

/** Holds the worker client and its compute engine choice; the other areas reach the worker through `trainer`. */
export class ComputeEngine {
  private client: Trainer | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Settles once the worker has started and its first model is in (or failed to be): actions that need a model wait on it. */
  ready: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store<AppState>,
    private readonly messages: Messages,
    private readonly createTrainer: () => Trainer,
  ) {}

  /** The worker client; null before `start`, after `dispose`, or when it could not start. */
  get trainer(): Trainer | null {
    return this.client;
  }

  /**
   * Starts the worker, shows its engine, then runs `afterInit` (the first model); `ready` follows all of it.
   * `isCurrent` says whether the page still wants this start (React's strict mode disposes and starts again).
   * Reports failures, never throws.
   */
  start(onEvent: (event: WorkerEvent) => void, isCurrent: () => boolean, afterInit: () => Promise<void>): Promise<void> {
    this.ready = this.run(onEvent, isCurrent, afterInit);
    return this.ready;
  }

  private async run(onEvent: (event: WorkerEvent) => void, isCurrent: () => boolean, afterInit: () => Promise<void>): Promise<void> {
    try {
      this.client = this.createTrainer();
      this.unsubscribe = this.client.on(onEvent);
      const ready = await this.client.init(undefined, this.options());
      if (!isCurrent()) return;
      this.show(ready);
    } catch (error) {
      this.messages.report('training', new Error(`The training engine could not start: ${messageOf(error)}`));
      return;
    }
    await afterInit();
  }

  /** Stops listening to the worker and frees it. */
  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.client?.dispose();
    this.client = null;
  }

  /**
   * Uses `backend` for training and generation (null: the fastest measured). The worker switches between
   * iterations only when idle, so a running training is not touched.
   */
  async setEngineOverride(backend: BackendName | null): Promise<void> {
    if (isTraining(this.store.get())) {
      this.messages.report('training', new PageActionError('Stop training before changing the compute engine.'));
      return;
    }
    this.store.set({ engineOverride: backend });
    await this.choose();
  }

  /** What the engine choice is asked: the model width of the settings (when valid) and the user's override. */
  private options(): EngineOptions {
    const s = this.store.get();
    const checked = checkDraft(s.draft);
    const options: EngineOptions = {};
    if (checked.ok && checked.value.baseWidth !== undefined) options.width = checked.value.baseWidth;
    if (s.engineOverride) options.override = s.engineOverride;
    return options;
  }

  /** Asks the worker to choose again (another width or override); reports failures, never throws. */
  async choose(): Promise<void> {
    const trainer = this.client;
    if (!trainer) return;
    try {
      this.show(await trainer.init(undefined, this.options()));
    } catch (error) {
      this.messages.report('training', new Error(`The compute engine could not be changed: ${messageOf(error)}`));
    }
  }

  /** Shows the engine the worker chose (its 'ready' answer or event). */
  show(ready: EngineReady): void {
    const { type: _type, ...engine } = ready as EngineReady & { type?: string };
    void _type;
    this.store.set({ backend: engine.backend, backendNote: engine.fallbackReason ?? '', engine });
  }
}

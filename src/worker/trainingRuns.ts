/**
 * Training in the worker: starting a run (new, or continued from its checkpoint), its loop through the training
 * driver with a 'progress' event per iteration, pause, resume and stop, and the 'state' events.
 */
import { TrainingDriver } from '../model/driver';
import { splitHeldOut } from '../music/heldOut';
import type { PianoRoll, TrainingWindows } from '../music/pianoRoll';
import { memoryProblem } from '../protocol/memory';
import { checkHyperParams, startFromProblem, type HyperParams } from '../protocol/config';
import type { MetricSet, TrainingState } from '../protocol/messages';
import { pianoRollSchema, trainingWindowsSchema } from '../protocol/requests';
import type { HandlerContext } from './context';
import type { EngineFactory, TrainingRun, WorkerModel } from './engineFactory';
import { endEpoch, saveCheckpoint, type EpochEndContext, type Session } from './epochEnd';
import { BadRequestError, BusyError, StorageError, TrainerError } from './errors';
import { refuseUnless } from './requestChecks';
import { datasetIdentity, sameDataset, type TrainerStore } from './store';

/** What the training runs are built from. */
export interface TrainingRunsDeps {
  context: HandlerContext;
  engines: EngineFactory;
  store: TrainerStore;
  /** Objective metrics of a set of rolls; undefined uses computeMetrics, null sends no 'metrics' events. */
  metrics: ((rolls: PianoRoll[]) => MetricSet) | null | undefined;
  /** Milliseconds, for the speed figures; undefined uses the driver's clock. */
  now: (() => number) | undefined;
  /** Has an engine chosen and timed for training at model width `width` before a run starts. */
  prepareEngine: (width: number) => Promise<void>;
  /** Makes a run's model the one generate and save use. */
  useModel: (model: WorkerModel) => void;
  /** The model generate and save use now (a run may start from its weights); undefined before one is loaded. */
  modelInUse: () => WorkerModel | undefined;
}

/** The model in use, where a new run of `config` can start from its weights (startFromProblem); else a message naming the setting. */
function startingModel(model: WorkerModel | undefined, config: HyperParams): WorkerModel {
  if (!model) throw new TrainerError('no-model', 'There is no model in use to train on from: load one, or start from new weights.');
  const problem = startFromProblem(model.config, config);
  if (problem) throw new TrainerError('bad-config', problem.message, [problem]);
  return model;
}

/** Refuses (as bad settings, naming the batch size) a run whose replicas would not fit in memory (src/model/memory.ts). */
function refuseUnlessItFits(config: HyperParams, engines: EngineFactory): void {
  const problem = memoryProblem(config.baseWidth, config.batchSize, engines.replicasFor(config.batchSize));
  if (problem) throw new TrainerError('bad-config', problem, [{ field: 'batchSize', message: problem }]);
}

/** The worker's training run and its state; one run at a time. */
export class TrainingRuns {
  private state: TrainingState = 'idle';
  private session: Session | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: TrainingRunsDeps) {}

  /** The current training state. */
  get trainingState(): TrainingState {
    return this.state;
  }

  /** Whether a run is going on (paused counts). */
  get active(): boolean {
    return this.state === 'training' || this.state === 'paused';
  }

  /** Resolves when the training loop (if any) has ended. */
  async whenIdle(): Promise<void> {
    await this.loop;
  }

  /**
   * Checks the settings and data, then starts a run: a new one (from seeded weights, or from the model in use's with
   * `fromModelInUse`), or the saved one continued when `resume`.
   */
  async start(
    configInput: unknown,
    data: TrainingWindows,
    snapshotMelodies: PianoRoll[],
    resume: boolean,
    fromModelInUse = false,
  ): Promise<void> {
    if (this.active) throw new BusyError('start a new training run');
    const checked = checkHyperParams(configInput);
    if (!checked.ok) {
      throw new TrainerError(
        'bad-config',
        `Some settings are not valid: ${checked.problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`,
        checked.problems,
      );
    }
    refuseUnless(trainingWindowsSchema, data);
    // Checked before anything is timed or cleared: a run that cannot start from the model in use says so at once.
    const startFrom = fromModelInUse && !resume ? startingModel(this.deps.modelInUse(), checked.value) : undefined;
    const melodies = Array.isArray(snapshotMelodies) ? snapshotMelodies : [];
    melodies.forEach((m, i) => refuseUnless(pianoRollSchema(`snapshot melody ${i + 1}`), m));
    // Training runs on the engine timed fastest: where that is still to be timed, it is timed now.
    await this.deps.prepareEngine(checked.value.baseWidth);

    // The last few windows are kept out of training: the network is measured on them at each epoch's end.
    const { training, heldOut } = splitHeldOut(data);
    let config = checked.value;
    let completedIterations = 0;
    let run: TrainingRun;
    const { store, engines } = this.deps;
    if (resume) {
      const checkpoint = await store.loadCheckpoint().catch((error: unknown) => {
        throw new StorageError('The saved training run could not be read', error, 'Start a new run instead.', false);
      });
      if (!checkpoint) throw new TrainerError('no-model', 'There is no saved training run to continue: start a new one.');
      if (!sameDataset(checkpoint.dataset, datasetIdentity(data))) {
        throw new BadRequestError('The saved training run used different training data: pick the same data set again, or start a new run.');
      }
      // The checkpoint's settings win (its weights were shaped by them); only the number of epochs may be raised.
      config = { ...checkpoint.config, epochs: Math.max(checkpoint.config.epochs, config.epochs) };
      completedIterations = checkpoint.completedIterations;
      refuseUnlessItFits(config, engines);
      run = await engines.restoreRun(checkpoint.state, config, training, completedIterations);
    } else {
      // Refused before the saved run is cleared: a run too large to train must not cost the user the one they had.
      refuseUnlessItFits(config, engines);
      // Storage that is full or blocked must not keep a new run from starting: its first checkpoint says why.
      await store.clearCheckpoint().catch(() => undefined);
      run = await engines.newRun(config, training, startFrom);
    }
    this.deps.useModel(run.model);
    const now = this.deps.now;
    const driver = new TrainingDriver({ config, windowCount: training.count, completedIterations, ...(now ? { now } : {}) });
    this.session = { run, driver, config, data, heldOut, snapshotMelodies: melodies, reference: undefined, metricMelodies: [] };
    this.setState('training');
    this.loop = this.trainLoop(this.session);
  }

  /** Pauses the run after its current iteration. */
  pause(): void {
    const session = this.session;
    if (!session || !this.active) throw new BadRequestError('Nothing is training, so there is nothing to pause.');
    session.driver.requestPause();
  }

  /** Resumes a paused run. */
  resume(): void {
    const session = this.session;
    if (!session || !this.active) throw new BadRequestError('Nothing is paused, so there is nothing to resume: start training instead.');
    session.driver.resume();
  }

  /** Stops the run after its current iteration; nothing to do when none is going on. */
  stop(): void {
    const session = this.session;
    if (!session || !this.active) return;
    session.driver.requestStop();
  }

  /** Asks the run, whatever its state, to stop (the engine was lost, or the worker is closing). */
  requestStop(): void {
    this.session?.driver.requestStop();
  }

  /** Forgets the run, as a model loaded in its place does, and goes back to 'idle'. */
  reset(): void {
    this.session = undefined;
    this.setState('idle');
  }

  private async trainLoop(session: Session): Promise<void> {
    const { run, driver, config } = session;
    const { context } = this.deps;
    try {
      const outcome = await driver.run({
        trainIteration: () => context.exclusive(() => run.trainIteration()),
        afterIteration: (losses, report) =>
          context.post({
            type: 'progress',
            epoch: report.epoch,
            epochs: config.epochs,
            iteration: report.iterationInEpoch,
            iterationsPerEpoch: driver.iterationsPerEpoch,
            ...losses,
            samplesPerSecond: report.samplesPerSecond,
            secondsLeft: report.secondsLeft,
            trainingThreads: run.threads,
          }),
        endEpoch: (report) => endEpoch(this.epochContext, session, report),
        checkpoint: (report) => saveCheckpoint(this.epochContext, session, report),
        paused: () => this.setState('paused'),
        resumed: () => this.setState('training'),
      });
      await this.finishRun(run);
      this.setState(outcome === 'stopped' ? 'stopped' : 'done');
    } catch (error) {
      context.report(error);
      await this.finishRun(run);
      this.setState('stopped');
    }
  }

  /** Lets a run that ended bring its model up to date and free its training threads; a failure is reported. */
  private async finishRun(run: TrainingRun): Promise<void> {
    try {
      await this.deps.context.exclusive(async () => run.finish?.());
    } catch (error) {
      this.deps.context.report(error);
    }
  }

  /** What the epoch-end work (epochEnd.ts) uses. */
  private get epochContext(): EpochEndContext {
    const { context, store, metrics } = this.deps;
    return { post: context.post, store, metrics, exclusive: (task) => context.exclusive(task), report: (error) => context.report(error) };
  }

  private setState(state: TrainingState): void {
    if (this.state === state) return;
    this.state = state;
    this.deps.context.post({ type: 'state', state });
  }
}

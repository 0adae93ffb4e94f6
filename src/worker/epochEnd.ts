/**
 * What the worker does at the end of each epoch: the snapshots (when due), the metrics, and the checkpoint. Each
 * failure is reported and training goes on; a checkpoint the browser refuses leaves the run in memory only.
 */
import type { IterationReport } from '../model/driver';
import type { TrainingDriver } from '../model/driver';
import { heldOutReference, type HeldOutMeasures, type HeldOutReference } from '../music/heldOut';
import { computeMetrics } from '../music/metrics';
import { rollTransferables, type PianoRoll, type TrainingWindows } from '../music/pianoRoll';
import { windowMelodies, windowsToRolls } from '../music/windows';
import type { HyperParams } from '../protocol/config';
import type { MetricSet } from '../protocol/messages';
import type { TrainingRun } from './engineFactory';
import { StorageError } from './errors';
import { datasetIdentity, type TrainerStore } from './store';
import type { PostEvent } from './context';

/** How many data melodies are accompanied at each epoch end to measure the generator. */
export const METRIC_MELODIES = 16;

/** One training run of the worker. */
export interface Session {
  run: TrainingRun;
  /** Counts epochs, times iterations and holds the pause and stop requests. */
  driver: TrainingDriver;
  config: HyperParams;
  /** Every window of the data set (the run trains on all but the held-out ones). */
  data: TrainingWindows;
  /** The windows kept out of training that the network is measured on; null when the data set spares none. */
  heldOut: TrainingWindows | null;
  /** The held-out windows' own measures, worked out at the first epoch's end. */
  heldOutReference?: HeldOutReference;
  snapshotMelodies: PianoRoll[];
  reference: MetricSet | undefined;
  metricMelodies: PianoRoll[];
  /** Set once the browser refused a checkpoint, so the reason is said once per run, not every epoch. */
  storageRefused?: boolean;
}

/** What the epoch-end work uses of the handler. */
export interface EpochEndContext {
  post: PostEvent;
  store: TrainerStore;
  /** Objective metrics of a set of rolls; undefined uses computeMetrics, null measures nothing. */
  metrics: ((rolls: PianoRoll[]) => MetricSet) | null | undefined;
  /** Runs an engine call when no other engine call is running. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** Posts a failure as an 'error' event. */
  report(error: unknown): void;
}

/** Snapshot (when due) and metrics at the end of an epoch; a failure of one is reported and training goes on. */
export async function endEpoch(context: EpochEndContext, session: Session, report: IterationReport): Promise<void> {
  const { run, config } = session;
  const epoch = report.completedEpochs;
  if (report.snapshotDue && session.snapshotMelodies.length) {
    try {
      const rolls = await context.exclusive(() => run.model.snapshot(session.snapshotMelodies, config.seed));
      context.post({ type: 'snapshot', epoch, rolls }, rolls.flatMap(rollTransferables));
    } catch (error) {
      context.report(error);
    }
  }
  const metrics = context.metrics === undefined ? computeMetrics : context.metrics;
  if (metrics) {
    try {
      if (!session.reference) {
        session.reference = metrics(windowsToRolls(session.data));
        session.metricMelodies = windowMelodies(session.data, METRIC_MELODIES);
      }
      const heldOut = await measureHeldOut(context, session);
      const generated = metrics(await context.exclusive(() => run.model.snapshot(session.metricMelodies, config.seed)));
      context.post({ type: 'metrics', epoch, generated, reference: session.reference, ...(heldOut ? { heldOut } : {}) });
    } catch (error) {
      context.report(error);
    }
  }
}

/** The network's measures on the held-out windows; undefined when there are none, the run cannot measure them, or it failed (reported). */
async function measureHeldOut(context: EpochEndContext, session: Session): Promise<HeldOutMeasures | undefined> {
  const { run, heldOut } = session;
  if (!heldOut || !run.measureHeldOut) return undefined;
  try {
    session.heldOutReference ??= heldOutReference(heldOut);
    const network = await context.exclusive(() => run.measureHeldOut!(heldOut));
    return { windows: heldOut.count, network, reference: session.heldOutReference };
  } catch (error) {
    context.report(error);
    return undefined;
  }
}

/**
 * Saves the run in the store at an epoch's end. When the browser refuses (storage full or blocked), the reason is
 * reported once per run, the 'checkpoint' event says `unsaved`, and training goes on in memory.
 */
export async function saveCheckpoint(context: EpochEndContext, session: Session, report: IterationReport): Promise<void> {
  const { run, config } = session;
  const epoch = report.completedEpochs;
  // `iteration` counts iterations since the run began, so a resumed run can be checked against it.
  const done = { type: 'checkpoint', epoch, iteration: report.iteration } as const;
  let state: unknown;
  try {
    state = await context.exclusive(() => run.exportState());
  } catch (error) {
    context.report(error);
    return;
  }
  try {
    await context.store.saveCheckpoint({
      config,
      state,
      epoch,
      completedIterations: report.iteration,
      dataset: datasetIdentity(session.data),
      savedAt: Date.now(),
    });
    session.storageRefused = false;
    context.post(done);
  } catch (error) {
    if (!session.storageRefused) {
      context.report(
        new StorageError(`Epoch ${epoch} could not be saved`, error, 'Training goes on in memory, but a reload cannot continue it.'),
      );
    }
    session.storageRefused = true;
    context.post({ ...done, unsaved: true });
  }
}

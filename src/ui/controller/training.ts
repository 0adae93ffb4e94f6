/** Training in the worker: starting it from the settings and data, the transport, and following its events. */
import { heldOutCount } from '../../music/heldOut';
import type { TrainingWindows } from '../../music/pianoRoll';
import { sampleMelodyRoll, SAMPLE_MELODIES } from '../../music/samples';
import { startFromProblem, type ModelShape } from '../../protocol/config';
import type { WorkerEvent } from '../../protocol/messages';
import type { Store } from '../store';
import { isTraining, type AppState } from '../state';
import { checkDraft, trainingThreads } from '../hyperForm';
import { snapshotWindow } from '../rollRanges';
import { ownFilesHold, trackRolesOf } from '../trackRoles';
import type { TrainingDataSource } from './deps';
import type { ComputeEngine } from './computeEngine';
import { PageActionError, type Messages } from './messages';
import type { Playback } from './playback';

/** What the training area is built from. */
export interface TrainingDeps {
  store: Store<AppState>;
  messages: Messages;
  engine: Pick<ComputeEngine, 'trainer' | 'choose' | 'show'>;
  data: TrainingDataSource;
  /** A snapshot being auditioned gives way to the accompaniment when a run starts. */
  playback: Pick<Playback, 'backToAccompaniment'>;
  /** Called when a run finishes or is stopped, so its model can be kept. */
  onRunEnded: () => void;
}

/** The training actions, and the page's reading of the worker's events. */
export class Training {
  /** The size and kind of generator of the run started last: the model it trains has that shape. */
  private runShape: ModelShape | undefined;

  constructor(private readonly deps: TrainingDeps) {}

  private get store(): Store<AppState> {
    return this.deps.store;
  }

  /** Validates the settings, prepares the data and starts training in the worker. */
  async train(resume = false): Promise<void> {
    const s = this.store.get();
    const { messages, engine } = this.deps;
    const checked = checkDraft(s.draft, trainingThreads(s));
    if (!checked.ok) {
      messages.report('settings', new PageActionError('Some settings are not valid; fix the fields marked in red before training.'));
      return;
    }
    const trainer = engine.trainer;
    if (!trainer) {
      messages.report('training', new PageActionError('The training engine is not running; reload the page to try again.'));
      return;
    }
    if (isTraining(s)) return;
    // A run from the model in use that cannot fit it is refused here, before the data is prepared (the worker checks too).
    const fromModelInUse = !resume && s.trainFrom === 'model';
    const misfit = fromModelInUse && s.model?.shape ? startFromProblem(s.model.shape, checked.value) : null;
    if (misfit) {
      messages.report('settings', new PageActionError(misfit.message));
      return;
    }
    const note = (text: string) => this.store.set({ trainingNote: text });
    // The engine was timed at another model size: time this one (cached per size) before training on it.
    const timedWidth = s.engine?.width;
    if (!s.engineOverride && timedWidth !== undefined && timedWidth !== checked.value.baseWidth) {
      note('Timing the compute engines for this model size…');
      await engine.choose();
    }
    try {
      note('Preparing the training data…');
      let data: TrainingWindows;
      if (s.dataset === 'jsb') data = await this.deps.data.jsb(note);
      else data = await this.ownData(s, note);
      const melody = s.melody ?? sampleMelodyRoll(SAMPLE_MELODIES[0].id);
      const window = snapshotWindow(melody) ?? snapshotWindow(sampleMelodyRoll(SAMPLE_MELODIES[0].id));
      const held = heldOutCount(data.count);
      note(`Training on ${data.count - held} two-bar windows${held ? `; ${held} more are kept out to measure the network on` : ''}.`);
      this.store.set({
        losses: resume ? s.losses : [],
        metrics: resume ? s.metrics : [],
        snapshots: resume ? s.snapshots : [],
        progress: null,
        audition: null,
      });
      if (s.audition) this.deps.playback.backToAccompaniment();
      this.runShape = { baseWidth: checked.value.baseWidth, voiceContext: checked.value.voiceContext };
      trainer.start(checked.value, data, window ? [window] : [], resume, fromModelInUse);
      messages.succeeded(s.errorCount);
    } catch (error) {
      note('');
      messages.report('training', error);
    }
  }

  /**
   * The user's own files as training windows: the files that could be read, with the roles chosen for their tracks
   * and as they were read when picked; a file that is not MIDI (the chorales' .json) has the data source read them all.
   */
  private async ownData(s: AppState, note: (text: string) => void): Promise<TrainingWindows> {
    if (s.ownFiles.length === 0) throw new PageActionError('Pick one or more MIDI files to train on, or choose the JSB chorales.');
    const hold = ownFilesHold(s);
    if (hold) throw new PageActionError(hold);
    if (s.ownFiles.some((f) => !f.parsed && !f.error))
      return this.deps.data.ownMidi(
        s.ownFiles.map((f) => f.file),
        note,
      );
    const usable = s.ownFiles.flatMap((f) => {
      const roles = f.parsed && !f.error ? trackRolesOf(f.parsed, f.roles) : null;
      return f.parsed && roles ? [{ file: f.file, parsed: f.parsed, roles }] : [];
    });
    return this.deps.data.ownMidi(
      usable.map((f) => f.file),
      note,
      { roles: usable.map((f) => f.roles), names: usable.map((f) => f.file.name), parsed: usable.map((f) => f.parsed) },
    );
  }

  /** Pauses training after the current iteration. */
  pauseTraining(): void {
    this.deps.engine.trainer?.pause();
  }

  /** Resumes paused training. */
  resumeTraining(): void {
    this.deps.engine.trainer?.resume();
  }

  /** Stops training; the model trained so far stays usable. */
  stopTraining(): void {
    this.deps.engine.trainer?.stop();
  }

  /** Shows what the worker reports: its engine, the run's state, losses, metrics, snapshots and errors. */
  follow(event: WorkerEvent): void {
    switch (event.type) {
      case 'ready':
        this.deps.engine.show(event);
        break;
      case 'state':
        this.store.set({
          training: event.state,
          trainingNote:
            event.state === 'done' ? 'Training finished.' : event.state === 'stopped' ? 'Training stopped.' : this.store.get().trainingNote,
        });
        if (event.state === 'done' || event.state === 'stopped') this.deps.onRunEnded();
        break;
      case 'progress': {
        const { type: _type, ...progress } = event;
        const point = {
          iteration: (event.epoch - 1) * event.iterationsPerEpoch + event.iteration,
          critic: event.criticLoss,
          generator: event.generatorLoss,
        };
        this.store.set((s) => ({ progress, losses: [...s.losses, point] }));
        break;
      }
      case 'metrics':
        this.store.set((s) => ({
          metrics: [
            ...s.metrics,
            {
              epoch: event.epoch,
              generated: event.generated,
              reference: event.reference,
              ...(event.heldOut ? { heldOut: event.heldOut } : {}),
            },
          ],
        }));
        break;
      case 'snapshot':
        this.store.set((s) => ({
          snapshots: [...s.snapshots.filter((x) => x.epoch !== event.epoch), { epoch: event.epoch, rolls: event.rolls }],
          model: { origin: 'trained', label: `being trained here (epoch ${event.epoch})`, shape: this.runShape },
          activeModelId: null,
        }));
        break;
      case 'checkpoint': {
        const where = event.unsaved ? ', not saved in this browser' : '';
        this.store.set({
          model: { origin: 'trained', label: `being trained here (epoch ${event.epoch}${where})`, shape: this.runShape },
          activeModelId: null,
        });
        break;
      }
      case 'generated':
      case 'saved':
      case 'loaded':
      case 'deleted':
        // Answers to requests arrive through the client's promises.
        break;
      case 'error':
        // The browser would not keep the run: saving it as files is offered right beside the reason.
        if (event.requestId === undefined)
          this.deps.messages.report('training', new Error(event.message), event.code === 'storage' ? 'save-model-files' : undefined);
        break;
      default: {
        const unknown: never = event;
        void unknown;
      }
    }
  }
}

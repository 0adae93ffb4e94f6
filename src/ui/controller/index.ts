/**
 * The page's controller: every user action goes through it. It changes the store, talks to the worker
 * through the trainer client and to audio through the player; components only read state and call it.
 * Each area of the page has its own module in this folder; this one builds them, hands each area what it
 * shares with the others (the store, the error message, the engine, the player's side), and offers their actions
 * by name: each action is documented once, where its area implements it.
 */
import type { Store } from '../store';
import type { AppState, Region } from '../state';
import { Accompaniment } from './accompaniment';
import type { ControllerDeps } from './deps';
import { ComputeEngine } from './computeEngine';
import { Editing } from './editing';
import { Melody } from './melody';
import { Messages } from './messages';
import { Models } from './models';
import { Persistence } from './persistence';
import { Playback } from './playback';
import { Settings } from './settings';
import { Training } from './training';

export type { ControllerDeps, OwnMidiChoice, PlayerControl, Trainer, TrainingDataSource } from './deps';
export type { PageMemory, SavedPage } from './pageMemory';
export { PageActionError } from './messages';
export { DEFAULT_MODEL_ENTRY, KEPT_LOSS_POINTS, thinLosses, TRAINED_MODEL_NAME, weightsFileName } from './modelList';
/** The roll helpers the panels and tests reach through the controller (they live in rollRanges.ts). */
export { barCount, loopSteps, snapshotWindow } from '../rollRanges';
/** The track the page suggests as melody (kept here for the page's callers; it lives with the melody code). */
export { suggestMelodyTrack } from '../../music/melody';

/** The actions each area offers the page, by name. */
const MELODY_ACTIONS = ['openMidiFile', 'chooseTrack', 'cancelTrackChoice', 'loadSample', 'setMelody'] as const;
const SETTINGS_ACTIONS = ['setField', 'setDataset', 'setTrainFrom', 'setOwnFiles', 'setTrackRole'] as const;
const ENGINE_ACTIONS = ['setEngineOverride'] as const;
const TRAINING_ACTIONS = ['train', 'pauseTraining', 'resumeTraining', 'stopTraining'] as const;
const ACCOMPANIMENT_ACTIONS = [
  'generate',
  'setGenerationOptions',
  'nextVariation',
  'reharmonize',
  'regenerateBars',
  'lockVoice',
  'lockBars',
  'unlockAll',
] as const;
const MODEL_ACTIONS = ['chooseModel', 'forgetModel', 'loadModelFiles', 'saveModelFiles'] as const;
const EDITING_ACTIONS = [
  'setEditing',
  'setEditTrack',
  'setEditSnap',
  'moveEditCursor',
  'selectNote',
  'editNote',
  'undoEdit',
  'redoEdit',
  'pressEditKey',
] as const;
const PLAYBACK_ACTIONS = [
  'exportMidi',
  'exportMusicXml',
  'exportPlan',
  'listenTo',
  'playSnapshot',
  'backToAccompaniment',
  'play',
  'togglePlay',
  'seek',
  'pause',
  'stop',
  'setTrackMix',
  'setTrackInstrument',
  'setTempo',
  'setLoop',
  'setLoopBars',
] as const;

/** The actions of every area, as the controller offers them. */
export type PageActions = Pick<Melody, (typeof MELODY_ACTIONS)[number]> &
  Pick<Settings, (typeof SETTINGS_ACTIONS)[number]> &
  Pick<ComputeEngine, (typeof ENGINE_ACTIONS)[number]> &
  Pick<Training, (typeof TRAINING_ACTIONS)[number]> &
  Pick<Accompaniment, (typeof ACCOMPANIMENT_ACTIONS)[number]> &
  Pick<Models, (typeof MODEL_ACTIONS)[number]> &
  Pick<Playback, (typeof PLAYBACK_ACTIONS)[number]> &
  Pick<Editing, (typeof EDITING_ACTIONS)[number]>;

/** The named methods of `part`, bound to it. */
function actionsOf<T extends object, K extends keyof T>(part: T, names: readonly K[]): Pick<T, K> {
  const actions = {} as Pick<T, K>;
  for (const name of names) {
    const method = part[name];
    if (typeof method !== 'function') throw new TypeError(`${String(name)} is not an action`);
    actions[name] = method.bind(part) as T[K];
  }
  return actions;
}

/** A base whose instances carry the areas' actions: the controller's constructor puts them there. */
const WithPageActions = class {} as new () => PageActions;

/** The page's actions: its lifecycle and error message here, the rest from the areas (see PageActions). */
export class Controller extends WithPageActions {
  private readonly store: Store<AppState>;
  private readonly messages: Messages;
  private readonly engine: ComputeEngine;
  private readonly persistence: Persistence;
  private readonly models: Models;
  private readonly training: Training;
  /** Bumped by start and dispose, so a start that was disposed mid-way (React's strict mode) stops there. */
  private generation = 0;

  constructor(deps: ControllerDeps) {
    super();
    const { store, player } = deps;
    this.store = store;
    // Built in the order they need each other; each gets only the parts of the others it uses.
    const messages = new Messages(store);
    this.messages = messages;
    const engine = new ComputeEngine(store, messages, deps.createTrainer);
    this.engine = engine;
    const playback = new Playback({ store, player, messages, rollToMidi: deps.rollToMidi, download: deps.download });
    const melody = new Melody({ store, player, messages, playback, readMidi: deps.readMidi });
    const editing = new Editing({ store, player, messages, playback });
    const settings = new Settings({ store, data: deps.data });
    this.persistence = new Persistence({ store, memory: deps.memory, messages, melody, playback });
    this.models = new Models({
      store,
      messages,
      engine,
      defaultModelUrl: deps.defaultModelUrl,
      fetchModel: deps.fetchModel,
      download: deps.download,
      saveNow: () => this.persistence.scheduleSave(0),
    });
    const accompaniment = new Accompaniment({
      store,
      messages,
      engine,
      playback,
      saveSoon: () => this.persistence.scheduleSave(),
    });
    // A finished or stopped run is kept as a new model of the picker.
    this.training = new Training({
      store,
      messages,
      engine,
      data: deps.data,
      playback,
      onRunEnded: () => void this.models.keepTrainedModel(),
    });
    Object.assign(
      this,
      actionsOf(melody, MELODY_ACTIONS),
      actionsOf(settings, SETTINGS_ACTIONS),
      actionsOf(engine, ENGINE_ACTIONS),
      actionsOf(this.training, TRAINING_ACTIONS),
      actionsOf(accompaniment, ACCOMPANIMENT_ACTIONS),
      actionsOf(this.models, MODEL_ACTIONS),
      actionsOf(playback, PLAYBACK_ACTIONS),
      actionsOf(editing, EDITING_ACTIONS),
    );
  }

  /** Starts the worker, restores the saved page and loads a model; call once after mounting. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    const saved = await this.persistence.load();
    if (generation !== this.generation) return;
    this.persistence.restore(saved);
    this.persistence.watch();
    const activeModelId = this.store.get().activeModelId;
    // The pretrained model downloads while the engine starts, where it is the one to load.
    this.models.prefetchDefault(activeModelId);
    // Accompany and the model picker wait on this: a click while the engine or its model is still loading is served once they are ready.
    await this.engine.start(
      (event) => this.training.follow(event),
      () => generation === this.generation,
      () => this.models.loadStartModel(activeModelId),
    );
  }

  /** Stops listening and frees the worker. */
  dispose(): void {
    this.generation++;
    this.persistence.dispose();
    this.engine.dispose();
  }

  /** Shows an error from any part of the page. */
  report(region: Region, error: unknown): void {
    this.messages.report(region, error);
  }

  /** Hides the error message. */
  dismissError(): void {
    this.messages.dismiss();
  }
}

/**
 * The page's controller: every user action goes through it. It changes the store, talks to the worker
 * through the trainer client and to audio through the player; components only read state and call it.
 * Each area of the page has its own module in this folder; this one builds them, hands each area what it
 * shares with the others (the store, the error message, the engine, the player's side), and lists the actions.
 */
import type { PianoRoll } from '../../music/pianoRoll';
import type { BackendName } from '../../protocol/messages';
import type { GenerationOptions } from '../../protocol/generation';
import type { TrackMix } from '../../audio/schedule';
import type { InstrumentName } from '../../audio/instruments';
import type { ExportPlan } from '../exportPlan';
import type { FormField } from '../hyperForm';
import type { Store } from '../store';
import type { AppState, DatasetChoice, LoopBars, Region } from '../state';
import { Accompaniment } from './accompaniment';
import type { ControllerDeps } from './deps';
import { ComputeEngine } from './computeEngine';
import { Melody } from './melody';
import { Messages } from './messages';
import { Models } from './models';
import { Persistence } from './persistence';
import { Playback } from './playback';
import { Settings } from './settings';
import { Training } from './training';

export type { ControllerDeps, PlayerControl, Trainer, TrainingDataSource } from './deps';
export type { PageMemory, SavedPage } from './persistence';
export { PageActionError } from './messages';
export { DEFAULT_MODEL_ENTRY, KEPT_LOSS_POINTS, thinLosses, TRAINED_MODEL_NAME, weightsFileName } from './modelList';
/** The roll helpers the panels and tests reach through the controller (they live in rollRanges.ts). */
export { barCount, loopSteps, snapshotWindow } from '../rollRanges';
/** The track the page suggests as melody (kept here for the page's callers; it lives with the melody code). */
export { suggestMelodyTrack } from '../../music/melody';

/** The page's actions. */
export class Controller {
  private readonly store: Store<AppState>;
  private readonly messages: Messages;
  private readonly engine: ComputeEngine;
  private readonly playback: Playback;
  private readonly melody: Melody;
  private readonly settings: Settings;
  private readonly persistence: Persistence;
  private readonly models: Models;
  private readonly accompaniment: Accompaniment;
  private readonly training: Training;
  /** Bumped by start and dispose, so a start that was disposed mid-way (React's strict mode) stops there. */
  private generation = 0;

  constructor(deps: ControllerDeps) {
    const { store, player } = deps;
    this.store = store;
    // Built in the order they need each other; each gets only the parts of the others it uses.
    const messages = new Messages(store);
    this.messages = messages;
    this.engine = new ComputeEngine(store, messages, deps.createTrainer);
    this.playback = new Playback({ store, player, messages, rollToMidi: deps.rollToMidi, download: deps.download });
    this.melody = new Melody({ store, player, messages, playback: this.playback, readMidi: deps.readMidi });
    this.settings = new Settings(store);
    this.persistence = new Persistence({ store, memory: deps.memory, messages, melody: this.melody, playback: this.playback });
    this.models = new Models({
      store,
      messages,
      engine: this.engine,
      defaultModelUrl: deps.defaultModelUrl,
      fetch: deps.fetch,
      download: deps.download,
      saveNow: () => this.persistence.scheduleSave(0),
    });
    this.accompaniment = new Accompaniment({
      store,
      messages,
      engine: this.engine,
      playback: this.playback,
      saveSoon: () => this.persistence.scheduleSave(),
    });
    // A finished or stopped run is kept as a new model of the picker.
    this.training = new Training({
      store,
      messages,
      engine: this.engine,
      data: deps.data,
      playback: this.playback,
      onRunEnded: () => void this.models.keepTrainedModel(),
    });
  }

  /** Starts the worker, restores the saved page and loads a model; call once after mounting. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    const saved = await this.persistence.load();
    if (generation !== this.generation) return;
    this.persistence.restore(saved);
    this.persistence.watch();
    const activeModelId = this.store.get().activeModelId;
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

  // ---- melody (melody.ts) ----

  /** Reads a MIDI file; a file with several usable tracks waits for `chooseTrack`. */
  openMidiFile(file: File): Promise<void> {
    return this.melody.openMidiFile(file);
  }

  /** Takes track `index` of the pending MIDI file as the melody. */
  chooseTrack(index: number): void {
    this.melody.chooseTrack(index);
  }

  /** Forgets the pending file without choosing a track. */
  cancelTrackChoice(): void {
    this.melody.cancelTrackChoice();
  }

  /** Takes a built-in tune as the melody. */
  loadSample(id: string): void {
    this.melody.loadSample(id);
  }

  /** Uses a melody (from a file, a sample or a recording); the old accompaniment no longer fits and goes. */
  setMelody(melody: PianoRoll, name: string, warnings: string[] = []): void {
    this.melody.setMelody(melody, name, warnings);
  }

  // ---- settings (settings.ts) and the compute engine (computeEngine.ts) ----

  /** Changes one hyperparameter field as typed. */
  setField(field: FormField, text: string): void {
    this.settings.setField(field, text);
  }

  /** Chooses the training data. */
  setDataset(dataset: DatasetChoice): void {
    this.settings.setDataset(dataset);
  }

  /** The user's own MIDI files for training. */
  setOwnFiles(files: File[]): void {
    this.settings.setOwnFiles(files);
  }

  /** Uses `backend` for training and generation (null: the fastest measured); refused while training. */
  setEngineOverride(backend: BackendName | null): Promise<void> {
    return this.engine.setEngineOverride(backend);
  }

  // ---- training (training.ts) ----

  /** Validates the settings, prepares the data and starts training in the worker. */
  train(resume = false): Promise<void> {
    return this.training.train(resume);
  }

  /** Pauses training after the current iteration. */
  pauseTraining(): void {
    this.training.pauseTraining();
  }

  /** Resumes paused training. */
  resumeTraining(): void {
    this.training.resumeTraining();
  }

  /** Stops training; the model trained so far stays usable. */
  stopTraining(): void {
    this.training.stopTraining();
  }

  // ---- accompaniment (accompaniment.ts) ----

  /** Accompanies the current melody with the model in the worker; `seed` picks the variation. */
  generate(seed?: number): Promise<void> {
    return this.accompaniment.generate(seed);
  }

  /** Changes generation options (the accompany panel's form); an accompaniment already written is written again with them. */
  setGenerationOptions(change: Partial<GenerationOptions>): Promise<void> {
    return this.accompaniment.setGenerationOptions(change);
  }

  /** Generates another variation with the next seed. */
  nextVariation(): Promise<void> {
    return this.accompaniment.nextVariation();
  }

  // ---- kept models (models.ts) ----

  /** Loads a kept model (see `models` in the state) into the engine and shows its training history. */
  chooseModel(id: string): Promise<void> {
    return this.models.chooseModel(id);
  }

  /** Forgets a kept model (its entry; the default cannot be forgotten) and goes back to the default if it was in use. */
  forgetModel(id: string): Promise<void> {
    return this.models.forgetModel(id);
  }

  /** Loads a model the user picked as files (model.json and its weights). */
  loadModelFiles(files: File[]): Promise<void> {
    return this.models.loadModelFiles(files);
  }

  /** Downloads the model in the worker as model.json and its weights file. */
  saveModelFiles(): Promise<void> {
    return this.models.saveModelFiles();
  }

  // ---- playback (playback.ts) ----

  /** Downloads what is being listened to (melody and accompaniment) as a multi-track MIDI file. */
  exportMidi(): void {
    this.playback.exportMidi();
  }

  /** Downloads the piece as MusicXML, as the score shows it. */
  exportMusicXml(): void {
    this.playback.exportMusicXml();
  }

  /** What Export MIDI would write now (null with nothing to export). */
  exportPlan(): ExportPlan | null {
    return this.playback.exportPlan();
  }

  /** Puts a roll on the piano roll view and in the player. */
  listenTo(roll: PianoRoll, label: string): void {
    this.playback.listenTo(roll, label);
  }

  /** Plays a training snapshot in the training panel; the accompaniment stays, to go back to. */
  playSnapshot(epoch: number, index = 0): Promise<void> {
    return this.playback.playSnapshot(epoch, index);
  }

  /** Leaves the snapshot and puts the accompaniment (or melody) back in the player, as it was. */
  backToAccompaniment(): void {
    this.playback.backToAccompaniment();
  }

  /** Starts playback (call from the click handler: the browser allows audio only after a gesture). */
  play(): Promise<void> {
    return this.playback.play();
  }

  /** Plays when paused or stopped, pauses when playing; `leaveSnapshot` goes back to the accompaniment first. */
  togglePlay(leaveSnapshot = false): Promise<void> {
    return this.playback.togglePlay(leaveSnapshot);
  }

  /** Moves playback to `seconds` from the start of what is being listened to. */
  seek(seconds: number): void {
    this.playback.seek(seconds);
  }

  /** Pauses playback. */
  pause(): void {
    this.playback.pause();
  }

  /** Stops playback and rewinds. */
  stop(): void {
    this.playback.stop();
  }

  /** Changes one track's mute, solo or volume. */
  setTrackMix(track: number, change: Partial<TrackMix>): void {
    this.playback.setTrackMix(track, change);
  }

  /** Changes one track's instrument. */
  setTrackInstrument(track: number, instrument: InstrumentName): void {
    this.playback.setTrackInstrument(track, instrument);
  }

  /** Plays at another tempo; null returns to the piece's own (a new tune also goes back to its own). */
  setTempo(bpm: number | null): void {
    this.playback.setTempo(bpm);
  }

  /** Turns looping on or off. */
  setLoop(loop: boolean): void {
    this.playback.setLoop(loop);
  }

  /** Loops bars `from` to `to` (1-based, inclusive), or the whole piece with null; a backwards range is refused. */
  setLoopBars(bars: LoopBars | null): void {
    this.playback.setLoopBars(bars);
  }
}

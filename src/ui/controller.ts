/**
 * The page's controller: every user action goes through it. It changes the store, talks to the worker
 * through the trainer client and to audio through the player; components only read state and call it.
 */
import type { PianoRoll, TrainingWindows } from '../music/pianoRoll';
import { selectTracks } from '../music/pianoRoll';
import { parseMidi, summarizeTracks, type ParsedMidi } from '../music/midiIn';
import { extractMelody, suggestMelodyTrack } from '../music/melody';
import { sampleMelodyRoll, SAMPLE_MELODIES } from '../music/samples';
import type { HyperParams, HyperParamsInput } from '../protocol/config';
import { VOICINGS, type BackendName, type EngineOptions, type EngineReady, type ModelFiles, type ModelSource, type Voicing, type WorkerEvent } from '../protocol/messages';
import type { RollToMidiOptions } from '../music/midiOut';
import { DEFAULT_TRACK_MIX, type TrackMix } from '../audio/schedule';
import { defaultInstrument, type InstrumentName } from '../audio/instruments';
import type { PlayerSnapshot, StepRange } from '../audio/player';
import type { Store } from './store';
import { DEFAULT_MODEL_ID, type AppState, type DatasetChoice, type KeptModel, type LoopBars, type Region, type TrainingHistory } from './state';
import { checkDraft, draftFrom, type FormField } from './hyperForm';
import { planExport, trackName } from './exportPlan';
import { barCount, loopSteps, snapshotWindow } from './rollRanges';

/** The roll helpers the panels and tests reach through the controller (they live in rollRanges.ts). */
export { barCount, loopSteps, snapshotWindow };

/** The worker client as the page uses it (the worker helper's TrainerClient satisfies it). */
export interface Trainer {
  on(listener: (event: WorkerEvent) => void): () => void;
  init(backends?: BackendName[], options?: EngineOptions): Promise<EngineReady>;
  start(config: HyperParamsInput, data: TrainingWindows, snapshotMelodies: PianoRoll[], resume?: boolean): void;
  pause(): void;
  resume(): void;
  stop(): void;
  generate(melody: PianoRoll, seed: number, voicing?: Voicing): Promise<PianoRoll>;
  save(target: 'indexeddb' | 'files', name?: string): Promise<ModelFiles | undefined>;
  load(source: ModelSource): Promise<HyperParams>;
  dispose(): void;
}

/** The player as the page uses it (src/audio/player.ts's Player satisfies it). */
export interface PlayerControl {
  setRoll(roll: PianoRoll | null): void;
  setMix(mix: readonly TrackMix[]): void;
  setInstruments(instruments: readonly InstrumentName[]): void;
  setTempo(bpm: number): void;
  /** Loops the whole piece, or the stretch `range` (grid steps) when given. */
  setLoop(loop: boolean, range?: StepRange | null): void;
  play(): Promise<void>;
  pause(): void;
  stop(): void;
  /** Moves playback to `seconds` from the start. */
  seek(seconds: number): void;
  readonly position: number;
  snapshot(): PlayerSnapshot;
  subscribe(listener: (snapshot: PlayerSnapshot) => void): () => void;
  /** Sounds or releases one note at once (keyboard input); optional. */
  preview?(pitch: number, down: boolean): void;
}

/** Where training data comes from (src/data's JSB loader and the music helper's own-MIDI loader). */
export interface TrainingDataSource {
  /** The JSB chorales as training windows, downloaded once and cached; `note` reports what it is doing. */
  jsb(note: (text: string) => void): Promise<TrainingWindows>;
  /** The user's own MIDI files as training windows. */
  ownMidi(files: File[], note: (text: string) => void): Promise<TrainingWindows>;
}

/** What survives a reload (models themselves stay in the worker's IndexedDB). */
export interface SavedPage {
  melody: PianoRoll | null;
  melodyName: string;
  draft: AppState['draft'];
  dataset: DatasetChoice;
  result: PianoRoll | null;
  resultSeed: number;
  voicing: Voicing;
  /** Name of the trained model saved in the worker's IndexedDB, if any (pages saved before the model picker). */
  storedModel: string | null;
  /** The models the user keeps (the default included) and the one chosen. */
  models: KeptModel[];
  activeModelId: string | null;
  mix: TrackMix[];
  instruments: InstrumentName[];
  tempoBpm: number | null;
  loop: boolean;
  loopBars: LoopBars | null;
}

/** Reads and writes `SavedPage` (src/ui/persist.ts does it with IndexedDB). */
export interface PageMemory {
  load(): Promise<Partial<SavedPage> | undefined>;
  save(page: SavedPage): Promise<void>;
}

/** Everything the controller is built from. */
export interface ControllerDeps {
  store: Store<AppState>;
  player: PlayerControl;
  /** Creates the worker client; failures are shown, and the page works without training. */
  createTrainer: () => Trainer;
  data: TrainingDataSource;
  rollToMidi: (roll: PianoRoll, options: RollToMidiOptions) => Uint8Array;
  memory: PageMemory;
  /** Hands a file to the user (a download in the browser). */
  download: (name: string, bytes: Uint8Array | string, mimeType: string) => void;
  /** URL of the pretrained default model's model.json. */
  defaultModelUrl: string;
  fetch: typeof fetch;
  /**
   * Parses a MIDI file the user opened; the page reads it in a worker with a time budget
   * (src/data/midiReader.ts). Default: `parseMidi` on this thread.
   */
  readMidi?: (bytes: Uint8Array) => Promise<ParsedMidi>;
}

/** Thrown for things the user asked at the wrong moment; the message says what to do. */
export class PageActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PageActionError';
  }
}

/** Name under which pages saved before the model picker kept their one trained model. */
export const TRAINED_MODEL_NAME = 'cantus-last-trained';

/** The pretrained default model's picker entry (always there). */
export const DEFAULT_MODEL_ENTRY: KeptModel = {
  id: DEFAULT_MODEL_ID,
  origin: 'default',
  label: 'Pretrained default (Bach chorales)',
  detail: 'trained on the JSB chorales; see models/default/README.md',
  savedAt: 0,
};

/** A date as the picker shows it: "30 Nov, 14:05". */
function shortDate(ms: number): string {
  return new Date(ms).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** Keeps the saved list usable: the default first, entries without an id or label dropped. */
function cleanModels(saved: readonly KeptModel[] | undefined): KeptModel[] {
  const kept = (saved ?? []).filter((m) => m && typeof m.id === 'string' && m.id !== DEFAULT_MODEL_ID && typeof m.label === 'string');
  return [DEFAULT_MODEL_ENTRY, ...kept];
}

/** The track the page suggests as melody (kept here for the page's callers; it lives with the melody code). */
export { suggestMelodyTrack };

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The page's actions. */
export class Controller {
  private trainer: Trainer | null = null;
  private unsubscribes: (() => void)[] = [];
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private readyPromise: Promise<void> = Promise.resolve();
  /** Bumped by start and dispose, so a start that was disposed mid-way (React's strict mode) stops there. */
  private generation = 0;

  constructor(private readonly deps: ControllerDeps) {}

  private get store(): Store<AppState> {
    return this.deps.store;
  }

  /** Starts the worker, restores the saved page and loads a model; call once after mounting. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    let saved: Partial<SavedPage> | undefined;
    try {
      saved = await this.deps.memory.load();
    } catch (error) {
      this.report('page', new Error(`Your last session could not be restored (${messageOf(error)}). Starting fresh.`));
    }
    if (generation !== this.generation) return;
    if (saved) this.restore(saved);
    else {
      this.store.set({ models: [DEFAULT_MODEL_ENTRY], activeModelId: DEFAULT_MODEL_ID });
      this.showSample(SAMPLE_MELODIES[0].id);
    }
    this.unsubscribes.push(this.store.subscribe(() => this.scheduleSave()));
    // Accompany waits on this: a click while the engine or its model is still loading is served once they are ready.
    this.readyPromise = this.startEngine(generation, this.store.get().activeModelId);
    await this.readyPromise;
  }

  /** Starts the worker and loads the model to begin with; reports failures, never throws. */
  private async startEngine(generation: number, activeModelId: string | null): Promise<void> {
    try {
      this.trainer = this.deps.createTrainer();
      this.unsubscribes.push(this.trainer.on((event) => this.onWorkerEvent(event)));
      const ready = await this.trainer.init(undefined, this.engineOptions());
      if (generation !== this.generation) return;
      this.showEngine(ready);
    } catch (error) {
      this.report('training', new Error(`The training engine could not start: ${messageOf(error)}`));
      return;
    }
    await this.loadStartModel(activeModelId);
  }

  /** Stops listening and frees the worker. */
  dispose(): void {
    this.generation++;
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes = [];
    clearTimeout(this.saveTimer);
    this.trainer?.dispose();
    this.trainer = null;
  }

  /** Shows an error from any part of the page. */
  report(region: Region, error: unknown): void {
    const message = messageOf(error);
    this.store.set((s) => ({ error: { region, message, serial: s.errorCount + 1 }, errorCount: s.errorCount + 1 }));
  }

  /** Hides the error message. */
  dismissError(): void {
    this.store.set({ error: null });
  }

  /**
   * A user action worked: the message shown from before it began is out of date and goes. One that
   * appeared while it ran (the action took a while) stays: it is about something newer.
   */
  private succeeded(errorsBefore = this.store.get().errorCount): void {
    const error = this.store.get().error;
    if (error && error.serial <= errorsBefore) this.store.set({ error: null });
  }

  // ---- melody ----

  /** Reads a MIDI file; a file with several usable tracks waits for `chooseTrack`. */
  async openMidiFile(file: File): Promise<void> {
    const errorsBefore = this.store.get().errorCount;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const parsed = await (this.deps.readMidi ?? (async (b: Uint8Array) => parseMidi(b)))(bytes);
      const tracks = summarizeTracks(parsed).filter((t) => !t.isDrum && t.noteCount > 0);
      const name = file.name.replace(/\.(mid|midi)$/i, '');
      if (tracks.length === 1) {
        const extracted = extractMelody(parsed, { track: tracks[0].index });
        this.useMelody(extracted.roll, name, extracted.warnings);
        this.store.set({ pendingMidi: null });
        this.succeeded(errorsBefore);
      } else {
        this.store.set({ pendingMidi: { fileName: name, parsed, tracks, suggested: suggestMelodyTrack(tracks) } });
        this.succeeded(errorsBefore);
      }
    } catch (error) {
      this.store.set({ pendingMidi: null });
      this.report('melody', error);
    }
  }

  /** Takes track `index` of the pending MIDI file as the melody. */
  chooseTrack(index: number): void {
    const pending = this.store.get().pendingMidi;
    if (!pending) return;
    try {
      const track = pending.tracks.find((t) => t.index === index);
      const extracted = extractMelody(pending.parsed, { track: index });
      this.setMelody(extracted.roll, `${pending.fileName}: ${track?.name ?? `track ${index + 1}`}`, extracted.warnings);
      this.store.set({ pendingMidi: null });
    } catch (error) {
      this.report('melody', error);
    }
  }

  /** Forgets the pending file without choosing a track. */
  cancelTrackChoice(): void {
    this.store.set({ pendingMidi: null });
  }

  /** Takes a built-in tune as the melody. */
  loadSample(id: string): void {
    if (this.showSample(id)) this.succeeded();
  }

  /** Puts a built-in tune in place without touching the error message (the page's own start-up does this). */
  private showSample(id: string): boolean {
    try {
      const sample = SAMPLE_MELODIES.find((s) => s.id === id);
      this.useMelody(sampleMelodyRoll(id), sample?.title ?? id);
      return true;
    } catch (error) {
      this.report('melody', error);
      return false;
    }
  }

  /** Uses a melody (from a file, a sample or a recording); the old accompaniment no longer fits and goes. */
  setMelody(melody: PianoRoll, name: string, warnings: string[] = []): void {
    this.useMelody(melody, name, warnings);
    this.succeeded();
  }

  private useMelody(melody: PianoRoll, name: string, warnings: string[] = []): void {
    const one = melody.tracks.length === 1 ? melody : selectTracks(melody, [0]);
    this.deps.player.stop();
    // A new tune plays at its own tempo and loops as a whole: the last tune's choices do not fit it.
    this.store.set({ melody: one, melodyName: name, melodyWarnings: warnings, result: null, tempoBpm: null, loopBars: null, audition: null, announcement: '' });
    this.listenTo(one, name);
    this.deps.player.setLoop(this.store.get().loop, null);
  }

  // ---- settings ----

  /** Changes one hyperparameter field as typed. */
  setField(field: FormField, text: string): void {
    this.store.set((s) => ({ draft: { ...s.draft, [field]: text } }));
  }

  /** Chooses the training data. */
  setDataset(dataset: DatasetChoice): void {
    this.store.set({ dataset });
  }

  /** The user's own MIDI files for training. */
  setOwnFiles(files: File[]): void {
    this.store.set({ ownFiles: files, dataset: 'own' });
  }

  // ---- training ----

  /** Validates the settings, prepares the data and starts training in the worker. */
  async train(resume = false): Promise<void> {
    const s = this.store.get();
    const checked = checkDraft(s.draft);
    if (!checked.ok) {
      this.report('settings', new PageActionError('Some settings are not valid; fix the fields marked in red before training.'));
      return;
    }
    const trainer = this.trainer;
    if (!trainer) {
      this.report('training', new PageActionError('The training engine is not running; reload the page to try again.'));
      return;
    }
    if (s.training === 'training' || s.training === 'paused') return;
    const note = (text: string) => this.store.set({ trainingNote: text });
    // The engine was timed at another model size: time this one (cached per size) before training on it.
    const timedWidth = s.engine?.width;
    if (!s.engineOverride && timedWidth !== undefined && timedWidth !== checked.value.baseWidth) {
      note('Timing the compute engines for this model size…');
      await this.chooseEngine();
    }
    try {
      note('Preparing the training data…');
      let data: TrainingWindows;
      if (s.dataset === 'jsb') data = await this.deps.data.jsb(note);
      else {
        if (s.ownFiles.length === 0) throw new PageActionError('Pick one or more MIDI files to train on, or choose the JSB chorales.');
        data = await this.deps.data.ownMidi(s.ownFiles, note);
      }
      const melody = s.melody ?? sampleMelodyRoll(SAMPLE_MELODIES[0].id);
      const window = snapshotWindow(melody) ?? snapshotWindow(sampleMelodyRoll(SAMPLE_MELODIES[0].id));
      note(`Training on ${data.count} two-bar windows.`);
      this.store.set({ losses: resume ? s.losses : [], metrics: resume ? s.metrics : [], snapshots: resume ? s.snapshots : [], progress: null, audition: null });
      if (s.audition) this.backToAccompaniment();
      trainer.start(checked.value, data, window ? [window] : [], resume);
      this.succeeded(s.errorCount);
    } catch (error) {
      note('');
      this.report('training', error);
    }
  }

  /** Pauses training after the current iteration. */
  pauseTraining(): void {
    this.trainer?.pause();
  }

  /** Resumes paused training. */
  resumeTraining(): void {
    this.trainer?.resume();
  }

  /** Stops training; the model trained so far stays usable. */
  stopTraining(): void {
    this.trainer?.stop();
  }

  // ---- accompany ----

  /** Accompanies the current melody with the model in the worker; `seed` picks the variation. */
  async generate(seed = this.store.get().resultSeed): Promise<void> {
    const { melody, melodyName, model, voicing, errorCount: errorsBefore } = this.store.get();
    try {
      if (!melody) throw new PageActionError('Choose a melody first: open a MIDI file, pick a sample or record one.');
      this.store.set({ generating: true, resultSeed: seed });
      await this.readyPromise;
      if (!this.trainer) throw new PageActionError('The accompaniment engine is not running; reload the page to try again.');
      if (!this.store.get().model && !model) throw new PageActionError('There is no model yet: train one, or load a saved model from files.');
      const result = await this.trainer.generate(melody, seed, voicing);
      this.store.set({ result, audition: null });
      this.listenTo(result, `${melodyName} (accompaniment, variation ${seed})`);
      const voices = result.tracks.slice(1).map((_, i) => trackName(result, i + 1));
      const bars = Math.ceil(result.steps / (result.stepsPerBeat * result.beatsPerBar));
      this.store.set({ announcement: `Accompaniment ready: ${joinWords(voices)} under ${bars} bar${bars === 1 ? '' : 's'} of ${melodyName}, variation ${seed}. Press Play to hear it.` });
      this.succeeded(errorsBefore);
    } catch (error) {
      this.report('accompany', error);
    } finally {
      this.store.set({ generating: false });
    }
  }

  /** Chooses how the voices are decoded; an accompaniment already written is written again that way. */
  async setVoicing(voicing: Voicing): Promise<void> {
    if (!VOICINGS.includes(voicing)) return;
    this.store.set({ voicing });
    this.scheduleSave();
    if (this.store.get().result) await this.generate();
  }

  /** Generates another variation with the next seed. */
  async nextVariation(): Promise<void> {
    await this.generate(this.store.get().resultSeed + 1);
  }

  /** Loads a model the user picked as files (model.json and its weights). */
  async loadModelFiles(files: File[]): Promise<void> {
    const errorsBefore = this.store.get().errorCount;
    try {
      const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
      const weights = files.find((f) => !f.name.toLowerCase().endsWith('.json'));
      if (!json || !weights) throw new PageActionError('Pick both files of a saved model: model.json and its weights (.bin) file.');
      if (!this.trainer) throw new PageActionError('The accompaniment engine is not running; reload the page to try again.');
      if (this.isTraining()) throw new PageActionError('A model is being trained: stop training before loading another model.');
      const config = await this.trainer.load({ kind: 'files', modelJson: await json.text(), weights: await weights.arrayBuffer() });
      const savedAt = Date.now();
      const entry: KeptModel = { id: `cantus-files-${savedAt}`, origin: 'files', label: `${json.name} (loaded ${shortDate(savedAt)})`, detail: `loaded from files; width ${config.baseWidth}`, savedAt };
      // Kept in the browser, so the picker offers it after a reload too; the files stay the user's.
      await this.trainer.save('indexeddb', entry.id);
      this.store.set((s) => ({ models: [...s.models, entry], activeModelId: entry.id, model: { origin: 'files', label: entry.label }, draft: draftFrom(config), ...emptyHistory() }));
      this.succeeded(errorsBefore);
    } catch (error) {
      this.report('accompany', error);
    }
  }

  /** Downloads the model in the worker as model.json and its weights file. */
  async saveModelFiles(): Promise<void> {
    try {
      if (!this.trainer || !this.store.get().model) throw new PageActionError('There is no model to save yet: train one first.');
      const files = await this.trainer.save('files');
      if (!files) throw new PageActionError('The engine did not hand back the model files.');
      this.deps.download('model.json', files.modelJson, 'application/json');
      this.deps.download(weightsFileName(files.modelJson), new Uint8Array(files.weights), 'application/octet-stream');
    } catch (error) {
      this.report('accompany', error);
    }
  }

  /** Downloads what is being listened to (melody and accompaniment) as a multi-track MIDI file. */
  exportMidi(): void {
    try {
      const plan = this.exportPlan();
      if (!plan) throw new PageActionError('There is nothing to export yet: choose a melody and generate an accompaniment.');
      if (plan.written.length === 0) throw new PageActionError('Every track is muted: unmute at least one track to export it.');
      const s = this.store.get();
      const bytes = this.deps.rollToMidi(s.listening!.roll, { title: `${s.melodyName} (Cantus)`, tempoBpm: plan.tempoBpm, programs: plan.programs, include: plan.include });
      this.deps.download(plan.fileName, bytes, 'audio/midi');
    } catch (error) {
      this.report('player', error);
    }
  }

  // ---- playback ----

  /** What Export MIDI would write now (null with nothing to export). */
  exportPlan() {
    const s = this.store.get();
    if (!s.listening) return null;
    const roll = s.listening.roll;
    return planExport(roll, s.mix, s.instruments, s.tempoBpm ?? roll.tempoBpm, s.melodyName);
  }

  /** Puts a roll on the piano roll view and in the player. */
  listenTo(roll: PianoRoll, label: string): void {
    const s = this.store.get();
    const count = roll.tracks.length;
    const sameShape = s.listening?.roll.tracks.length === count;
    const mix = sameShape ? s.mix : Array.from({ length: count }, () => ({ ...DEFAULT_TRACK_MIX }));
    const instruments = sameShape && s.instruments.length === count ? s.instruments : Array.from({ length: count }, (_, i) => defaultInstrument(i));
    this.store.set({ listening: { roll, label }, mix, instruments });
    this.loadIntoPlayer(roll);
  }

  /** Hands the roll, mixer, tempo and loop of the page to the player. */
  private loadIntoPlayer(roll: PianoRoll): void {
    const s = this.store.get();
    const player = this.deps.player;
    player.setRoll(roll);
    player.setMix(s.mix);
    player.setInstruments(s.instruments);
    player.setTempo(s.tempoBpm ?? roll.tempoBpm);
    player.setLoop(s.loop, loopSteps(roll, s.loopBars));
  }

  /** Plays a training snapshot in the training panel; the accompaniment stays, to go back to. */
  async playSnapshot(epoch: number, index = 0): Promise<void> {
    const snapshot = this.store.get().snapshots.find((s) => s.epoch === epoch);
    const roll = snapshot?.rolls[index];
    if (!roll) return;
    const s = this.store.get();
    this.store.set({ audition: { epoch, roll } });
    const player = this.deps.player;
    player.setRoll(roll);
    // Every voice of the snapshot sounds, on the instruments chosen for the accompaniment where they match.
    player.setMix(roll.tracks.map(() => ({ ...DEFAULT_TRACK_MIX })));
    player.setInstruments(roll.tracks.map((_, i) => s.instruments[i] ?? defaultInstrument(i)));
    player.setTempo(s.tempoBpm ?? roll.tempoBpm);
    player.setLoop(false, null);
    await this.play();
  }

  /** Leaves the snapshot and puts the accompaniment (or melody) back in the player, as it was. */
  backToAccompaniment(): void {
    const s = this.store.get();
    if (!s.audition) return;
    this.store.set({ audition: null });
    if (s.listening) this.loadIntoPlayer(s.listening.roll);
    else this.deps.player.setRoll(null);
  }

  /** Starts playback (call from the click handler: the browser allows audio only after a gesture). */
  async play(): Promise<void> {
    try {
      await this.deps.player.play();
    } catch (error) {
      this.report('player', new Error(`Playback could not start: ${messageOf(error)}`));
    }
  }

  /**
   * Plays when paused or stopped, pauses when playing: the Space key (whatever is loaded, a snapshot too) and
   * the Listen panel's one button (`leaveSnapshot`: it belongs to the accompaniment, so it goes back to it first).
   */
  async togglePlay(leaveSnapshot = false): Promise<void> {
    if (leaveSnapshot && this.store.get().audition) this.backToAccompaniment();
    if (this.deps.player.snapshot().state === 'playing') this.pause();
    else await this.play();
  }

  /** Moves playback to `seconds` from the start of what is being listened to. */
  seek(seconds: number): void {
    try {
      this.deps.player.seek(seconds);
    } catch (error) {
      this.report('player', error);
    }
  }

  /** Pauses playback. */
  pause(): void {
    this.deps.player.pause();
  }

  /** Stops playback and rewinds. */
  stop(): void {
    this.deps.player.stop();
  }

  /** Changes one track's mute, solo or volume. */
  setTrackMix(track: number, change: Partial<TrackMix>): void {
    const mix = this.store.get().mix.map((m, i) => (i === track ? { ...m, ...change } : m));
    this.store.set({ mix });
    this.deps.player.setMix(mix);
  }

  /** Changes one track's instrument. */
  setTrackInstrument(track: number, instrument: InstrumentName): void {
    const instruments = this.store.get().instruments.map((m, i) => (i === track ? instrument : m));
    this.store.set({ instruments });
    this.deps.player.setInstruments(instruments);
  }

  /** Plays at another tempo; null returns to the piece's own (a new tune also goes back to its own). */
  setTempo(bpm: number | null): void {
    try {
      const own = this.store.get().listening?.roll.tempoBpm ?? 120;
      this.deps.player.setTempo(bpm ?? own);
      this.store.set({ tempoBpm: bpm });
    } catch (error) {
      this.report('player', error);
    }
  }

  /** Turns looping on or off. */
  setLoop(loop: boolean): void {
    const s = this.store.get();
    this.store.set({ loop });
    if (!s.audition) this.deps.player.setLoop(loop, s.listening ? loopSteps(s.listening.roll, s.loopBars) : null);
  }

  /**
   * Loops bars `from` to `to` (1-based, inclusive), or the whole piece with null. Bars past the end are
   * clamped to it; a range that ends before it starts is refused with a message.
   */
  setLoopBars(bars: LoopBars | null): void {
    const s = this.store.get();
    try {
      let range = bars;
      if (range) {
        const total = s.listening ? barCount(s.listening.roll) : 1;
        if (!Number.isInteger(range.from) || !Number.isInteger(range.to) || range.from < 1) throw new PageActionError('Loop bars must be whole numbers from 1 up.');
        if (range.to < range.from) throw new PageActionError(`The loop must end at or after bar ${range.from}.`);
        range = { from: Math.min(range.from, total), to: Math.min(range.to, total) };
      }
      this.store.set({ loopBars: range });
      if (!s.audition) this.deps.player.setLoop(s.loop, s.listening ? loopSteps(s.listening.roll, range) : null);
    } catch (error) {
      this.report('player', error);
    }
  }

  // ---- models ----

  /** Loads a kept model (see `models` in the state) into the engine and shows its training history. */
  async chooseModel(id: string): Promise<void> {
    const entry = this.store.get().models.find((m) => m.id === id);
    try {
      if (!entry) throw new PageActionError('That model is no longer kept in this browser.');
      if (this.isTraining()) throw new PageActionError('A model is being trained: stop training before switching models.');
      await this.readyPromise;
      if (!this.trainer) throw new PageActionError('The accompaniment engine is not running; reload the page to try again.');
      await this.loadEntry(entry);
    } catch (error) {
      this.report('accompany', error);
    }
  }

  /** Forgets a kept model (its entry; the default cannot be forgotten) and goes back to the default if it was in use. */
  async forgetModel(id: string): Promise<void> {
    if (id === DEFAULT_MODEL_ID || this.isTraining()) return;
    const wasActive = this.store.get().activeModelId === id;
    this.store.set((s) => ({ models: s.models.filter((m) => m.id !== id) }));
    if (wasActive) await this.chooseModel(DEFAULT_MODEL_ID);
  }

  private isTraining(): boolean {
    const state = this.store.get().training;
    return state === 'training' || state === 'paused';
  }

  private async loadEntry(entry: KeptModel): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    if (entry.id === DEFAULT_MODEL_ID) await trainer.load({ kind: 'url', url: this.deps.defaultModelUrl });
    else await trainer.load({ kind: 'indexeddb', name: entry.id });
    this.store.set({ activeModelId: entry.id, model: { origin: entry.origin, label: entry.label }, ...(entry.history ?? emptyHistory()), progress: null, trainingNote: '', training: this.isTraining() ? this.store.get().training : 'idle' });
  }

  // ---- compute engine ----

  /**
   * Uses `backend` for training and generation (null: the fastest measured). The worker switches between
   * iterations only when idle, so a running training is not touched.
   */
  async setEngineOverride(backend: BackendName | null): Promise<void> {
    const s = this.store.get();
    if (s.training === 'training' || s.training === 'paused') {
      this.report('training', new PageActionError('Stop training before changing the compute engine.'));
      return;
    }
    this.store.set({ engineOverride: backend });
    await this.chooseEngine();
  }

  /** What the engine choice is asked: the model width of the settings (when valid) and the user's override. */
  private engineOptions(): EngineOptions {
    const s = this.store.get();
    const checked = checkDraft(s.draft);
    const options: EngineOptions = {};
    if (checked.ok && checked.value.baseWidth !== undefined) options.width = checked.value.baseWidth;
    if (s.engineOverride) options.override = s.engineOverride;
    return options;
  }

  /** Asks the worker to choose again (another width or override); reports failures, never throws. */
  private async chooseEngine(): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    try {
      this.showEngine(await trainer.init(undefined, this.engineOptions()));
    } catch (error) {
      this.report('training', new Error(`The compute engine could not be changed: ${messageOf(error)}`));
    }
  }

  private showEngine(ready: EngineReady): void {
    const { type: _type, ...engine } = ready as EngineReady & { type?: string };
    void _type;
    this.store.set({ backend: engine.backend, backendNote: engine.fallbackReason ?? '', engine });
  }

  // ---- internals ----

  private onWorkerEvent(event: WorkerEvent): void {
    switch (event.type) {
      case 'ready':
        this.showEngine(event);
        break;
      case 'state':
        this.store.set({ training: event.state, trainingNote: event.state === 'done' ? 'Training finished.' : event.state === 'stopped' ? 'Training stopped.' : this.store.get().trainingNote });
        if (event.state === 'done' || event.state === 'stopped') void this.keepTrainedModel();
        break;
      case 'progress': {
        const { type: _type, ...progress } = event;
        const point = { iteration: (event.epoch - 1) * event.iterationsPerEpoch + event.iteration, critic: event.criticLoss, generator: event.generatorLoss };
        this.store.set((s) => ({ progress, losses: [...s.losses, point] }));
        break;
      }
      case 'metrics':
        this.store.set((s) => ({ metrics: [...s.metrics, { epoch: event.epoch, generated: event.generated, reference: event.reference }] }));
        break;
      case 'snapshot':
        this.store.set((s) => ({
          snapshots: [...s.snapshots.filter((x) => x.epoch !== event.epoch), { epoch: event.epoch, rolls: event.rolls }],
          model: { origin: 'trained', label: `being trained here (epoch ${event.epoch})` },
          activeModelId: null,
        }));
        break;
      case 'checkpoint':
        this.store.set({ model: { origin: 'trained', label: `being trained here (epoch ${event.epoch})` }, activeModelId: null });
        break;
      case 'generated':
      case 'saved':
      case 'loaded':
        // Answers to requests arrive through the client's promises.
        break;
      case 'error':
        if (event.requestId === undefined) this.report('training', new Error(event.message));
        break;
      default: {
        const unknown: never = event;
        void unknown;
      }
    }
  }

  /** A finished or stopped run becomes a new entry of the picker, with its curves and snapshots; nothing is replaced. */
  private async keepTrainedModel(): Promise<void> {
    if (!this.trainer) return;
    const s = this.store.get();
    // A run that stopped before its first iteration made no model worth keeping.
    if (s.losses.length === 0 && s.snapshots.length === 0) return;
    try {
      const savedAt = Date.now();
      const id = `cantus-trained-${savedAt}`;
      await this.trainer.save('indexeddb', id);
      const epochs = s.progress?.epoch ?? s.metrics.at(-1)?.epoch ?? 0;
      const checked = checkDraft(s.draft);
      const settings = checked.ok ? `width ${checked.value.baseWidth}, learning rate ${checked.value.learningRate}, batch ${checked.value.batchSize}, ${checked.value.updateRatio} critic steps, seed ${checked.value.seed}` : '';
      const data = s.dataset === 'jsb' ? 'Bach chorales' : `${s.ownFiles.length} own file${s.ownFiles.length === 1 ? '' : 's'}`;
      const entry: KeptModel = {
        id,
        origin: 'trained',
        label: `Trained here ${shortDate(savedAt)}, ${epochs} epoch${epochs === 1 ? '' : 's'}${s.training === 'stopped' ? ' (stopped)' : ''}`,
        detail: [data, settings].filter(Boolean).join('; '),
        savedAt,
        history: { losses: thinLosses(s.losses), metrics: s.metrics, snapshots: s.snapshots },
      };
      this.store.set((now) => ({ models: [...now.models, entry], activeModelId: id, model: { origin: 'trained', label: entry.label } }));
      this.scheduleSave(0);
    } catch (error) {
      this.report('training', new Error(`The trained model could not be kept for next time: ${messageOf(error)}`));
    }
  }

  /** Loads the model chosen last time (falling back to the default when it is gone). */
  private async loadStartModel(activeModelId: string | null): Promise<void> {
    const trainer = this.trainer;
    if (!trainer) return;
    const entry = this.store.get().models.find((m) => m.id === activeModelId);
    // Set again once the model is in: until then no model is in use.
    this.store.set({ activeModelId: null });
    if (entry && entry.id !== DEFAULT_MODEL_ID) {
      try {
        await this.loadEntry(entry);
        return;
      } catch (error) {
        // The stored model is gone (storage cleared): say so, drop it and fall back to the default.
        this.store.set((s) => ({ models: s.models.filter((m) => m.id !== entry.id) }));
        this.report('accompany', new Error(`“${entry.label}” could not be loaded (${messageOf(error)}); using the pretrained default instead.`));
      }
    }
    try {
      const response = await this.deps.fetch(this.deps.defaultModelUrl, { method: 'GET' });
      const text = response.ok ? await response.text() : '';
      // A dev server answers a missing file with the page itself, so only real JSON counts as a model.
      if (!text.trimStart().startsWith('{')) return;
      await this.loadEntry(DEFAULT_MODEL_ENTRY);
    } catch (error) {
      this.report('accompany', new Error(`The pretrained model could not be loaded (${messageOf(error)}); train one or load one from files.`));
    }
  }

  private restore(saved: Partial<SavedPage>): void {
    const s = this.store.get();
    this.store.set({
      melody: saved.melody ?? null,
      melodyName: saved.melodyName ?? '',
      draft: saved.draft ? { ...s.draft, ...saved.draft } : s.draft,
      dataset: saved.dataset ?? 'jsb',
      result: saved.result ?? null,
      resultSeed: saved.resultSeed ?? 1,
      voicing: saved.voicing && VOICINGS.includes(saved.voicing) ? saved.voicing : 'chorale',
      loop: saved.loop ?? false,
      loopBars: saved.loopBars ?? null,
      tempoBpm: saved.tempoBpm ?? null,
      ...restoredModels(saved),
    });
    const roll = saved.result ?? saved.melody;
    if (roll) {
      this.listenTo(roll, saved.result ? `${saved.melodyName ?? ''} (accompaniment, variation ${saved.resultSeed ?? 1})` : (saved.melodyName ?? 'Melody'));
      if (saved.mix?.length === roll.tracks.length) this.store.set({ mix: saved.mix });
      if (saved.instruments?.length === roll.tracks.length) this.store.set({ instruments: saved.instruments });
      this.loadIntoPlayer(roll);
    } else {
      this.showSample(SAMPLE_MELODIES[0].id);
    }
  }

  private scheduleSave(delayMs = 400): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      const s = this.store.get();
      const page: SavedPage = {
        melody: s.melody,
        melodyName: s.melodyName,
        draft: s.draft,
        dataset: s.dataset,
        result: s.result,
        resultSeed: s.resultSeed,
        voicing: s.voicing,
        storedModel: null,
        models: s.models.filter((m) => m.id !== DEFAULT_MODEL_ID),
        activeModelId: s.activeModelId,
        mix: s.mix,
        instruments: s.instruments,
        tempoBpm: s.tempoBpm,
        loop: s.loop,
        loopBars: s.loopBars,
      };
      this.deps.memory.save(page).catch((error: unknown) => this.report('page', new Error(`Your work could not be saved in this browser: ${messageOf(error)}`)));
    }, delayMs);
  }
}

/** An empty training history: what the training panel shows for a model not trained here. */
function emptyHistory(): TrainingHistory {
  return { losses: [], metrics: [], snapshots: [] };
}

/** The picker's list and choice from a saved page; a page saved before the picker had one "last trained" model. */
function restoredModels(saved: Partial<SavedPage>): Pick<AppState, 'models' | 'activeModelId'> {
  const models = cleanModels(saved.models);
  if (saved.storedModel && !models.some((m) => m.id === saved.storedModel)) {
    models.push({ id: saved.storedModel, origin: 'trained', label: 'Trained here (kept from before)', detail: 'trained here before models were listed', savedAt: 0 });
    return { models, activeModelId: saved.storedModel };
  }
  return { models, activeModelId: saved.activeModelId ?? DEFAULT_MODEL_ID };
}

/** Most loss points a kept model stores: more than a chart can show, few enough to save the page quickly. */
export const KEPT_LOSS_POINTS = 2000;

/** Every k-th loss point (and the last) when there are more than KEPT_LOSS_POINTS, so long runs stay cheap to keep. */
export function thinLosses<T>(points: readonly T[], limit = KEPT_LOSS_POINTS): T[] {
  if (points.length <= limit) return [...points];
  const every = Math.ceil(points.length / (limit - 1));
  const kept = points.filter((_, i) => i % every === 0);
  if ((points.length - 1) % every !== 0) kept.push(points[points.length - 1]);
  return kept;
}

/** "a, b and c". */
function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** The weights file name model.json refers to, so the pair loads back as saved. */
export function weightsFileName(modelJson: string): string {
  try {
    const parsed = JSON.parse(modelJson) as { weightsManifest?: { paths?: string[] }[] };
    const path = parsed.weightsManifest?.[0]?.paths?.[0];
    if (path && /^[\w.-]+$/.test(path)) return path;
  } catch {
    // Not our concern here: loading reports a broken model.json.
  }
  return 'model.weights.bin';
}

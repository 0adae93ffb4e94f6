/** The training settings as the user types them, and the choice of training data: the JSB chorales, or the user's own files and the part each of their tracks plays. */
import type { Store } from '../store';
import type { AppState, DatasetChoice, OwnTrainingFile, TrackRole, TrainStart } from '../state';
import type { FormField } from '../hyperForm';
import { defaultTrackRoleList, withRoleProblems, withTrackRole } from '../trackRoles';
import type { TrainingDataSource } from './deps';

/** What the settings area is built from. */
export interface SettingsDeps {
  store: Store<AppState>;
  /** Reads the user's own files as they are picked. */
  data: Pick<TrainingDataSource, 'readOwnMidi'>;
}

/** The settings' actions; they only change the store (training checks the draft when it starts). */
export class Settings {
  /** Bumped by every pick of files, so the reading of an earlier pick stops there. */
  private picks = 0;

  constructor(private readonly deps: SettingsDeps) {}

  private get store(): Store<AppState> {
    return this.deps.store;
  }

  /** Changes one hyperparameter field as typed. */
  setField(field: FormField, text: string): void {
    this.store.set((s) => ({ draft: { ...s.draft, [field]: text } }));
  }

  /** Chooses the training data. */
  setDataset(dataset: DatasetChoice): void {
    this.store.set({ dataset });
  }

  /**
   * Chooses where a new run's weights come from: new ones, or the model in use's; for the latter the model size and
   * what the generator reads are set to that model's where the page knows them (a model that reads the melody alone
   * may start a run that reads the voices too, so that choice is kept).
   */
  setTrainFrom(trainFrom: TrainStart): void {
    this.store.set((s) => {
      const shape = trainFrom === 'model' ? s.model?.shape : undefined;
      if (!shape) return { trainFrom };
      const voiceContext = shape.voiceContext ? 'true' : s.draft.voiceContext;
      return { trainFrom, draft: { ...s.draft, baseWidth: String(shape.baseWidth), voiceContext } };
    });
  }

  /**
   * The user's own files for training: each is read in turn (once; training uses what was read) and its tracks get
   * their default roles; a file that cannot be read keeps its error, shown beside it, and is left out of training.
   */
  async setOwnFiles(files: File[]): Promise<void> {
    const pick = ++this.picks;
    const entry = (file: File): OwnTrainingFile => ({ file, parsed: null, roles: [], error: null, problem: null });
    this.store.set({ ownFiles: files.map(entry), ownFilesReading: files.length > 0, dataset: 'own' });
    for (const [i, file] of files.entries()) {
      let read: Partial<OwnTrainingFile>;
      try {
        const parsed = await this.deps.data.readOwnMidi(file);
        read = parsed ? { parsed, roles: defaultTrackRoleList(parsed) } : {};
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        read = { parsed: null, error: message.startsWith(`"${file.name}"`) ? message : `"${file.name}": ${message}` };
      }
      if (pick !== this.picks) return;
      this.updateOwnFiles((all) => all.map((f, j) => (j === i ? { ...f, ...read } : f)));
    }
    if (pick === this.picks) this.store.set({ ownFilesReading: false });
  }

  /** Gives track `track` of own file `fileIndex` the role `role` (choosing another melody swaps the two tracks' roles). */
  setTrackRole(fileIndex: number, track: number, role: TrackRole): void {
    this.updateOwnFiles((all) =>
      all.map((f, i) => (i === fileIndex && f.parsed ? { ...f, roles: withTrackRole(f.parsed, f.roles, track, role) } : f)),
    );
  }

  /** Changes the own files and works their problems out again. */
  private updateOwnFiles(change: (files: OwnTrainingFile[]) => OwnTrainingFile[]): void {
    this.store.set((s) => ({ ownFiles: withRoleProblems(change(s.ownFiles)) }));
  }
}

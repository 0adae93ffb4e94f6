/** The training settings as the user types them, and the choice of training data. */
import type { Store } from '../store';
import type { AppState, DatasetChoice } from '../state';
import type { FormField } from '../hyperForm';

/** The settings' actions; they only change the store (training checks the draft when it starts). */
export class Settings {
  constructor(private readonly store: Store<AppState>) {}

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
}

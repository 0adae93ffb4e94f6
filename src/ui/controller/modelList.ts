/** The list of kept models as plain data: its entries, what a saved page restores of it, and a run's kept history. */
import { DEFAULT_MODEL_ID, type AppState, type KeptModel, type TrainingHistory } from '../state';
import { checkDraft } from '../hyperForm';
import type { SavedPage } from './pageMemory';

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

/** An empty training history: what the training panel shows for a model not trained here. */
export function emptyHistory(): TrainingHistory {
  return { losses: [], metrics: [], snapshots: [] };
}

/** A date as the picker shows it: "30 Nov, 14:05". */
export function shortDate(ms: number): string {
  return new Date(ms).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

/** The picker entry of the run in `s` that just ended, saved in the worker's IndexedDB at `savedAt` (ms). */
export function trainedModelEntry(s: AppState, savedAt: number): KeptModel {
  const epochs = s.progress?.epoch ?? s.metrics.at(-1)?.epoch ?? 0;
  const checked = checkDraft(s.draft);
  const settings = checked.ok
    ? `width ${checked.value.baseWidth}, learning rate ${checked.value.learningRate}, batch ${checked.value.batchSize}, ${checked.value.updateRatio} critic steps, seed ${checked.value.seed}`
    : '';
  const data = s.dataset === 'jsb' ? 'Bach chorales' : `${s.ownFiles.length} own file${s.ownFiles.length === 1 ? '' : 's'}`;
  return {
    id: `cantus-trained-${savedAt}`,
    origin: 'trained',
    label: `Trained here ${shortDate(savedAt)}, ${epochs} epoch${epochs === 1 ? '' : 's'}${s.training === 'stopped' ? ' (stopped)' : ''}`,
    detail: [data, settings].filter(Boolean).join('; '),
    savedAt,
    history: { losses: thinLosses(s.losses), metrics: s.metrics, snapshots: s.snapshots },
  };
}

/** Keeps the saved list usable: the default first, entries without an id or label dropped. */
function cleanModels(saved: readonly KeptModel[] | undefined): KeptModel[] {
  const kept = (saved ?? []).filter((m) => m && typeof m.id === 'string' && m.id !== DEFAULT_MODEL_ID && typeof m.label === 'string');
  return [DEFAULT_MODEL_ENTRY, ...kept];
}

/** The picker's list and choice from a saved page; a page saved before the picker had one "last trained" model. */
export function restoredModels(saved: Partial<SavedPage>): Pick<AppState, 'models' | 'activeModelId'> {
  const models = cleanModels(saved.models);
  if (saved.storedModel && !models.some((m) => m.id === saved.storedModel)) {
    models.push({
      id: saved.storedModel,
      origin: 'trained',
      label: 'Trained here (kept from before)',
      detail: 'trained here before models were listed',
      savedAt: 0,
    });
    return { models, activeModelId: saved.storedModel };
  }
  return { models, activeModelId: saved.activeModelId ?? DEFAULT_MODEL_ID };
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

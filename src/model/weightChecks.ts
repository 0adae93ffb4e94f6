/** Checks shared by the model file readers (Cantus's own format and the TF.js Layers format). */
import { ModelFileError } from './errors';

/** True for a plain object (not null, not an array). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** True when a stored shape equals a network's (a null dimension matches nothing). */
export function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Refuses weights that hold NaN or infinity (a run that diverged, or a damaged file): such a model would load and
 * then accompany with noise or silence, so it is refused like any other damaged file.
 */
export function checkFinite(values: Float32Array, where: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ModelFileError(
        'not-finite',
        `The weights of ${where} hold ${Number.isNaN(values[i]) ? 'NaN (not a number)' : 'infinite'} values: the file is damaged, or it was saved from a training run that diverged. Load another copy of the model, or train again (a lower learning rate keeps a run from diverging).`,
      );
    }
  }
}

/**
 * Why the browser refused to keep something (a checkpoint, a model, the page's work), in plain words: the worker and
 * the page both explain storage failures with this, so every such message names the same causes the same way.
 */

/** What went wrong: the origin's storage is full, the browser does not allow storage here, or something else. */
export type StorageTrouble = 'full' | 'blocked' | 'failed';

/** A storage failure explained. */
export interface StorageFailure {
  trouble: StorageTrouble;
  /** Why, in words that fit after "could not be saved in this browser: ". */
  reason: string;
}

const BLOCKED_NAMES = new Set(['SecurityError', 'NotAllowedError', 'InvalidAccessError']);
const BLOCKED_TEXT = /denied|not allowed|blocked|private|insecure|security|is not defined|not available|unavailable/i;

/** Explains anything a storage call threw (IndexedDB, Cache Storage, localStorage), whatever its name or message. */
export function describeStorageFailure(error: unknown): StorageFailure {
  const name =
    typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
      ? (error as { name: string }).name
      : '';
  const message =
    error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)
      ? String((error as { message?: unknown }).message ?? '')
      : error === undefined || error === null
        ? ''
        : String(error);
  if (name === 'QuotaExceededError' || /quota|storage is full|disk is full|no space/i.test(message)) {
    return { trouble: 'full', reason: "the browser's storage for this site is full" };
  }
  if (BLOCKED_NAMES.has(name) || BLOCKED_TEXT.test(message)) {
    return {
      trouble: 'blocked',
      reason: 'this browser does not let this site keep data (a private window, or site data blocked in its settings)',
    };
  }
  const detail = [name && name !== 'Error' ? name : '', message].filter(Boolean).join(': ');
  return { trouble: 'failed', reason: `the browser's storage refused it (${detail || 'no reason given'})` };
}

/** What to do about it, as a sentence: saving as files always works; a full storage can also be freed. */
export function storageAdvice(failure: StorageFailure, what = 'the model'): string {
  const files = `Use “Save model files” to keep ${what}`;
  return failure.trouble === 'full' ? `${files}, or free space by forgetting models you no longer need.` : `${files}.`;
}

/** The page's one error message: every area of the controller shows and clears it through `Messages`. */
import type { Store } from '../store';
import { describeStorageFailure, storageAdvice } from '../../protocol/storage';
import type { AppState, ErrorAction, Region } from '../state';

/** Thrown for things the user asked at the wrong moment; the message says what to do. */
export class PageActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PageActionError';
  }
}

/** The text of anything thrown. */
export function messageOf(error: unknown): string {
  // A browser's DOMException may carry no message (a QuotaExceededError did): its name is better than nothing.
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** True for the worker's refusal of the browser's storage (its 'storage' error code), whose message says why. */
export function isStorageRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'storage';
}

/** "<failed> in this browser: <why>. <consequence> <what to do>" for a storage failure of the page's own. */
export function storageMessage(failed: string, error: unknown, consequence: string): string {
  const failure = describeStorageFailure(error);
  return `${failed} in this browser: ${failure.reason}. ${consequence} ${storageAdvice(failure, 'a model')}`;
}

/** Shows, hides and retires the error message in the store. */
export class Messages {
  constructor(private readonly store: Store<AppState>) {}

  /** Shows an error from any part of the page, with `action` offered beside it. */
  report(region: Region, error: unknown, action?: ErrorAction): void {
    const message = messageOf(error);
    this.store.set((s) => ({
      error: { region, message, serial: s.errorCount + 1, ...(action ? { action } : {}) },
      errorCount: s.errorCount + 1,
    }));
  }

  /** Hides the error message. */
  dismiss(): void {
    this.store.set({ error: null });
  }

  /**
   * A user action worked: the message shown from before it began is out of date and goes. One that
   * appeared while it ran (the action took a while) stays: it is about something newer.
   */
  succeeded(errorsBefore = this.store.get().errorCount): void {
    const error = this.store.get().error;
    if (error && error.serial <= errorsBefore) this.store.set({ error: null });
  }
}

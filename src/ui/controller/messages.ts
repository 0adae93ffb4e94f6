/** The page's one error message: every area of the controller shows and clears it through `Messages`. */
import type { Store } from '../store';
import type { AppState, Region } from '../state';

/** Thrown for things the user asked at the wrong moment; the message says what to do. */
export class PageActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PageActionError';
  }
}

/** The text of anything thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Shows, hides and retires the error message in the store. */
export class Messages {
  constructor(private readonly store: Store<AppState>) {}

  /** Shows an error from any part of the page. */
  report(region: Region, error: unknown): void {
    const message = messageOf(error);
    this.store.set((s) => ({ error: { region, message, serial: s.errorCount + 1 }, errorCount: s.errorCount + 1 }));
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

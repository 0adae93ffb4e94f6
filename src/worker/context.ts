/** What the training handler's parts (trainingRuns.ts, modelInUse.ts, epochEnd.ts) share of it. */
import type { WorkerEvent } from '../protocol/messages';

/** Sends an event to the page, moving the listed buffers instead of copying them. */
export type PostEvent = (event: WorkerEvent, transfer?: ArrayBuffer[]) => void;

/** The handler's channel to the page and its one queue of engine calls. */
export interface HandlerContext {
  post: PostEvent;
  /** Runs an engine call when no other engine call is running. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** Runs a request's engine call; a timing of the engines in the background gives way to it (engineChoice.ts). */
  busy<T>(task: () => Promise<T>): Promise<T>;
  /** Posts a failure as an 'error' event. */
  report(error: unknown): void;
}

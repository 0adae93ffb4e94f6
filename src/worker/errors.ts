/**
 * Typed failures of the training worker. Each carries the protocol's error code so the handler can turn it
 * into an 'error' event, and the client can turn that event back into a rejected promise. No TensorFlow.js here:
 * the page imports this module through the client.
 */
import type { FieldProblem } from '../protocol/config';
import type { WorkerErrorCode, WorkerEvent } from '../protocol/messages';
import { describeStorageFailure, storageAdvice, type StorageFailure } from '../protocol/storage';

/** A failure the worker reports with a protocol error code and a message a musician can act on. */
export class TrainerError extends Error {
  readonly code: WorkerErrorCode;
  readonly problems?: FieldProblem[];
  constructor(code: WorkerErrorCode, message: string, problems?: FieldProblem[]) {
    super(message);
    this.name = 'TrainerError';
    this.code = code;
    if (problems) this.problems = problems;
  }

  /** Rebuilds the error from an 'error' event (used by the page's client). */
  static fromEvent(event: Extract<WorkerEvent, { type: 'error' }>): TrainerError {
    return new TrainerError(event.code, event.message, event.problems);
  }
}

/** Asked for generation or saving before any model was trained or loaded. */
export class NoModelError extends TrainerError {
  constructor(what: string) {
    super('no-model', `There is no model to ${what} yet: train one or load a saved model first.`);
    this.name = 'NoModelError';
  }
}

/** A request that cannot be carried out now because training is running. */
export class BusyError extends TrainerError {
  constructor(what: string) {
    super('busy', `Cannot ${what} while training is running: stop or finish training first.`);
    this.name = 'BusyError';
  }
}

/** A malformed request (wrong shapes, missing names, data that does not match a checkpoint). */
export class BadRequestError extends TrainerError {
  constructor(message: string) {
    super('bad-request', message);
    this.name = 'BadRequestError';
  }
}

/** A model file or stored model that cannot be read. */
export class BadModelError extends TrainerError {
  constructor(message: string) {
    super('bad-model', message);
    this.name = 'BadModelError';
  }
}

/** The browser refused to store something (storage full, blocked, private window); the message says why and what to do. */
export class StorageError extends TrainerError {
  readonly failure: StorageFailure;
  /** `failed` fits "… in this browser" ("The model could not be saved"); `consequence` says what happens now, as a sentence. */
  constructor(failed: string, cause: unknown, consequence: string, advice = true) {
    const failure = describeStorageFailure(cause);
    const text = `${failed} in this browser: ${failure.reason}. ${consequence}`;
    super('storage', advice ? `${text} ${storageAdvice(failure)}` : text);
    this.name = 'StorageError';
    this.failure = failure;
  }
}

/** No TensorFlow.js backend in the requested list worked in this browser. */
export class NoBackendError extends TrainerError {
  constructor(reasons: string) {
    super('no-backend', `This browser could not run the model on any engine (${reasons}). Try an up-to-date Chrome, Edge or Firefox.`);
    this.name = 'NoBackendError';
  }
}

/** The text of anything thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Maps anything thrown to a TrainerError, keeping typed ones and wrapping the rest as 'internal'. */
export function toTrainerError(error: unknown): TrainerError {
  if (error instanceof TrainerError) return error;
  return new TrainerError('internal', `Something went wrong inside the training engine: ${errorText(error)}`);
}

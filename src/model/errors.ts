/** Errors a user can cause through the model: a bad model file, unusable training data, an unusable melody. */

/** What is wrong with a model file, for the page to react to without parsing the message. */
export type ModelFileErrorCode = 'not-json' | 'foreign' | 'newer-version' | 'bad-config' | 'bad-shape' | 'truncated' | 'not-finite';

/** A model or training-state file that Cantus cannot load. */
export class ModelFileError extends Error {
  /** A stable identifier of the problem. */
  readonly code: ModelFileErrorCode;
  constructor(code: ModelFileErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelFileError';
    this.code = code;
  }
}

/** Training windows or a batch that do not have the shape the model trains on. */
export class TrainingDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDataError';
  }
}

/** A melody the model cannot accompany (for example one not on a 16th-note grid). */
export class MelodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MelodyError';
  }
}

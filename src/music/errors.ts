/**
 * The errors a user can cause by handing Cantus music it cannot use: one hierarchy, each error with a
 * machine-readable `code` for the page and a message a musician understands.
 */

/** What went wrong with a MIDI file, for the page to react to without parsing the message. */
export type MidiInputErrorCode =
  'empty' | 'too-large' | 'not-midi' | 'truncated' | 'damaged' | 'no-notes' | 'only-drums' | 'too-long' | 'bad-tempo' | 'bad-track';

/** What went wrong with a data set file (for example the JSB chorales JSON). */
export type DatasetFormatErrorCode = 'not-json' | 'bad-shape';

/** Base of every error caused by the music or data a user gives Cantus. */
export class MusicInputError extends Error {
  /** A stable identifier of the problem, for the page. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MusicInputError';
    this.code = code;
  }
}

/** A MIDI file Cantus cannot read or use. */
export class MidiInputError extends MusicInputError {
  declare readonly code: MidiInputErrorCode;
  constructor(code: MidiInputErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'MidiInputError';
  }
}

/** A data set file that is not in the expected format. */
export class DatasetFormatError extends MusicInputError {
  declare readonly code: DatasetFormatErrorCode;
  constructor(code: DatasetFormatErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'DatasetFormatError';
  }
}

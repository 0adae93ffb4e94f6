/**
 * Reads a MIDI file the user picked off the page's thread: a worker parses it within a time budget and
 * is terminated if it overruns, and the file is then refused as damaged. The page stays responsive, and
 * the melody, model and training run the user has are untouched whatever the file holds.
 */
import { MidiInputError, type MidiInputErrorCode } from '../music/errors';
import { parseMidi, type ParsedMidi } from '../music/midiIn';

/** What the page sends the MIDI worker: the file's bytes (transferred). */
export interface MidiParseRequest {
  bytes: ArrayBuffer;
}

/**
 * What the MIDI worker sends back: `started` as soon as it has the file (the reading budget runs from then),
 * then its one answer.
 */
export type MidiParseReply =
  { started: true } | { ok: true; parsed: ParsedMidi } | { ok: false; code: MidiInputErrorCode; message: string };

/** Longest a file may take to read before it is given up as damaged, in milliseconds (a large real file takes well under one second). */
export const MIDI_READ_BUDGET_MS = 5000;

/**
 * Longest the worker may take to start and receive the file, in milliseconds. Kept apart from the reading
 * budget: on a busy machine (a model being timed or trained beside the page) starting a worker can take
 * seconds, and that is no fault of the file.
 */
export const MIDI_READER_START_MS = 60_000;

/** A worker as the reader uses it (the browser's `Worker` satisfies it). */
export interface MidiWorkerLike {
  onmessage: ((event: MessageEvent<MidiParseReply>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(message: MidiParseRequest, transfer: Transferable[]): void;
  terminate(): void;
}

/** Options of `readMidiOffThread`. */
export interface MidiReadOptions {
  /** Reading budget in milliseconds, from the worker's start; default MIDI_READ_BUDGET_MS. */
  budgetMs?: number;
  /** Start-up allowance in milliseconds; default MIDI_READER_START_MS. */
  startMs?: number;
  /** Makes the worker; default: the bundled MIDI worker. */
  createWorker?: () => MidiWorkerLike;
}

function bundledWorker(): MidiWorkerLike {
  return new Worker(new URL('./midiParse.worker.ts', import.meta.url), { type: 'module', name: 'cantus-midi-reader' });
}

/**
 * Parses MIDI bytes in a fresh worker. Resolves with the parsed file; rejects with the reader's
 * `MidiInputError`, with one of code 'damaged' when reading takes longer than the budget, or with a plain
 * Error (try again) when the worker does not even start within its allowance. Where the
 * environment has no workers, it parses on this thread (the reader is bounded, so that is still safe).
 */
export function readMidiOffThread(bytes: Uint8Array, options: MidiReadOptions = {}): Promise<ParsedMidi> {
  const budgetMs = options.budgetMs ?? MIDI_READ_BUDGET_MS;
  let worker: MidiWorkerLike;
  try {
    worker = (options.createWorker ?? bundledWorker)();
  } catch {
    return Promise.resolve().then(() => parseMidi(bytes));
  }
  return new Promise<ParsedMidi>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout>;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.terminate();
      outcome();
    };
    const startMs = options.startMs ?? MIDI_READER_START_MS;
    timer = setTimeout(
      () =>
        finish(() =>
          reject(new Error(`The MIDI reader did not start within ${startMs / 1000} seconds; the page may be busy. Try the file again.`)),
        ),
      startMs,
    );
    const startReadingBudget = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          finish(() =>
            reject(
              new MidiInputError(
                'damaged',
                `This MIDI file could not be read within ${budgetMs / 1000} seconds, so it was given up: it is probably damaged. Open it in a music program and save it again as MIDI.`,
              ),
            ),
          ),
        budgetMs,
      );
    };
    worker.onmessage = (event) => {
      const reply = event.data;
      if ('started' in reply) startReadingBudget();
      else finish(() => (reply.ok ? resolve(reply.parsed) : reject(new MidiInputError(reply.code, reply.message))));
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      // The worker failed outside the parser (it could not load, say): not the file's fault.
      finish(() => reject(new Error(`The MIDI reader could not run (${event.message || 'worker error'}); reload the page and try again.`)));
    };
    // A copy goes to the worker, so the caller's bytes stay usable.
    const copy = bytes.slice().buffer;
    worker.postMessage({ bytes: copy }, [copy]);
  });
}

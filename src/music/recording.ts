/**
 * Recording from a keyboard (on-screen, computer keys or Web MIDI): timed key presses in, a melody
 * quantised to the grid out. Pure: the caller passes the clock, so tests can play exact timings.
 */
import { addNote } from './notes';
import { createRoll, DEFAULT_STEPS_PER_BEAT, type PianoRoll } from './pianoRoll';

/** Milliseconds on any monotonic clock (performance.now(), a MIDI event's timeStamp). */
export type Milliseconds = number;

/** A note as played, before quantising. */
export interface PlayedNote {
  pitch: number;
  velocity: number;
  start: Milliseconds;
  end: Milliseconds;
}

/** Thrown when a recording holds nothing to use. */
export class EmptyRecordingError extends Error {
  constructor() {
    super('Nothing was recorded: press Record, play a few notes, then press Stop.');
    this.name = 'EmptyRecordingError';
  }
}

/** Options for quantising. */
export interface QuantiseOptions {
  tempoBpm: number;
  stepsPerBeat?: number;
  beatsPerBar?: number;
}

/**
 * Quantises notes to the grid: each start to the nearest step from `origin`, each end likewise, at least
 * one step long. The roll is padded to whole bars, and a same-pitch note cuts the previous one short (of
 * two strokes of one key on one step, the later one stands).
 */
export function quantiseNotes(notes: readonly PlayedNote[], origin: Milliseconds, options: QuantiseOptions): PianoRoll {
  if (notes.length === 0) throw new EmptyRecordingError();
  const stepsPerBeat = options.stepsPerBeat ?? DEFAULT_STEPS_PER_BEAT;
  const beatsPerBar = options.beatsPerBar ?? 4;
  const stepMs = 60_000 / options.tempoBpm / stepsPerBeat;
  const placed = notes
    .map((n) => {
      const start = Math.max(0, Math.round((n.start - origin) / stepMs));
      const end = Math.max(start + 1, Math.round((n.end - origin) / stepMs));
      return { pitch: n.pitch, velocity: Math.min(127, Math.max(1, Math.round(n.velocity))), start, end };
    })
    .sort((a, b) => a.start - b.start);
  const barSteps = stepsPerBeat * beatsPerBar;
  const lastEnd = Math.max(...placed.map((n) => n.end));
  const steps = Math.max(barSteps, Math.ceil(lastEnd / barSteps) * barSteps);
  const roll = createRoll(steps, [{ name: 'Melody', program: 0, isDrum: false }], {
    stepsPerBeat,
    beatsPerBar,
    tempoBpm: options.tempoBpm,
    withOnsets: true,
    withVelocities: true,
  });
  placed.forEach((note, i) => {
    const next = placed.slice(i + 1).find((m) => m.pitch === note.pitch && m.start >= note.start);
    if (next && next.start === note.start) return;
    const end = next && next.start < note.end ? next.start : note.end;
    addNote(roll, 0, { pitch: note.pitch, startStep: note.start, steps: end - note.start, velocity: note.velocity });
  });
  return roll;
}

/** Collects key presses between `start()` and `stop()`. */
export class NoteRecorder {
  private origin: Milliseconds | null = null;
  private readonly held = new Map<number, { velocity: number; start: Milliseconds }>();
  private notes: PlayedNote[] = [];

  /** True between start() and stop(). */
  get recording(): boolean {
    return this.origin !== null;
  }

  /** Begins a new recording at time `now`. */
  start(now: Milliseconds): void {
    this.origin = now;
    this.held.clear();
    this.notes = [];
  }

  /** A key went down. Ignored when not recording. */
  noteOn(pitch: number, velocity: number, now: Milliseconds): void {
    if (this.origin === null) return;
    if (this.held.has(pitch)) this.noteOff(pitch, now);
    this.held.set(pitch, { velocity, start: now });
  }

  /** A key came up. */
  noteOff(pitch: number, now: Milliseconds): void {
    const down = this.held.get(pitch);
    if (!down) return;
    this.held.delete(pitch);
    this.notes.push({ pitch, velocity: down.velocity, start: down.start, end: now });
  }

  /** Ends the recording (releasing held keys at `now`) and returns the quantised melody. */
  stop(now: Milliseconds, options: QuantiseOptions): PianoRoll {
    if (this.origin === null) throw new EmptyRecordingError();
    for (const pitch of [...this.held.keys()]) this.noteOff(pitch, now);
    const origin = this.origin;
    this.origin = null;
    return quantiseNotes(this.notes, origin, options);
  }
}

/** Computer keys of the on-screen keyboard, from C upwards (the usual DAW layout). */
export const COMPUTER_KEYS = ['a', 'w', 's', 'e', 'd', 'f', 't', 'g', 'y', 'h', 'u', 'j', 'k', 'o', 'l', 'p', ';', "'"] as const;

/** The pitch a computer key plays, given the keyboard's lowest C; undefined for other keys. */
export function pitchForComputerKey(key: string, lowestC: number): number | undefined {
  const index = (COMPUTER_KEYS as readonly string[]).indexOf(key.toLowerCase());
  return index < 0 ? undefined : lowestC + index;
}

/**
 * The piano roll: the one plain data type at the centre of Cantus.
 *
 * A roll is a grid of time steps x 128 MIDI pitches x tracks, stored step-major in a typed array
 * (index = (step * PITCHES + pitch) * trackCount + track), so it maps one-to-one onto a tensor of
 * shape [steps, 128, tracks] and crosses to a worker without copying (see `rollTransferables`).
 */
import { DEFAULT_TEMPO_BPM } from './constants';
import type { DataProfile } from './profile';

/** Number of MIDI pitches, 0..127. */
export const PITCHES = 128;
/** The model's grid: 4 steps per beat (16th notes). */
export const DEFAULT_STEPS_PER_BEAT = 4;
/** The model's window: 2 bars of 4/4 at 4 steps per beat. */
export const WINDOW_STEPS = 32;

/** Tracks the model writes under the melody: a chorale's alto, tenor and bass, or three tracks of the user's own music. */
export const ACCOMPANIMENT_TRACKS = 3;
/** Tracks of a training window and of the model's output: the melody, then the accompaniment. */
export const MODEL_TRACKS = 1 + ACCOMPANIMENT_TRACKS;

/** General MIDI program numbers are 0..127; drums live on channel 10 and have no program. */
export type GmProgram = number;

/** What a track is: its name, its General MIDI program, and whether it is a drum track. */
export interface TrackInfo {
  name: string;
  program: GmProgram;
  isDrum: boolean;
}

/** A multi-track piano roll on a fixed grid. */
export interface PianoRoll {
  /** Number of time steps. */
  steps: number;
  /** Grid resolution: steps per quarter-note beat. */
  stepsPerBeat: number;
  /** Tempo in quarter-note beats per minute. */
  tempoBpm: number;
  /** Beats per bar (the numerator of the time signature; the denominator is taken as 4). */
  beatsPerBar: number;
  /** One entry per track; `tracks.length` is the roll's third dimension. */
  tracks: TrackInfo[];
  /** 1 where a pitch sounds at a step, else 0. Length steps * 128 * tracks.length. */
  active: Uint8Array;
  /**
   * 1 where a note starts. Tells a held note from a repeated one; a roll without onsets
   * (for example a model's output) is read as: every run of active steps is one note.
   */
  onsets: Uint8Array | null;
  /** MIDI velocity (1..127) at each onset cell; null means a default velocity. */
  velocities: Uint8Array | null;
}

/** The flat index of a cell. */
export function cellIndex(roll: Pick<PianoRoll, 'tracks'>, step: number, pitch: number, track: number): number {
  return (step * PITCHES + pitch) * roll.tracks.length + track;
}

/** What makes a value no usable piano roll; see `rollProblem`. */
export type RollProblemKind = 'not-a-roll' | 'bad-steps' | 'bad-grid' | 'bad-length';

/** A roll's problem: its kind (for a caller's own words) and a description. */
export interface RollProblem {
  kind: RollProblemKind;
  message: string;
}

/**
 * The one check of a piano roll's shape, or null when it holds: typed arrays and a non-empty track list
 * ('not-a-roll'), a whole number of steps ('bad-steps'), a grid of a whole number >= 1 of steps per beat and a
 * bar of a whole number of steps ('bad-grid'), and `active`, `onsets` and `velocities` of steps x 128 x tracks
 * cells ('bad-length').
 */
export function rollProblem(roll: PianoRoll): RollProblem | null {
  if (!roll || !(roll.active instanceof Uint8Array) || !Array.isArray(roll.tracks) || roll.tracks.length < 1)
    return { kind: 'not-a-roll', message: 'a piano roll needs typed cells and at least one track' };
  if (!Number.isInteger(roll.steps) || roll.steps < 0)
    return { kind: 'bad-steps', message: `steps must be a whole number >= 0, got ${roll.steps}` };
  if (!Number.isInteger(roll.stepsPerBeat) || roll.stepsPerBeat < 1)
    return { kind: 'bad-grid', message: `stepsPerBeat must be a whole number >= 1, got ${roll.stepsPerBeat}` };
  if (!(roll.beatsPerBar > 0) || !Number.isInteger(stepsPerBar(roll)))
    return { kind: 'bad-grid', message: `a bar must be a whole number of steps, got ${roll.beatsPerBar} beats per bar` };
  const expected = roll.steps * PITCHES * roll.tracks.length;
  for (const [name, cells] of [
    ['active', roll.active],
    ['onsets', roll.onsets],
    ['velocities', roll.velocities],
  ] as const) {
    if (cells && cells.length !== expected)
      return {
        kind: 'bad-length',
        message: `a roll of ${roll.steps} steps and ${roll.tracks.length} tracks needs ${expected} cells, its ${name} hold ${cells.length}`,
      };
  }
  return null;
}

/** Throws a RangeError where `rollProblem` finds one. */
export function checkRoll(roll: PianoRoll): void {
  const problem = rollProblem(roll);
  if (problem) throw new RangeError(problem.message);
}

/** Throws a RangeError unless `track` is one of the roll's tracks. */
export function checkTrackIndex(roll: Pick<PianoRoll, 'tracks'>, track: number): void {
  const count = roll.tracks.length;
  if (!Number.isInteger(track) || track < 0 || track >= count)
    throw new RangeError(`track ${track} is not in the roll: its tracks are 0..${count - 1}`);
}

/** Options for `createRoll`. */
export interface CreateRollOptions {
  stepsPerBeat?: number;
  tempoBpm?: number;
  beatsPerBar?: number;
  withOnsets?: boolean;
  withVelocities?: boolean;
}

/** The grid and tempo of `roll`, as `createRoll` options: for a new roll that lines up with it. */
export function sameGrid(
  roll: Pick<PianoRoll, 'stepsPerBeat' | 'tempoBpm' | 'beatsPerBar'>,
): Pick<CreateRollOptions, 'stepsPerBeat' | 'tempoBpm' | 'beatsPerBar'> {
  return { stepsPerBeat: roll.stepsPerBeat, tempoBpm: roll.tempoBpm, beatsPerBar: roll.beatsPerBar };
}

/** An empty roll of the given length and tracks. */
export function createRoll(steps: number, tracks: TrackInfo[], options: CreateRollOptions = {}): PianoRoll {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`steps must be a whole number >= 0, got ${steps}`);
  if (tracks.length === 0) throw new RangeError('a piano roll needs at least one track');
  const size = steps * PITCHES * tracks.length;
  return {
    steps,
    stepsPerBeat: options.stepsPerBeat ?? DEFAULT_STEPS_PER_BEAT,
    tempoBpm: options.tempoBpm ?? DEFAULT_TEMPO_BPM,
    beatsPerBar: options.beatsPerBar ?? 4,
    tracks: tracks.map((t) => ({ ...t })),
    active: new Uint8Array(size),
    onsets: options.withOnsets === false ? null : new Uint8Array(size),
    velocities: options.withVelocities ? new Uint8Array(size) : null,
  };
}

/** The buffers to list as transferables when posting a roll to or from a worker. */
export function rollTransferables(roll: PianoRoll): ArrayBuffer[] {
  const buffers = [roll.active.buffer, roll.onsets?.buffer, roll.velocities?.buffer];
  return buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

/** A deep copy, so a transform can return a new roll without touching its input. */
export function cloneRoll(roll: PianoRoll): PianoRoll {
  return {
    ...roll,
    tracks: roll.tracks.map((t) => ({ ...t })),
    active: roll.active.slice(),
    onsets: roll.onsets ? roll.onsets.slice() : null,
    velocities: roll.velocities ? roll.velocities.slice() : null,
  };
}

/** Steps in one bar. */
export function stepsPerBar(roll: Pick<PianoRoll, 'beatsPerBar' | 'stepsPerBeat'>): number {
  return roll.beatsPerBar * roll.stepsPerBeat;
}

/**
 * Training windows: `count` rolls of WINDOW_STEPS x 128 x `tracks`, values -1 (off) or +1 (on),
 * as the model consumes them. Track 0 is the condition (the melody). Int8 keeps a large data set small;
 * the model converts a batch to float when it feeds it.
 */
export interface TrainingWindows {
  count: number;
  steps: number;
  tracks: number;
  /** Length count * steps * 128 * tracks, index ((w * steps + step) * 128 + pitch) * tracks + track. */
  data: Int8Array;
  /** Names of the tracks, melody first. */
  trackNames: string[];
  /** What the data holds (its kind and each accompaniment track, dataProfile.ts); absent means the Bach chorales. */
  profile?: DataProfile;
}

/** What makes a value no usable set of training windows; see `windowsProblem`. */
export type WindowsProblemKind = 'not-windows' | 'no-windows' | 'bad-length';

/**
 * The one check of training windows' shape, or null when it holds: Int8Array data ('not-windows'), a whole
 * number >= 1 of windows ('no-windows'), and whole numbers of steps and tracks whose cells the data holds
 * exactly ('bad-length').
 */
export function windowsProblem(windows: TrainingWindows): { kind: WindowsProblemKind; message: string } | null {
  if (!windows || !(windows.data instanceof Int8Array)) return { kind: 'not-windows', message: 'training windows need Int8Array data' };
  if (!Number.isInteger(windows.count) || windows.count < 1)
    return { kind: 'no-windows', message: `training windows need a whole number >= 1 of windows, got ${windows.count}` };
  const expected = windows.count * windows.steps * PITCHES * windows.tracks;
  if (!Number.isInteger(windows.steps) || !Number.isInteger(windows.tracks) || windows.data.length !== expected)
    return {
      kind: 'bad-length',
      message: `${windows.count} windows of ${windows.steps} steps and ${windows.tracks} tracks should hold ${expected} values, not ${windows.data.length}`,
    };
  return null;
}

/** A new roll holding only the given tracks of `roll`, in the given order. */
export function selectTracks(roll: PianoRoll, tracks: number[]): PianoRoll {
  const n = roll.tracks.length;
  for (const t of tracks) checkTrackIndex(roll, t);
  const out = createRoll(
    roll.steps,
    tracks.map((t) => roll.tracks[t]),
    { ...sameGrid(roll), withOnsets: roll.onsets !== null, withVelocities: roll.velocities !== null },
  );
  const m = tracks.length;
  for (let cell = 0; cell < roll.steps * PITCHES; cell++) {
    for (let k = 0; k < m; k++) {
      const src = cell * n + tracks[k];
      const dst = cell * m + k;
      out.active[dst] = roll.active[src];
      if (out.onsets && roll.onsets) out.onsets[dst] = roll.onsets[src];
      if (out.velocities && roll.velocities) out.velocities[dst] = roll.velocities[src];
    }
  }
  return out;
}

/**
 * Slicing and stacking rolls, packing them into the model's fixed-length `TrainingWindows`, and turning
 * windows back into rolls (for snapshots and metrics). Rolls are step-major, so a range of steps is one
 * contiguous block of every array: slicing is a copy, never a per-cell loop.
 */
import { PITCHES, WINDOW_STEPS, createRoll, type PianoRoll, type TrainingWindows, sameGrid } from './pianoRoll';

/** Default hop between training windows: one bar of 4/4 at 4 steps per beat, so windows start on bar lines. */
export const DEFAULT_HOP_STEPS = 16;

function checkSteps(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be a whole number >= ${min}, got ${value}`);
}

/**
 * Steps `start` (inclusive) to `end` (exclusive) of a roll as a new roll; steps past the roll's end
 * are silent, so this also pads. A note sounding across `start` keeps no onset there: readers treat
 * the first step of a run as a note start anyway.
 */
export function sliceSteps(roll: PianoRoll, start: number, end: number): PianoRoll {
  checkSteps('start', start, 0);
  checkSteps('end', end, start);
  const out = createRoll(end - start, roll.tracks, {
    ...sameGrid(roll),
    withOnsets: roll.onsets !== null,
    withVelocities: roll.velocities !== null,
  });
  const stride = PITCHES * roll.tracks.length;
  const from = Math.min(start, roll.steps) * stride;
  const to = Math.min(end, roll.steps) * stride;
  out.active.set(roll.active.subarray(from, to));
  if (roll.onsets && out.onsets) out.onsets.set(roll.onsets.subarray(from, to));
  if (roll.velocities && out.velocities) out.velocities.set(roll.velocities.subarray(from, to));
  return out;
}

/**
 * Stacks rolls of equal length into one roll with all their tracks, in order (for example a melody
 * and its accompaniment). Grid and tempo come from the first roll; onsets and velocities are kept
 * where any roll has them (missing ones read as a note start at every run start and default velocity).
 */
export function stackTracks(rolls: PianoRoll[]): PianoRoll {
  if (rolls.length === 0) throw new RangeError('stackTracks needs at least one roll');
  const first = rolls[0];
  for (const r of rolls) {
    if (r.steps !== first.steps) throw new RangeError(`rolls to stack must have equal lengths, got ${first.steps} and ${r.steps} steps`);
  }
  const tracks = rolls.flatMap((r) => r.tracks);
  const out = createRoll(first.steps, tracks, {
    ...sameGrid(first),
    withOnsets: rolls.some((r) => r.onsets !== null),
    withVelocities: rolls.some((r) => r.velocities !== null),
  });
  const outTracks = tracks.length;
  let trackOffset = 0;
  for (const r of rolls) {
    const n = r.tracks.length;
    for (let cell = 0; cell < first.steps * PITCHES; cell++) {
      for (let t = 0; t < n; t++) {
        const src = cell * n + t;
        const dst = cell * outTracks + trackOffset + t;
        out.active[dst] = r.active[src];
        // A roll without onsets marks every run start as a note start, so its notes survive stacking.
        if (out.onsets) {
          const runStart = r.active[src] === 1 && (cell < PITCHES || r.active[src - PITCHES * n] === 0);
          out.onsets[dst] = r.onsets ? r.onsets[src] : runStart ? 1 : 0;
        }
        if (out.velocities && r.velocities) out.velocities[dst] = r.velocities[src];
      }
    }
    trackOffset += n;
  }
  return out;
}

/** Options for `buildTrainingWindows` and `rollsToTrainingWindows`. */
export interface TrainingWindowOptions {
  /** Steps between the starts of consecutive windows (default DEFAULT_HOP_STEPS, one bar of 4/4). */
  hopSteps?: number;
  /** Window length (default WINDOW_STEPS, the model's 2 bars). */
  windowSteps?: number;
  /** Take only each roll's first window. */
  firstWindowOnly?: boolean;
  /** Leave out windows whose melody (track 0) is silent throughout: there is nothing to accompany (default true). */
  skipSilentMelody?: boolean;
  /**
   * Augmentation: semitone shifts whose transposed copies are added to each roll's original key
   * (default none). A shift that would push a roll's notes off the keyboard (0-127) is skipped for that roll.
   */
  transpositions?: number[];
  /**
   * Per-track pitch ranges [lowest, highest] (MIDI, inclusive) that a transposed copy must keep: a shift
   * that moves any note of a track outside its range is skipped for that roll (default: the keyboard only).
   */
  trackRanges?: readonly (readonly [number, number])[];
  /** Names of the tracks, melody first (default: the first roll's track names). */
  trackNames?: string[];
}

/**
 * Where a roll's training windows start: step 0 and every `hopSteps` after, whole windows only,
 * except that a roll shorter than one window gives one window (padded with silence when packed).
 */
export function trainingWindowStarts(roll: PianoRoll, options: TrainingWindowOptions = {}): number[] {
  const hopSteps = options.hopSteps ?? DEFAULT_HOP_STEPS;
  const windowSteps = options.windowSteps ?? WINDOW_STEPS;
  checkSteps('hopSteps', hopSteps, 1);
  checkSteps('windowSteps', windowSteps, 1);
  if (roll.steps === 0) return [];
  const trackCount = roll.tracks.length;
  const stride = PITCHES * trackCount;
  const melodySounds = (start: number): boolean => {
    const end = Math.min(start + windowSteps, roll.steps) * stride;
    for (let i = start * stride; i < end; i += trackCount) if (roll.active[i]) return true;
    return false;
  };
  const starts: number[] = [];
  if (roll.steps < windowSteps) starts.push(0);
  for (let s = 0; s + windowSteps <= roll.steps; s += hopSteps) starts.push(s);
  const kept = (options.firstWindowOnly ? starts.slice(0, 1) : starts).filter(
    (s) => !(options.skipSilentMelody ?? true) || melodySounds(s),
  );
  return kept;
}

/**
 * The semitone shifts that keep every note of a roll on the keyboard, and each track inside its range where
 * `ranges` gives one: 0 first, then the asked ones.
 */
function usableShifts(roll: PianoRoll, transpositions: number[], ranges: readonly (readonly [number, number])[] = []): number[] {
  const shifts = [0];
  const n = roll.tracks.length;
  const lowest = new Array<number>(n).fill(PITCHES);
  const highest = new Array<number>(n).fill(-1);
  for (let i = 0; i < roll.active.length; i++) {
    if (!roll.active[i]) continue;
    const track = i % n;
    const pitch = Math.floor(i / n) % PITCHES;
    if (pitch < lowest[track]) lowest[track] = pitch;
    if (pitch > highest[track]) highest[track] = pitch;
  }
  const fits = (s: number) =>
    highest.every((high, track) => {
      if (high < 0 || roll.tracks[track].isDrum) return true;
      const [low, top] = ranges[track] ?? [0, PITCHES - 1];
      return lowest[track] + s >= Math.max(0, low) && high + s <= Math.min(PITCHES - 1, top);
    });
  for (const s of transpositions) {
    if (!Number.isInteger(s)) throw new RangeError(`transpositions must be whole semitones, got ${s}`);
    if (s === 0 || shifts.includes(s)) continue;
    if (fits(s)) shifts.push(s);
  }
  return shifts;
}

/** Writes one window of a roll, moved by `semitones` (drum tracks stay), as -1/+1 values at `offset` of `target`. */
function writeWindow(roll: PianoRoll, start: number, windowSteps: number, semitones: number, target: Int8Array, offset: number): void {
  const n = roll.tracks.length;
  const stride = PITCHES * n;
  target.fill(-1, offset, offset + windowSteps * stride);
  const src = roll.active.subarray(start * stride, Math.min(start + windowSteps, roll.steps) * stride);
  // Drum keys name instruments, not pitches: a drum track is never transposed.
  const shifts = roll.tracks.map((t) => (t.isDrum ? 0 : semitones * n));
  for (let i = 0; i < src.length; i++) if (src[i]) target[offset + i + shifts[i % n]] = 1;
}

/**
 * Packs training windows (values -1/+1, track 0 the melody) from `count` rolls that `rollAt` gives on
 * demand: it is called twice per roll (count, then fill), so a large data set never has to sit in
 * memory as rolls. Every roll needs the same number of tracks.
 */
export function buildTrainingWindows(
  count: number,
  rollAt: (index: number) => PianoRoll,
  options: TrainingWindowOptions = {},
): TrainingWindows {
  const windowSteps = options.windowSteps ?? WINDOW_STEPS;
  const transpositions = options.transpositions ?? [];
  let trackCount = options.trackNames?.length ?? -1;
  let trackNames = options.trackNames;
  const plan: Array<{ starts: number[]; shifts: number[] }> = [];
  let total = 0;
  for (let r = 0; r < count; r++) {
    const roll = rollAt(r);
    if (trackCount < 0) trackCount = roll.tracks.length;
    trackNames ??= roll.tracks.map((t) => t.name);
    if (roll.tracks.length !== trackCount)
      throw new RangeError(`every roll needs ${trackCount} tracks, got one with ${roll.tracks.length}`);
    const starts = trainingWindowStarts(roll, options);
    const shifts = starts.length > 0 ? usableShifts(roll, transpositions, options.trackRanges) : [];
    plan.push({ starts, shifts });
    total += starts.length * shifts.length;
  }
  trackCount = Math.max(trackCount, 0);
  const windowSize = windowSteps * PITCHES * trackCount;
  const data = new Int8Array(total * windowSize);
  let w = 0;
  for (let r = 0; r < count; r++) {
    const { starts, shifts } = plan[r];
    if (starts.length === 0) continue;
    const roll = rollAt(r);
    for (const semitones of shifts) {
      for (const start of starts) writeWindow(roll, start, windowSteps, semitones, data, windowSize * w++);
    }
  }
  return { count: total, steps: windowSteps, tracks: trackCount, data, trackNames: trackNames ?? [] };
}

/** `buildTrainingWindows` over rolls already in memory. */
export function rollsToTrainingWindows(rolls: PianoRoll[], options: TrainingWindowOptions = {}): TrainingWindows {
  return buildTrainingWindows(rolls.length, (i) => rolls[i], options);
}

/** Window `index` as a roll; `tracks` picks which tracks to keep (default all), in that order. */
export function windowToRoll(data: TrainingWindows, index: number, tracks?: number[]): PianoRoll {
  if (!Number.isInteger(index) || index < 0 || index >= data.count)
    throw new RangeError(`window index must be 0..${data.count - 1}, got ${index}`);
  const picked = tracks ?? data.trackNames.map((_, t) => t);
  const roll = createRoll(
    data.steps,
    picked.map((t) => ({ name: data.trackNames[t] ?? `track ${t + 1}`, program: 0, isDrum: false })),
    { withOnsets: false },
  );
  const base = index * data.steps * PITCHES * data.tracks;
  for (let cell = 0; cell < data.steps * PITCHES; cell++) {
    for (let k = 0; k < picked.length; k++) {
      if (data.data[base + cell * data.tracks + picked[k]] > 0) roll.active[cell * picked.length + k] = 1;
    }
  }
  return roll;
}

/** The melody tracks (track 0) of the first `limit` windows, as one-track rolls. */
export function windowMelodies(data: TrainingWindows, limit: number): PianoRoll[] {
  const count = Math.min(limit, data.count);
  return Array.from({ length: count }, (_, i) => windowToRoll(data, i, [0]));
}

/** Every window as a full roll. */
export function windowsToRolls(data: TrainingWindows): PianoRoll[] {
  return Array.from({ length: data.count }, (_, i) => windowToRoll(data, i));
}

/**
 * Locks on an accompaniment (infilling): which steps of which accompaniment track stay exactly as they are when the
 * rest is written again. One idea, as Coconet's mask: a cell (step, track) is locked or free; a locked cell keeps what
 * the roll holds there (its notes, or its silence), the free ones are written anew to fit them. Locking notes, a
 * voice or a range of bars, and writing a range of bars again (everything outside it locked) are the same lock with
 * other cells. Every function returns a new lock: the one handed in is never changed. Pure code.
 */
import { trackNotes, type Note } from './notes';
import { PITCHES, rollProblem, stepsPerBar, type PianoRoll } from './pianoRoll';

/** An accompaniment and the cells of it that are locked. */
export interface AccompanimentLock {
  /** The accompanied roll whose locked cells are kept: track 0 the melody, tracks 1.. the accompaniment. */
  roll: PianoRoll;
  /** 1 where accompaniment track `t + 1` is locked at a step: index `step * (roll.tracks.length - 1) + t`. */
  cells: Uint8Array;
}

/** Accompaniment tracks of a lock's roll (every track but the melody). */
export function lockTracks(lock: Pick<AccompanimentLock, 'roll'>): number {
  return lock.roll.tracks.length - 1;
}

/** A lock on `roll` with nothing locked. */
export function emptyLock(roll: PianoRoll): AccompanimentLock {
  return { roll, cells: new Uint8Array(roll.steps * Math.max(0, roll.tracks.length - 1)) };
}

/** The same locked cells over `roll` (an accompaniment written again, which keeps them). */
export function lockOnRoll(lock: AccompanimentLock, roll: PianoRoll): AccompanimentLock {
  if (roll.steps !== lock.roll.steps || roll.tracks.length !== lock.roll.tracks.length) return emptyLock(roll);
  return { roll, cells: lock.cells };
}

/** Whether roll track `track` (1..) is locked at `step`. */
export function isLocked(lock: AccompanimentLock, step: number, track: number): boolean {
  const tracks = lockTracks(lock);
  return track >= 1 && track <= tracks && step >= 0 && step < lock.roll.steps && lock.cells[step * tracks + track - 1] === 1;
}

/** How many cells are locked. */
export function lockedCellCount(lock: AccompanimentLock): number {
  let count = 0;
  for (const cell of lock.cells) count += cell;
  return count;
}

/** The notes of the accompaniment that are locked (locked at their first step), track by track (index 0: roll track 1). */
export function lockedNotes(lock: AccompanimentLock): Note[][] {
  const notes: Note[][] = [];
  for (let track = 1; track <= lockTracks(lock); track++)
    notes.push(trackNotes(lock.roll, track).filter((n) => isLocked(lock, n.startStep, track)));
  return notes;
}

/** How many notes of the accompaniment are locked. */
export function lockedNoteCount(lock: AccompanimentLock): number {
  return lockedNotes(lock).reduce((sum, notes) => sum + notes.length, 0);
}

/** Steps `from` (inclusive) to `to` (exclusive), kept on the roll. */
function span(lock: AccompanimentLock, from: number, to: number): [number, number] {
  return [Math.max(0, Math.floor(from)), Math.min(lock.roll.steps, Math.ceil(to))];
}

/**
 * The lock with steps `from`..`to` (exclusive) of roll tracks `tracks` (1..) set to `locked`; throws a RangeError for
 * a track the roll's accompaniment does not have.
 */
export function setLocked(lock: AccompanimentLock, tracks: readonly number[], from: number, to: number, locked = true): AccompanimentLock {
  const count = lockTracks(lock);
  for (const track of tracks)
    if (!Number.isInteger(track) || track < 1 || track > count)
      throw new RangeError(`track ${track} is not an accompaniment track: they are 1..${count}`);
  const cells = lock.cells.slice();
  const [first, last] = span(lock, from, to);
  for (let step = first; step < last; step++) for (const track of tracks) cells[step * count + track - 1] = locked ? 1 : 0;
  return { roll: lock.roll, cells };
}

/** Every roll track of the accompaniment: 1..n. */
export function accompanimentTracks(lock: Pick<AccompanimentLock, 'roll'>): number[] {
  return Array.from({ length: lockTracks(lock) }, (_, i) => i + 1);
}

/** The lock with the whole of roll track `track` (a voice) locked. */
export function lockVoice(lock: AccompanimentLock, track: number): AccompanimentLock {
  return setLocked(lock, [track], 0, lock.roll.steps);
}

/** Steps of bars `fromBar`..`toBar` (1-based, inclusive) of `roll`: [first, end). Throws a RangeError for bars off the piece. */
export function barSteps(
  roll: Pick<PianoRoll, 'steps' | 'stepsPerBeat' | 'beatsPerBar'>,
  fromBar: number,
  toBar: number,
): [number, number] {
  const barLength = stepsPerBar(roll);
  const bars = Math.ceil(roll.steps / barLength);
  if (!Number.isInteger(fromBar) || !Number.isInteger(toBar) || fromBar < 1 || toBar < fromBar || toBar > bars)
    throw new RangeError(`bars ${fromBar}–${toBar} are not a range of this piece's bars 1–${bars}`);
  return [(fromBar - 1) * barLength, Math.min(roll.steps, toBar * barLength)];
}

/** The lock with bars `fromBar`..`toBar` (1-based, inclusive) of every accompaniment track locked. */
export function lockBars(lock: AccompanimentLock, fromBar: number, toBar: number): AccompanimentLock {
  const [first, end] = barSteps(lock.roll, fromBar, toBar);
  return setLocked(lock, accompanimentTracks(lock), first, end);
}

/**
 * A lock for writing bars `fromBar`..`toBar` again: everything outside them locked, and inside them what `lock` (if
 * given) locks, so the bars around stay as they are and the new bars join them.
 */
export function lockOutsideBars(
  roll: PianoRoll,
  fromBar: number,
  toBar: number,
  lock: AccompanimentLock = emptyLock(roll),
): AccompanimentLock {
  const [first, end] = barSteps(roll, fromBar, toBar);
  const all = accompanimentTracks(lock);
  return setLocked(setLocked(lock, all, 0, first), all, end, roll.steps);
}

/**
 * A lock of the notes of `roll`'s accompaniment only: each track locked where it sounds, free where it is silent
 * (what `npm run accompany -- --keep FILE` keeps of a file).
 */
export function lockSoundingNotes(roll: PianoRoll): AccompanimentLock {
  const tracks = roll.tracks.length;
  const lock = emptyLock(roll);
  const count = lockTracks(lock);
  for (let step = 0; step < roll.steps; step++)
    for (let p = 0; p < PITCHES; p++)
      for (let t = 1; t < tracks; t++) if (roll.active[(step * PITCHES + p) * tracks + t]) lock.cells[step * count + t - 1] = 1;
  return lock;
}

/**
 * What keeps `lock` from fitting an accompaniment of `voices` tracks (default: as many as it has) under `melody`, in
 * words for the user, or null when it fits: a roll of the melody's length and grid, with one track per accompaniment
 * track after the melody, and a cell per step and accompaniment track.
 */
export function lockProblem(
  lock: AccompanimentLock,
  melody: Pick<PianoRoll, 'steps' | 'stepsPerBeat'>,
  voices: number = (lock?.roll?.tracks?.length ?? 1) - 1,
): string | null {
  if (!lock || typeof lock !== 'object' || !lock.roll || rollProblem(lock.roll) !== null)
    return 'the locked accompaniment is not a piano roll';
  const { roll } = lock;
  if (roll.stepsPerBeat !== melody.stepsPerBeat)
    return `the locked accompaniment has ${roll.stepsPerBeat} steps per beat, the melody ${melody.stepsPerBeat}`;
  if (roll.steps !== melody.steps)
    return `the locked accompaniment is ${roll.steps} steps long and the melody ${melody.steps}: lock notes of an accompaniment of this melody`;
  if (roll.tracks.length - 1 !== voices || voices < 1)
    return `the locked accompaniment has ${roll.tracks.length - 1} track${roll.tracks.length === 2 ? '' : 's'} after the melody; the model writes ${voices}`;
  if (!(lock.cells instanceof Uint8Array) || lock.cells.length !== roll.steps * voices)
    return `the lock's cells should number ${roll.steps * voices} (steps x tracks), not ${lock.cells instanceof Uint8Array ? lock.cells.length : 'none'}`;
  return null;
}

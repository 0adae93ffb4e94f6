/**
 * Infilling: what the generation stages do with a lock (src/music/locks.ts), the accompaniment cells the user fixed.
 * The pipeline checks the lock against the melody once; the decoding reads it in the model's register (the chorale
 * decoding as one fixed candidate per locked voice and slot, the other decodings by keeping the locked cells); the
 * placement copies the locked cells back exactly as the user had them.
 */
import { lockProblem, type AccompanimentLock } from '../../music/locks';
import { ACCOMPANIMENT_TRACKS, PITCHES, type PianoRoll } from '../../music/pianoRoll';
import { GenerationOptionsError } from '../../protocol/generation';
import { FREE } from '../decode';
import { type Candidate, type ModelMelody } from './types';

/** A lock in the model's register, as the decoding reads it. */
export interface ModelLock {
  /** 1 where voice v is locked at a step: `step * ACCOMPANIMENT_TRACKS + v`. */
  locked: Uint8Array;
  /** The locked voices' sounding cells in the model's register, `(step * 128 + q) * ACCOMPANIMENT_TRACKS + v`; 0 where not locked. */
  cells: Uint8Array;
}

/** Throws GenerationOptionsError (field "lock") where `lock` does not fit an accompaniment of `melody`. */
export function checkLock(lock: AccompanimentLock, melody: Pick<PianoRoll, 'steps' | 'stepsPerBeat'>): void {
  const problem = lockProblem(lock, melody, ACCOMPANIMENT_TRACKS);
  if (problem) throw new GenerationOptionsError([{ field: 'lock', message: problem }]);
}

/** `lock` in the model's register of `input` (moved by its octave shift, a drum track's keys as they are; `drums[v]`). */
export function intoModelLock(lock: AccompanimentLock, input: ModelMelody, drums: readonly boolean[] = []): ModelLock {
  const { roll } = lock;
  const tracks = roll.tracks.length;
  const steps = roll.steps;
  const locked = lock.cells.slice();
  const cells = new Uint8Array(steps * PITCHES * ACCOMPANIMENT_TRACKS);
  for (let step = 0; step < steps; step++) {
    for (let v = 0; v < ACCOMPANIMENT_TRACKS; v++) {
      if (!locked[step * ACCOMPANIMENT_TRACKS + v]) continue;
      const move = drums[v] ? 0 : input.shift;
      for (let p = 0; p < PITCHES; p++) {
        const q = p + move;
        if (q >= 0 && q < PITCHES && roll.active[(step * PITCHES + p) * tracks + v + 1])
          cells[(step * PITCHES + q) * ACCOMPANIMENT_TRACKS + v] = 1;
      }
    }
  }
  return { locked, cells };
}

/** Per voice, per step: the highest locked pitch, -1 where the voice is locked silent, FREE where it is not locked. */
export function fixedLines(lock: ModelLock, steps: number): Int16Array[] {
  return Array.from({ length: ACCOMPANIMENT_TRACKS }, (_, v) => {
    const line = new Int16Array(steps).fill(FREE);
    for (let step = 0; step < steps; step++) {
      if (!lock.locked[step * ACCOMPANIMENT_TRACKS + v]) continue;
      line[step] = -1;
      for (let q = PITCHES - 1; q >= 0; q--) {
        if (lock.cells[(step * PITCHES + q) * ACCOMPANIMENT_TRACKS + v]) {
          line[step] = q;
          break;
        }
      }
    }
    return line;
  });
}

/** `candidate` with its locked cells replaced by the lock's (the rest as decoded); a new candidate. */
export function keepLocked(candidate: Candidate, lock: ModelLock): Candidate {
  const voices = candidate.voices.slice();
  const onsets = candidate.onsets?.slice();
  const steps = lock.locked.length / ACCOMPANIMENT_TRACKS;
  for (let step = 0; step < steps; step++) {
    for (let v = 0; v < ACCOMPANIMENT_TRACKS; v++) {
      if (!lock.locked[step * ACCOMPANIMENT_TRACKS + v]) continue;
      for (let q = 0; q < PITCHES; q++) {
        const cell = (step * PITCHES + q) * ACCOMPANIMENT_TRACKS + v;
        voices[cell] = lock.cells[cell];
        if (onsets) onsets[cell] = 0;
      }
    }
  }
  return onsets ? { seed: candidate.seed, voices, onsets } : { seed: candidate.seed, voices };
}

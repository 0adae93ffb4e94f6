/**
 * Measures of the voices as lines: do they keep singing under the melody, one note at a time, in their ranges
 * and in order, and do they move like singers (no parallel fifths or octaves, small steps)? Voices are passed
 * top down where their order matters.
 */
import { isParallelMotion } from '../intervals';
import { inVoiceRange, type Voice } from '../voices';
import { tally, type Tally, type TrackAnalysis } from './analysis';

/** Voice rests: count = (step, voice) pairs at steps where the melody sounds, sum = those where the voice is silent. */
export function voiceRests(melody: TrackAnalysis, voices: readonly TrackAnalysis[], into: Tally = tally()): Tally {
  for (let step = 0; step < melody.sounding.length; step++) {
    if (melody.sounding[step] === 0) continue;
    for (const voice of voices) {
      into.count++;
      if (voice.sounding[step] === 0) into.sum++;
    }
  }
  return into;
}

/** Polyphony of a track: count = its steps, sum = those where 2 or more pitches sound in it. */
export function polyphonicSteps(track: TrackAnalysis, into: Tally = tally()): Tally {
  into.count += track.sounding.length;
  for (const sounding of track.sounding) if (sounding >= 2) into.sum++;
  return into;
}

/**
 * Parallel fifths and octaves between every pair of `voices` (`isParallelMotion`): consecutive steps where both
 * voices of a pair sound, move the same way and keep the same perfect interval.
 */
export function parallelCount(voices: readonly TrackAnalysis[]): number {
  let count = 0;
  for (let i = 0; i < voices.length; i++) {
    for (let j = i + 1; j < voices.length; j++) {
      const upper = voices[i].top;
      const lower = voices[j].top;
      for (let step = 1; step < upper.length; step++) {
        const [a0, a1, b0, b1] = [upper[step - 1], upper[step], lower[step - 1], lower[step]];
        if (a0 >= 0 && a1 >= 0 && b0 >= 0 && b1 >= 0 && isParallelMotion(a0, a1, b0, b1)) count++;
      }
    }
  }
  return count;
}

/**
 * Steps judged by adjacent pairs of voices (given top down), the first `pairs` pairs: count = steps where some
 * such pair both sound, sum = those where `fault(upper, lower)` holds for one of them.
 */
function adjacentPairSteps(
  voices: readonly TrackAnalysis[],
  pairs: number,
  fault: (upper: number, lower: number) => boolean,
  into: Tally,
): Tally {
  const steps = voices[0]?.top.length ?? 0;
  for (let step = 0; step < steps; step++) {
    let measurable = false;
    let faulty = false;
    for (let upper = 0; upper < pairs; upper++) {
      const high = voices[upper].top[step];
      const low = voices[upper + 1].top[step];
      if (high < 0 || low < 0) continue;
      measurable = true;
      if (fault(high, low)) faulty = true;
    }
    if (measurable) into.count++;
    if (faulty) into.sum++;
  }
  return into;
}

/** Crossings of voices given top down: steps where, in some adjacent pair, the lower voice is strictly above the upper one. */
export function crossings(voices: readonly TrackAnalysis[], into: Tally = tally()): Tally {
  return adjacentPairSteps(voices, voices.length - 1, (high, low) => low > high, into);
}

/** Wide spacing of voices given top down, the bass last: steps where an adjacent pair above the bass lies more than an octave apart. */
export function wideSpacing(voices: readonly TrackAnalysis[], into: Tally = tally()): Tally {
  return adjacentPairSteps(voices, voices.length - 2, (high, low) => high - low > 12, into);
}

/** Mean absolute interval between successive notes (by start step) of one voice; NaN with fewer than two notes. */
export function meanLeap(voice: TrackAnalysis): number {
  const notes = [...voice.notes].sort((x, y) => x.startStep - y.startStep || y.pitch - x.pitch);
  if (notes.length < 2) return NaN;
  let sum = 0;
  for (let i = 1; i < notes.length; i++) sum += Math.abs(notes[i].pitch - notes[i - 1].pitch);
  return sum / (notes.length - 1);
}

/** Notes in range: count = the notes of each track, sum = those inside the range of the voice it sings. */
export function notesInRange(tracks: readonly TrackAnalysis[], voices: readonly Voice[], into: Tally = tally()): Tally {
  tracks.forEach((track, i) => {
    for (const note of track.notes) {
      into.count++;
      if (inVoiceRange(voices[i], note.pitch)) into.sum++;
    }
  });
  return into;
}

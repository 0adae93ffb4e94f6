/**
 * Measures of harmony: chords on the beats, consonance with the melody (two readings, both reported), notes in
 * the key, the pitch classes a bar uses, tonal distance, and agreement with Bach's harmony.
 */
import { bitCount, isChordMask } from '../chords';
import { CONSONANT_MASK, intervalClass, isConsonant } from '../intervals';
import { estimateKey, type Key } from '../keys';
import { PITCHES, stepsPerBar, type PianoRoll } from '../pianoRoll';
import { analyzeRoll, meanOf, tally, type Tally, type TrackAnalysis } from './analysis';

/**
 * Chords on the beats: count = beats (their first step) where every one of `voices` sounds, sum = those whose
 * pitch classes (all sounding pitches of all voices) `isChordMask` accepts: a triad or seventh chord, complete
 * or with its third and its root or fifth. A unison or a bare fifth is not one.
 */
export function chordBeats(
  roll: Pick<PianoRoll, 'steps' | 'stepsPerBeat'>,
  voices: readonly TrackAnalysis[],
  into: Tally = tally(),
): Tally {
  for (let step = 0; step < roll.steps; step += roll.stepsPerBeat) {
    let mask = 0;
    let all = true;
    for (const voice of voices) {
      if (voice.sounding[step] === 0) all = false;
      mask |= voice.pcMask[step];
    }
    if (!all) continue;
    into.count++;
    if (isChordMask(mask)) into.sum++;
  }
  return into;
}

/**
 * Consonance on the beats (the listener's reading): count = (beat, voice) pairs where the melody and the voice
 * both sound at the beat's first step, sum = those consonant with the melody's top pitch (`isConsonant`),
 * where every voice but the last (the bass) sounds above the bass, so a 4th there is consonant.
 */
export function beatConsonance(
  roll: Pick<PianoRoll, 'steps' | 'stepsPerBeat'>,
  melody: TrackAnalysis,
  voices: readonly TrackAnalysis[],
  into: Tally = tally(),
): Tally {
  for (let step = 0; step < roll.steps; step += roll.stepsPerBeat) {
    const top = melody.top[step];
    if (top < 0) continue;
    voices.forEach((voice, v) => {
      const pitch = voice.top[step];
      if (pitch < 0) return;
      into.count++;
      if (isConsonant(top, pitch, v < voices.length - 1)) into.sum++;
    });
  }
  return into;
}

/**
 * Consonance of every cell (the older, stricter reading): count = sounding cells (step, pitch) of `tracks` at
 * steps where the melody sounds, sum = those whose interval class with the melody's top pitch is in
 * CONSONANT_INTERVALS, the 4th never.
 */
export function cellConsonance(roll: PianoRoll, melodyTop: Int16Array, tracks: readonly number[], into: Tally = tally()): Tally {
  const trackCount = roll.tracks.length;
  for (let step = 0; step < roll.steps; step++) {
    const melody = melodyTop[step];
    if (melody < 0) continue;
    for (let pitch = 0; pitch < PITCHES; pitch++) {
      const base = (step * PITCHES + pitch) * trackCount;
      const consonant = (CONSONANT_MASK & (1 << intervalClass(pitch, melody))) !== 0;
      for (const track of tracks) {
        if (!roll.active[base + track]) continue;
        into.count++;
        if (consonant) into.sum++;
      }
    }
  }
  return into;
}

/** The cell consonance of a roll's other tracks against its melody track (default 0), as one number. */
export function cellConsonanceRate(roll: PianoRoll, melodyTrack = 0): number {
  const melody = analyzeRoll(roll)[melodyTrack];
  const others = roll.tracks.map((_, t) => t).filter((t) => t !== melodyTrack);
  return meanOf(cellConsonance(roll, melody.top, others));
}

/** Key fit: count = the notes of `tracks`, sum = those whose pitch class is in `keyMask`; nothing without a key. */
export function notesInKey(tracks: readonly TrackAnalysis[], keyMask: number | null, into: Tally = tally()): Tally {
  if (keyMask === null) return into;
  for (const track of tracks) {
    for (const note of track.notes) {
      into.count++;
      if (keyMask & (1 << (note.pitch % 12))) into.sum++;
    }
  }
  return into;
}

/** The key of a roll's whole pitch-class histogram (all tracks), from its analysis. */
export function keyOfAnalyses(analyses: readonly TrackAnalysis[]): Key | null {
  const histogram = new Float64Array(12);
  for (const a of analyses) for (let i = 0; i < a.chroma.length; i++) histogram[i % 12] += a.chroma[i];
  return estimateKey(histogram)?.key ?? null;
}

/** Pitch classes per bar of a track: count = its bars with a note, sum = their distinct pitch classes. */
export function pitchClassesPerBar(roll: PianoRoll, track: TrackAnalysis, into: Tally = tally()): Tally {
  const barLength = stepsPerBar(roll);
  for (let barStart = 0; barStart < roll.steps; barStart += barLength) {
    let mask = 0;
    const barEnd = Math.min(roll.steps, barStart + barLength);
    for (let step = barStart; step < barEnd; step++) mask |= track.pcMask[step];
    if (mask === 0) continue;
    into.count++;
    into.sum += bitCount(mask);
  }
  return into;
}

// Harte, Sandler & Gasser (2006): the 12 pitch classes on the circle of fifths, the circle of minor
// thirds and the circle of major thirds, with radii 1, 1 and 0.5.
const CENTROID_ANGLES = [(7 * Math.PI) / 6, (3 * Math.PI) / 2, (2 * Math.PI) / 3];
const CENTROID_RADII = [1, 1, 0.5];
const CENTROID_BASIS: Float64Array = (() => {
  const basis = new Float64Array(6 * 12);
  for (let circle = 0; circle < 3; circle++) {
    for (let pc = 0; pc < 12; pc++) {
      basis[2 * circle * 12 + pc] = CENTROID_RADII[circle] * Math.sin(pc * CENTROID_ANGLES[circle]);
      basis[(2 * circle + 1) * 12 + pc] = CENTROID_RADII[circle] * Math.cos(pc * CENTROID_ANGLES[circle]);
    }
  }
  return basis;
})();

/**
 * The 6-d tonal centroid (Harte et al. 2006) of a 12-bin chroma vector: its L1-normalised projection on the
 * circles of fifths, minor thirds and major thirds. All zeros for silent chroma.
 */
export function tonalCentroid(chroma: ArrayLike<number>, offset = 0): Float64Array {
  const centroid = new Float64Array(6);
  let total = 0;
  for (let pc = 0; pc < 12; pc++) total += chroma[offset + pc];
  if (total === 0) return centroid;
  for (let d = 0; d < 6; d++) {
    let sum = 0;
    for (let pc = 0; pc < 12; pc++) sum += CENTROID_BASIS[d * 12 + pc] * chroma[offset + pc];
    centroid[d] = sum / total;
  }
  return centroid;
}

/** Per-beat chroma (beats x 12) of a track: active cells of each pitch class summed over the beat's steps. */
export function beatChroma(roll: Pick<PianoRoll, 'steps' | 'stepsPerBeat'>, track: TrackAnalysis): Float64Array {
  const beats = Math.ceil(roll.steps / roll.stepsPerBeat);
  const chroma = new Float64Array(beats * 12);
  for (let step = 0; step < roll.steps; step++) {
    const beat = Math.floor(step / roll.stepsPerBeat);
    for (let pc = 0; pc < 12; pc++) chroma[beat * 12 + pc] += track.chroma[step * 12 + pc];
  }
  return chroma;
}

function hasSound(chroma: Float64Array, beat: number): boolean {
  for (let pc = 0; pc < 12; pc++) if (chroma[beat * 12 + pc] > 0) return true;
  return false;
}

/**
 * Tonal distance of two tracks' per-beat chroma (`beatChroma`): count = beats where both sound, sum = the
 * Euclidean distances of their tonal centroids there.
 */
export function tonalDistances(melodyChroma: Float64Array, trackChroma: Float64Array, into: Tally = tally()): Tally {
  const beats = melodyChroma.length / 12;
  for (let beat = 0; beat < beats; beat++) {
    if (!hasSound(melodyChroma, beat) || !hasSound(trackChroma, beat)) continue;
    const m = tonalCentroid(melodyChroma, beat * 12);
    const t = tonalCentroid(trackChroma, beat * 12);
    let sumSquares = 0;
    for (let d = 0; d < 6; d++) sumSquares += (m[d] - t[d]) ** 2;
    into.count++;
    into.sum += Math.sqrt(sumSquares);
  }
  return into;
}

/**
 * Harmony agreement with Bach: over the beats where Bach's four voices all sound, the share where the pitch
 * classes sounding in the system's roll (every track) are exactly those of Bach's voices. NaN for a chorale
 * without such a beat.
 */
export function harmonyAgreement(bach: PianoRoll, system: PianoRoll): number {
  if (bach.steps !== system.steps) throw new RangeError(`the rolls differ in length: ${bach.steps} and ${system.steps} steps`);
  if (bach.tracks.length < 4) throw new RangeError(`Bach's roll needs four voices, got ${bach.tracks.length} track(s)`);
  const voices = analyzeRoll(bach).slice(0, 4);
  const heard = analyzeRoll(system);
  const agreement = tally();
  for (let step = 0; step < bach.steps; step += bach.stepsPerBeat) {
    let bachMask = 0;
    let full = true;
    for (const voice of voices) {
      if (voice.top[step] < 0) full = false;
      else bachMask |= 1 << (voice.top[step] % 12);
    }
    if (!full) continue;
    agreement.count++;
    let systemMask = 0;
    for (const track of heard) systemMask |= track.pcMask[step];
    if (systemMask === bachMask) agreement.sum++;
  }
  return meanOf(agreement);
}

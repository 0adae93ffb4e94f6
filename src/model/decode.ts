/**
 * Chorale decoding: turns the generator's per-voice pitch scores into alto, tenor and bass lines that a
 * listener hears as harmony. The three voices are decoded together, one 8th note (a "slot") at a time, by
 * a Viterbi pass over voice triples:
 * - each voice's candidates in a slot are its few best-scoring pitches inside its range;
 * - a triple earns the network's log-probabilities of its three pitches, a bonus when the four voices
 *   (melody included) form a chord, and costs for dissonance against the melody, notes outside the
 *   piece's key, voice crossing and wide spacing;
 * - moving from one triple to the next costs a little per voice that changes pitch, more per semitone of a
 *   leap, and a lot for parallel fifths or octaves between any two voices.
 * Wherever the melody sounds, every voice sounds (a rest only where the melody rests for a whole slot), so
 * the accompaniment never drops out; notes last at least a slot. Pure code: no tensors.
 */
import { isChordMask } from '../music/chords';
import { isParallelMotion } from '../music/metrics';
import { estimateKey, scaleMask, type Key } from '../music/keys';
import { PITCHES } from '../music/pianoRoll';

/** Pitch ranges (MIDI, inclusive) of alto, tenor and bass in the model's register (the chorales' ranges). */
export const DECODE_VOICE_RANGES: readonly (readonly [number, number])[] = [
  [52, 74],
  [46, 69],
  [36, 66],
];

/** The weights of the decoding; every cost and bonus is in nats of the network's log-probabilities. */
export interface ChoraleDecodeOptions {
  /** Steps per slot, the shortest note (default 2: an 8th note on the 16th-note grid). */
  slotSteps: number;
  /** Candidate pitches per voice and slot (default 5; the search looks at candidates^3 triples). */
  candidates: number;
  /** Bonus when melody and voices form a chord at a beat, and between beats. */
  chordBonus: number;
  offbeatChordBonus: number;
  /** Cost of each voice dissonant with the melody at a beat (2nds, 7ths, tritones; a 4th against the bass). */
  dissonanceCost: number;
  /** Cost of each note outside the piece's key (Bach's chromatic notes are rare, not absent). */
  outOfKeyCost: number;
  /**
   * Cost of a voice changing pitch (negative: a small reward), and per semitone of a leap beyond a whole tone
   * (bass: `bassLeapCost`, as basses leap more).
   */
  changeCost: number;
  leapCost: number;
  bassLeapCost: number;
  /** Cost of a parallel fifth or octave between any two voices, melody included. */
  parallelCost: number;
  /**
   * Cost per pair of neighbouring voices out of order, used only in a slot where no candidate triple is in
   * order (elsewhere crossing is ruled out).
   */
  crossingCost: number;
  /** Cost per upper pair (melody-alto, alto-tenor) more than an octave apart. */
  spacingCost: number;
}

/**
 * The weights the page, `npm run accompany` and `npm run evaluate` use. Chosen on the valid split's
 * melodies and checked on melodies of other kinds (see models/default/README.md): the network's scores change
 * slowly from step to step, so a small reward for moving (a negative change cost) brings note lengths to
 * Bach's, and a firm leap cost keeps the inner voices stepwise, as his are.
 */
export const DEFAULT_DECODE_OPTIONS: ChoraleDecodeOptions = {
  slotSteps: 2,
  candidates: 5,
  chordBonus: 2.5,
  offbeatChordBonus: 0.5,
  dissonanceCost: 0.3,
  outOfKeyCost: 1.5,
  changeCost: -0.1,
  leapCost: 0.5,
  bassLeapCost: 0.15,
  parallelCost: 4,
  crossingCost: 4,
  spacingCost: 1,
};

/** Intervals to the melody (mod 12) heard as consonant for an upper voice (4th included) and for the bass. */
const UPPER_CONSONANT = (1 << 0) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9);
const BASS_CONSONANT = UPPER_CONSONANT & ~(1 << 5);

const VOICES = 3;

/**
 * Per step and voice, the log-softmax over the 128 pitches of `scale` x the raw tanh scores: the same
 * pitch distribution the generator's voice term trains.
 */
function logProbabilities(scores: Float32Array, steps: number, tracks: number, scale: number): Float32Array {
  const out = new Float32Array(steps * VOICES * PITCHES);
  for (let step = 0; step < steps; step++) {
    for (let v = 0; v < VOICES; v++) {
      let max = -Infinity;
      for (let p = 0; p < PITCHES; p++) max = Math.max(max, scale * scores[(step * PITCHES + p) * tracks + v + 1]);
      let sum = 0;
      for (let p = 0; p < PITCHES; p++) sum += Math.exp(scale * scores[(step * PITCHES + p) * tracks + v + 1] - max);
      const logSum = max + Math.log(sum);
      const base = (step * VOICES + v) * PITCHES;
      for (let p = 0; p < PITCHES; p++) out[base + p] = scale * scores[(step * PITCHES + p) * tracks + v + 1] - logSum;
    }
  }
  return out;
}

/**
 * The pitch-class histogram the network expects of its voices: per voice and step where the melody sounds,
 * its pitch distribution summed into pitch classes, summed over steps and voices.
 */
export function voiceChroma(logp: Float32Array, steps: number, melodyTop: Int16Array): Float64Array {
  const chroma = new Float64Array(12);
  for (let step = 0; step < steps; step++) {
    if (melodyTop[step] < 0) continue;
    for (let v = 0; v < VOICES; v++) {
      const base = (step * VOICES + v) * PITCHES;
      for (let p = 0; p < PITCHES; p++) chroma[p % 12] += Math.exp(logp[base + p]);
    }
  }
  return chroma;
}

/**
 * The key of the piece as heard from the melody and the voices the network proposes, each weighing half: a
 * melody alone often cannot tell a minor key from its relative major (the leading tone is in the other
 * voices), and a key that is off by that makes the key cost fight the harmony.
 */
function pieceKey(melodyChroma: ArrayLike<number>, logp: Float32Array, steps: number, melodyTop: Int16Array): Key | null {
  const voices = voiceChroma(logp, steps, melodyTop);
  let melodyTotal = 0;
  let voiceTotal = 0;
  for (let pc = 0; pc < 12; pc++) {
    melodyTotal += melodyChroma[pc];
    voiceTotal += voices[pc];
  }
  const histogram = new Float64Array(12);
  for (let pc = 0; pc < 12; pc++) {
    histogram[pc] = (melodyTotal > 0 ? melodyChroma[pc] / melodyTotal : 0) + (voiceTotal > 0 ? voices[pc] / voiceTotal : 0);
  }
  return estimateKey(histogram)?.key ?? null;
}

/**
 * Decodes alto, tenor and bass from `scores` ([steps, 128, tracks] raw tanh outputs, tracks 1..3 the
 * voices) under `melodyTop` (the melody's highest sounding pitch per step in the same register, -1 when
 * silent). Returns one Int16Array per voice with the pitch sounding at each step, -1 for a rest.
 * `logitScale` turns scores into logits. The key is `key` where given (null: no key cost); else it is
 * estimated from `melodyChroma` (the melody's duration-weighted pitch-class histogram) together with the
 * pitch classes the network expects of its voices (see `voiceChroma`).
 */
export function decodeChorale(
  scores: Float32Array,
  melodyTop: Int16Array,
  options: {
    tracks: number;
    stepsPerBeat: number;
    key?: Key | null;
    melodyChroma?: ArrayLike<number>;
    logitScale: number;
    weights?: Partial<ChoraleDecodeOptions>;
  },
): Int16Array[] {
  const w: ChoraleDecodeOptions = { ...DEFAULT_DECODE_OPTIONS, ...options.weights };
  const steps = melodyTop.length;
  if (scores.length !== steps * PITCHES * options.tracks) {
    throw new RangeError(
      `scores for ${steps} steps of ${options.tracks} tracks need ${steps * PITCHES * options.tracks} values, got ${scores.length}`,
    );
  }
  if (!Number.isInteger(w.slotSteps) || w.slotSteps < 1) throw new RangeError(`slotSteps must be a whole number >= 1, got ${w.slotSteps}`);
  if (!Number.isInteger(w.candidates) || w.candidates < 1)
    throw new RangeError(`candidates must be a whole number >= 1, got ${w.candidates}`);
  const logp = logProbabilities(scores, steps, options.tracks, options.logitScale);
  const key = options.key !== undefined ? options.key : pieceKey(options.melodyChroma ?? new Float64Array(12), logp, steps, melodyTop);
  const keyMask = key ? scaleMask(key) : 0xfff;
  const slots = Math.ceil(steps / w.slotSteps);
  const K = w.candidates;
  const S = K * K * K;

  // The melody pitch each slot is voiced against (its first sounding step's), and the one it ends on (which
  // the next slot's motion is heard against, for parallels); -1 for a silent slot.
  const melodyAt = new Int16Array(slots).fill(-1);
  const melodyEnd = new Int16Array(slots).fill(-1);
  for (let s = 0; s < slots; s++) {
    for (let step = s * w.slotSteps; step < Math.min(steps, (s + 1) * w.slotSteps); step++) {
      if (melodyTop[step] < 0) continue;
      if (melodyAt[s] < 0) melodyAt[s] = melodyTop[step];
      melodyEnd[s] = melodyTop[step];
    }
  }

  // Per slot: each voice's K candidate pitches and their mean log-probabilities over the slot. Each voice's
  // candidates lie at or below the highest candidate of the voice above (the melody for the alto), so an
  // in-order triple always exists; only where that leaves a voice no pitch in its range (a melody note
  // below the alto's range) does the voice take its best pitches in range and cross, at a cost.
  const candidate = new Int16Array(slots * VOICES * K).fill(-1);
  const candidateScore = new Float32Array(slots * VOICES * K).fill(-Infinity);
  const mean = new Float32Array(PITCHES);
  for (let s = 0; s < slots; s++) {
    if (melodyAt[s] < 0) continue;
    const first = s * w.slotSteps;
    const last = Math.min(steps, first + w.slotSteps);
    let ceiling = melodyAt[s];
    for (let v = 0; v < VOICES; v++) {
      mean.fill(0);
      for (let step = first; step < last; step++) {
        const base = (step * VOICES + v) * PITCHES;
        for (let p = 0; p < PITCHES; p++) mean[p] += logp[base + p] / (last - first);
      }
      const [low, high] = DECODE_VOICE_RANGES[v];
      const top = Math.min(high, ceiling) >= low ? Math.min(high, ceiling) : high;
      const order: number[] = [];
      for (let p = low; p <= top; p++) order.push(p);
      order.sort((x, y) => mean[y] - mean[x]);
      ceiling = -1;
      for (let k = 0; k < K && k < order.length; k++) {
        candidate[(s * VOICES + v) * K + k] = order[k];
        candidateScore[(s * VOICES + v) * K + k] = mean[order[k]];
        ceiling = Math.max(ceiling, order[k]);
      }
    }
  }

  const stateA = new Int16Array(S);
  const stateT = new Int16Array(S);
  const stateB = new Int16Array(S);
  const emission = new Float32Array(S);
  const crossings = new Uint8Array(S);
  const fillStates = (s: number) => {
    const m = melodyAt[s];
    const onBeat = (s * w.slotSteps) % options.stepsPerBeat === 0;
    const base = s * VOICES * K;
    let ordered = false;
    for (let i = 0, j = 0; i < K; i++) {
      for (let k = 0; k < K; k++) {
        for (let l = 0; l < K; l++, j++) {
          const a = candidate[base + i];
          const t = candidate[base + K + k];
          const b = candidate[base + 2 * K + l];
          stateA[j] = a;
          stateT[j] = t;
          stateB[j] = b;
          if (a < 0 || t < 0 || b < 0) {
            emission[j] = -Infinity;
            crossings[j] = 0;
            continue;
          }
          let e = candidateScore[base + i] + candidateScore[base + K + k] + candidateScore[base + 2 * K + l];
          const mask = (1 << (m % 12)) | (1 << (a % 12)) | (1 << (t % 12)) | (1 << (b % 12));
          if (isChordMask(mask)) e += onBeat ? w.chordBonus : w.offbeatChordBonus;
          if (onBeat) {
            if (!(UPPER_CONSONANT & (1 << (Math.abs(m - a) % 12)))) e -= w.dissonanceCost;
            if (!(UPPER_CONSONANT & (1 << (Math.abs(m - t) % 12)))) e -= w.dissonanceCost;
            if (!(BASS_CONSONANT & (1 << (Math.abs(m - b) % 12)))) e -= w.dissonanceCost;
          }
          for (const p of [a, t, b]) if (!(keyMask & (1 << (p % 12)))) e -= w.outOfKeyCost;
          if (m - a > 12) e -= w.spacingCost;
          if (a - t > 12) e -= w.spacingCost;
          crossings[j] = (a > m ? 1 : 0) + (t > a ? 1 : 0) + (b > t ? 1 : 0);
          if (crossings[j] === 0) ordered = true;
          emission[j] = e;
        }
      }
    }
    // Voices stay in order (melody >= alto >= tenor >= bass) wherever the candidates allow it; only a
    // slot where no candidate triple is in order (a melody note below the alto's range) lets them cross, at a cost.
    for (let j = 0; j < S; j++) {
      if (!crossings[j]) continue;
      emission[j] = ordered ? -Infinity : emission[j] - w.crossingCost * crossings[j];
    }
  };

  const voices = [0, 1, 2].map(() => new Int16Array(steps).fill(-1));
  const back = new Int32Array(slots * S);
  let dp = new Float64Array(S);
  let next = new Float64Array(S);
  let prevA = new Int16Array(S);
  let prevT = new Int16Array(S);
  let prevB = new Int16Array(S);
  const moveCost = (from: number, to: number, leap: number) => {
    if (from === to) return 0;
    const size = Math.abs(to - from);
    return w.changeCost + leap * Math.max(0, size - 2);
  };

  // Each run of slots where the melody sounds is decoded on its own; voices rest where it rests.
  let s = 0;
  while (s < slots) {
    if (melodyAt[s] < 0) {
      s++;
      continue;
    }
    const start = s;
    fillStates(s);
    dp.set(emission);
    s++;
    for (; s < slots && melodyAt[s] >= 0; s++) {
      prevA = stateA.slice();
      prevT = stateT.slice();
      prevB = stateB.slice();
      const m0 = melodyEnd[s - 1];
      const m1 = melodyAt[s];
      fillStates(s);
      for (let j = 0; j < S; j++) {
        if (emission[j] === -Infinity) {
          next[j] = -Infinity;
          continue;
        }
        const a1 = stateA[j];
        const t1 = stateT[j];
        const b1 = stateB[j];
        let best = -Infinity;
        let arg = 0;
        for (let i = 0; i < S; i++) {
          if (dp[i] === -Infinity) continue;
          const a0 = prevA[i];
          const t0 = prevT[i];
          const b0 = prevB[i];
          let v = dp[i] - moveCost(a0, a1, w.leapCost) - moveCost(t0, t1, w.leapCost) - moveCost(b0, b1, w.bassLeapCost);
          if (v <= best) continue;
          let parallels = 0;
          if (isParallelMotion(m0, m1, a0, a1)) parallels++;
          if (isParallelMotion(m0, m1, t0, t1)) parallels++;
          if (isParallelMotion(m0, m1, b0, b1)) parallels++;
          if (isParallelMotion(a0, a1, t0, t1)) parallels++;
          if (isParallelMotion(a0, a1, b0, b1)) parallels++;
          if (isParallelMotion(t0, t1, b0, b1)) parallels++;
          v -= parallels * w.parallelCost;
          if (v > best) {
            best = v;
            arg = i;
          }
        }
        next[j] = best + emission[j];
        back[s * S + j] = arg;
      }
      [dp, next] = [next, dp];
    }
    // Trace the best path of this run back from its last slot.
    let j = 0;
    for (let i = 1; i < S; i++) if (dp[i] > dp[j]) j = i;
    for (let slot = s - 1; slot >= start; slot--) {
      const base = slot * VOICES * K;
      const picks = [Math.floor(j / (K * K)), Math.floor(j / K) % K, j % K];
      for (let v = 0; v < VOICES; v++) {
        const pitch = candidate[base + v * K + picks[v]];
        for (let step = slot * w.slotSteps; step < Math.min(steps, (slot + 1) * w.slotSteps); step++) voices[v][step] = pitch;
      }
      if (slot > start) j = back[slot * S + j];
    }
  }
  return voices;
}

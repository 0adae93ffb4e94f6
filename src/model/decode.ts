/**
 * Chorale decoding: turns the generator's per-voice pitch scores into alto, tenor and bass lines that a
 * listener hears as harmony. The three voices are decoded together, one 8th note (a "slot") at a time, over a
 * lattice of voice triples (lattice.ts):
 * - each voice's candidates in a slot are its few best-scoring pitches inside its range;
 * - a triple earns the network's log-probabilities of its three pitches and the log-probability of its
 *   sonority (the four voices' pitch classes over the bass) in Bach's train-split chorales
 *   (bachStatistics.json, `npm run fit-decoding`); it pays for notes outside the piece's key, voice crossing
 *   and wide spacing (and, in the hand-set weights, earns a chord bonus and pays for dissonance);
 * - moving from one triple to the next earns Bach's log-probabilities of each voice's interval and of which
 *   voices move at once (transitions.ts), and pays heavily for parallel fifths and octaves: the rules stay
 *   inside the search.
 * The default takes the best path (Viterbi) with hand-set weights; a temperature above 0 draws a path with
 * probability proportional to exp(score / temperature) for the seed instead, and 16th-note passing and
 * neighbour tones can be added at a share of Bach's rate (ornaments.ts; LEARNED_DECODE_OPTIONS does both). Wherever the melody sounds, every voice sounds (a rest only where the melody rests
 * for a whole slot), so the accompaniment never drops out. Pure code: no tensors.
 */
import { isChordMask } from '../music/chords';
import { CONSONANT_MASK, UPPER_CONSONANT_MASK, intervalClass } from '../music/intervals';
import { estimateKey, scaleMask, type Key } from '../music/keys';
import { PITCHES } from '../music/pianoRoll';
import { ACCOMPANIMENT_VOICES, rangePairs } from '../music/voices';
import { sonorityMask, statisticsTables, type StatisticsTables, type VoiceStatistics } from '../music/voiceStatistics';
import bachStatistics from './bachStatistics.json';
import { bestPath, samplePath } from './lattice';
import { addOrnaments } from './ornaments';
import { transitionScorer } from './transitions';
import { createUniform, seedStream } from '../music/random';

/** [low, high] of alto, tenor and bass (src/music/voices.ts): where each voice's candidates lie. */
const RANGES = rangePairs(ACCOMPANIMENT_VOICES);

/** In `fixed` (see decodeChorale): a step where the voice is free, for the decoding to write. */
export const FREE = -2;

/** The weights of the decoding; every cost and bonus is in nats of the network's log-probabilities. */
export interface ChoraleDecodeOptions {
  /** Steps per slot, the shortest note (default 2: an 8th note on the 16th-note grid). */
  slotSteps: number;
  /** Candidate pitches per voice and slot (default 5; the search looks at candidates^3 triples). */
  candidates: number;
  /** Weight of the network's log-probabilities of the voices' pitches (1: as they are). */
  networkWeight: number;
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
  /**
   * Weights of the log-probabilities fitted on Bach's train-split chorales (bachStatistics.json, see
   * src/music/voiceStatistics.ts): of each voice's interval from the slot before, of which voices move at
   * once, and of the sonority of the four voices; each kept apart on and between beats.
   */
  intervalWeight: number;
  motionWeight: number;
  sonorityWeight: number;
  /**
   * 0: the best path (Viterbi). Above 0: a path drawn with probability proportional to
   * exp(score / temperature), different for each seed (see lattice.ts).
   */
  temperature: number;
  /** How often the voices get 16th-note passing and neighbour tones, as a share of Bach's rate (see ornaments.ts). */
  ornamentRate: number;
}

/**
 * The weights the page, `npm run accompany` and `npm run evaluate` use: hand-set, best path. Chosen on the valid
 * split's melodies and checked on melodies of other kinds (see models/default/README.md): the network's scores
 * change slowly from step to step, so a small reward for moving (a negative change cost) brings note lengths to
 * Bach's, and a firm leap cost keeps the inner voices stepwise, as his are.
 */
export const DEFAULT_DECODE_OPTIONS: ChoraleDecodeOptions = {
  slotSteps: 2,
  candidates: 5,
  networkWeight: 1,
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
  intervalWeight: 0,
  motionWeight: 0,
  sonorityWeight: 0,
  temperature: 0,
  ornamentRate: 0,
};

/**
 * The learned, sampled decoding (`npm run evaluate -- --decode learned`): the statistics fitted on the train
 * split score the voices' motion and sonorities at weight 1 in place of the hand-set chord, dissonance and leap
 * terms; a path is drawn (temperature 1) rather than the best one taken, which would always hold the most
 * likely note; a reward for moving, a firm parallel cost (a rule, not a taste), the key cost, and Bach's rate
 * of 16th-note ornaments. Not the default: see the model card for what it gains and what it costs.
 */
export const LEARNED_DECODE_OPTIONS: ChoraleDecodeOptions = {
  ...DEFAULT_DECODE_OPTIONS,
  chordBonus: 0,
  offbeatChordBonus: 0,
  dissonanceCost: 0,
  changeCost: -0.5,
  leapCost: 0,
  bassLeapCost: 0,
  parallelCost: 20,
  intervalWeight: 1,
  motionWeight: 1,
  sonorityWeight: 1,
  temperature: 1,
  ornamentRate: 1,
};

let bachTables: StatisticsTables | null = null;
/** Bach's train-split statistics (bachStatistics.json) as log-probability tables, built once: the decoding's and the Gibbs sampler's. */
export function choraleTables(): StatisticsTables {
  bachTables ??= statisticsTables(bachStatistics as VoiceStatistics);
  return bachTables;
}

const VOICES = 3;

/**
 * Per step and voice, the log-softmax over the 128 pitches of `scale` x the raw tanh scores: the same
 * pitch distribution the generator's voice term trains. Laid out `(step * 3 + voice) * 128 + pitch`.
 */
export function logProbabilities(scores: Float32Array, steps: number, tracks: number, scale: number): Float32Array {
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
 *
 * `fixed` (infilling) holds, per voice and step, a pitch the voice is locked to, -1 where it is locked silent, or FREE.
 * A voice locked anywhere in a slot has exactly one candidate there, its locked pitch (the slot's first locked step's)
 * or a rest, and the voices around it are chosen under it, over it and into and out of it by the usual costs; the
 * locked steps come back exactly as given (ornaments never touch them).
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
    /** The seed of a sampled path (temperature above 0). */
    seed?: number;
    /** Per voice, `steps` values: a locked pitch, -1 (locked silent) or FREE. */
    fixed?: readonly Int16Array[];
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
  const fixed = options.fixed;
  if (fixed && (fixed.length !== VOICES || fixed.some((line) => line.length !== steps)))
    throw new RangeError(`fixed needs ${VOICES} lines of ${steps} steps`);
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
  // candidates lie at or below the highest candidate of the voice above (the melody for the alto), and at or above
  // any locked voice below it, so an in-order triple always exists; only where that leaves a voice no pitch in its
  // range (a melody note below the alto's range) does the voice take its best pitches in range and cross, at a cost.
  // A locked voice has one candidate: its pitch, or a rest (pitch -1, score 0).
  const candidate = new Int16Array(slots * VOICES * K).fill(-1);
  const candidateScore = new Float32Array(slots * VOICES * K).fill(-Infinity);
  const mean = new Float32Array(PITCHES);
  const fixedAt = new Int16Array(VOICES);
  for (let s = 0; s < slots; s++) {
    if (melodyAt[s] < 0) continue;
    const first = s * w.slotSteps;
    const last = Math.min(steps, first + w.slotSteps);
    fixedAt.fill(FREE);
    if (fixed)
      for (let v = 0; v < VOICES; v++) for (let step = first; step < last && fixedAt[v] === FREE; step++) fixedAt[v] = fixed[v][step];
    let ceiling = melodyAt[s];
    for (let v = 0; v < VOICES; v++) {
      mean.fill(0);
      for (let step = first; step < last; step++) {
        const base = (step * VOICES + v) * PITCHES;
        for (let p = 0; p < PITCHES; p++) mean[p] += logp[base + p] / (last - first);
      }
      const at = (s * VOICES + v) * K;
      if (fixedAt[v] !== FREE) {
        candidate[at] = fixedAt[v];
        candidateScore[at] = fixedAt[v] >= 0 ? mean[fixedAt[v]] : 0;
        if (fixedAt[v] >= 0) ceiling = fixedAt[v];
        continue;
      }
      let floor = -1;
      for (let below = v + 1; below < VOICES; below++) floor = Math.max(floor, fixedAt[below]);
      const [low, high] = RANGES[v];
      const top = Math.min(high, ceiling) >= low ? Math.min(high, ceiling) : high;
      const bottom = Math.max(low, floor) <= top ? Math.max(low, floor) : low;
      const order: number[] = [];
      for (let p = bottom; p <= top; p++) order.push(p);
      order.sort((x, y) => mean[y] - mean[x]);
      ceiling = -1;
      for (let k = 0; k < K && k < order.length; k++) {
        candidate[at + k] = order[k];
        candidateScore[at + k] = mean[order[k]];
        ceiling = Math.max(ceiling, order[k]);
      }
    }
  }

  // Per slot and state (a triple of candidates, alto x K^2 + tenor x K + bass): the three pitches and the
  // emission score.
  const statePitch = new Int16Array(slots * S * VOICES).fill(-1);
  const emission = new Float32Array(slots * S).fill(-Infinity);
  const crossings = new Uint8Array(S);
  const stats = choraleTables();
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
          const at = (s * S + j) * VOICES;
          statePitch[at] = a;
          statePitch[at + 1] = t;
          statePitch[at + 2] = b;
          crossings[j] = 0;
          const scoreA = candidateScore[base + i];
          const scoreT = candidateScore[base + K + k];
          const scoreB = candidateScore[base + 2 * K + l];
          if (scoreA === -Infinity || scoreT === -Infinity || scoreB === -Infinity) continue;
          let e = w.networkWeight * (scoreA + scoreT + scoreB);
          // A voice locked silent (-1) takes no part in the sonority, the dissonance, the key or the spacing.
          const sounding = a >= 0 && t >= 0 && b >= 0;
          let mask = 1 << (m % 12);
          for (const p of [a, t, b]) if (p >= 0) mask |= 1 << (p % 12);
          if (isChordMask(mask)) e += onBeat ? w.chordBonus : w.offbeatChordBonus;
          if (w.sonorityWeight && sounding) e += w.sonorityWeight * stats.sonority[(onBeat ? 4096 : 0) + sonorityMask(m, a, t, b)];
          if (onBeat) {
            // The consonance masks of src/music/intervals.ts: a 4th to the melody is consonant above the bass only.
            if (a >= 0 && !(UPPER_CONSONANT_MASK & (1 << intervalClass(m, a)))) e -= w.dissonanceCost;
            if (t >= 0 && !(UPPER_CONSONANT_MASK & (1 << intervalClass(m, t)))) e -= w.dissonanceCost;
            if (b >= 0 && !(CONSONANT_MASK & (1 << intervalClass(m, b)))) e -= w.dissonanceCost;
          }
          for (const p of [a, t, b]) if (p >= 0 && !(keyMask & (1 << (p % 12)))) e -= w.outOfKeyCost;
          if (a >= 0 && m - a > 12) e -= w.spacingCost;
          if (a >= 0 && t >= 0 && a - t > 12) e -= w.spacingCost;
          crossings[j] = outOfOrder(m, a, t, b);
          if (crossings[j] === 0) ordered = true;
          emission[s * S + j] = e;
        }
      }
    }
    // Voices stay in order (melody >= alto >= tenor >= bass) wherever the candidates allow it; only a
    // slot where no candidate triple is in order (a melody note below the alto's range) lets them cross, at a cost.
    for (let j = 0; j < S; j++) {
      if (!crossings[j]) continue;
      emission[s * S + j] = ordered ? -Infinity : emission[s * S + j] - w.crossingCost * crossings[j];
    }
  };
  for (let s = 0; s < slots; s++) if (melodyAt[s] >= 0) fillStates(s);

  const transition = transitionScorer(candidate, K, melodyAt, melodyEnd, options.stepsPerBeat, w, stats);

  // Each run of slots where the melody sounds is decoded on its own; voices rest where it rests.
  const voices = [0, 1, 2].map(() => new Int16Array(steps).fill(-1));
  const uniform = createUniform(seedStream(options.seed ?? 0, 'decodeSampling'));
  let s = 0;
  while (s < slots) {
    if (melodyAt[s] < 0) {
      s++;
      continue;
    }
    const start = s;
    while (s < slots && melodyAt[s] >= 0) s++;
    const lattice = {
      slots: s - start,
      states: S,
      emission: emission.subarray(start * S, s * S),
      transition: (slot: number, i: number, j: number) => transition(start + slot, i, j),
    };
    const path = w.temperature > 0 ? samplePath(lattice, w.temperature, uniform) : bestPath(lattice);
    path.forEach((j, offset) => {
      const slot = start + offset;
      for (let v = 0; v < VOICES; v++) {
        const pitch = statePitch[(slot * S + j) * VOICES + v];
        for (let step = slot * w.slotSteps; step < Math.min(steps, (slot + 1) * w.slotSteps); step++) voices[v][step] = pitch;
      }
    });
  }
  addOrnaments(
    voices,
    melodyTop,
    bachStatistics as VoiceStatistics,
    { ranges: RANGES, keyMask, slotSteps: w.slotSteps },
    w.ornamentRate,
    createUniform(seedStream(options.seed ?? 0, 'decodeOrnaments')),
  );
  if (fixed)
    for (let v = 0; v < VOICES; v++) for (let step = 0; step < steps; step++) if (fixed[v][step] !== FREE) voices[v][step] = fixed[v][step];
  return voices;
}

/** Pairs of neighbouring sounding voices (melody, alto, tenor, bass; a rest, -1, left out) out of order. */
function outOfOrder(...pitches: number[]): number {
  let count = 0;
  let above = -1;
  for (const p of pitches) {
    if (p < 0) continue;
    if (above >= 0 && p > above) count++;
    above = p;
  }
  return count;
}

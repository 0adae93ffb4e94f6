/**
 * The transition scores of the chorale decoding (decode.ts): how much moving the three voices from one slot's
 * candidates to the next slot's costs or earns. Built once per slot as small tables over candidate indices, so
 * that the search, which scores every pair of voice triples, only adds table entries:
 * - per voice, the hand-set motion cost (a change, a leap beyond a whole tone), the log-probability of the
 *   interval in Bach's train-split chorales (weighted), and a parallel fifth or octave with the melody;
 * - which voices move at once (Bach's log-probability of that pattern, weighted);
 * - per pair of voices, a parallel fifth or octave between them.
 * Pure code.
 */
import { isParallelMotion } from '../music/intervals';
import { MAX_INTERVAL, intervalIndex, type StatisticsTables } from '../music/voiceStatistics';

/** The weights the transitions use (a part of ChoraleDecodeOptions). */
export interface TransitionWeights {
  slotSteps: number;
  changeCost: number;
  leapCost: number;
  bassLeapCost: number;
  parallelCost: number;
  intervalWeight: number;
  motionWeight: number;
}

const VOICES = 3;
const INTERVAL_ROW = 2 * MAX_INTERVAL + 1;
const PAIRS = [
  [0, 1],
  [0, 2],
  [1, 2],
] as const;

/**
 * The scorer of moving from state i of slot s - 1 to state j of slot s, where a state is a triple of candidate
 * indices (alto x K^2 + tenor x K + bass) and `candidate[(slot x 3 + voice) x K + k]` is a candidate's pitch.
 */
export function transitionScorer(
  candidate: Int16Array,
  K: number,
  melodyAt: Int16Array,
  melodyEnd: Int16Array,
  stepsPerBeat: number,
  w: TransitionWeights,
  stats: StatisticsTables,
): (s: number, i: number, j: number) => number {
  const KK = K * K;
  const move = new Float32Array(VOICES * KK);
  const changed = new Uint8Array(VOICES * KK);
  const pairs = new Float32Array(PAIRS.length * KK * KK);
  const motion = new Float32Array(8);
  const index = (slot: number, v: number, k: number) => candidate[(slot * VOICES + v) * K + k];
  // Each state's candidate indices, alto, tenor and bass.
  const alto = new Uint8Array(KK * K);
  const tenor = new Uint8Array(KK * K);
  const bass = new Uint8Array(KK * K);
  for (let state = 0; state < KK * K; state++) {
    alto[state] = Math.floor(state / KK);
    tenor[state] = Math.floor(state / K) % K;
    bass[state] = state % K;
  }
  let built = -1;
  const build = (s: number) => {
    built = s;
    const beat = (s * w.slotSteps) % stepsPerBeat === 0 ? 1 : 0;
    const m0 = melodyEnd[s - 1];
    const m1 = melodyAt[s];
    for (let v = 0; v < VOICES; v++) {
      const leap = v === 2 ? w.bassLeapCost : w.leapCost;
      for (let k0 = 0; k0 < K; k0++) {
        for (let k1 = 0; k1 < K; k1++) {
          const p0 = index(s - 1, v, k0);
          const p1 = index(s, v, k1);
          let score = 0;
          if (p0 < 0 || p1 < 0) {
            // Into or out of a rest (a voice locked silent): a change, with no interval to score.
            if (p0 !== p1) score -= w.changeCost;
            move[v * KK + k0 * K + k1] = score;
            changed[v * KK + k0 * K + k1] = p0 !== p1 ? 1 : 0;
            continue;
          }
          if (p0 !== p1) score -= w.changeCost + leap * Math.max(0, Math.abs(p1 - p0) - 2);
          if (w.intervalWeight) score += w.intervalWeight * stats.interval[(v * 2 + beat) * INTERVAL_ROW + intervalIndex(p0, p1)];
          if (isParallelMotion(m0, m1, p0, p1)) score -= w.parallelCost;
          move[v * KK + k0 * K + k1] = score;
          changed[v * KK + k0 * K + k1] = p0 !== p1 ? 1 : 0;
        }
      }
    }
    PAIRS.forEach(([x, y], pair) => {
      for (let x0 = 0; x0 < K; x0++)
        for (let y0 = 0; y0 < K; y0++)
          for (let x1 = 0; x1 < K; x1++)
            for (let y1 = 0; y1 < K; y1++) {
              const x0p = index(s - 1, x, x0);
              const x1p = index(s, x, x1);
              const y0p = index(s - 1, y, y0);
              const y1p = index(s, y, y1);
              const parallel = x0p >= 0 && x1p >= 0 && y0p >= 0 && y1p >= 0 && isParallelMotion(x0p, x1p, y0p, y1p);
              pairs[pair * KK * KK + (x0 * K + y0) * KK + x1 * K + y1] = parallel ? w.parallelCost : 0;
            }
    });
    for (let pattern = 0; pattern < 8; pattern++) motion[pattern] = w.motionWeight ? w.motionWeight * stats.motion[beat * 8 + pattern] : 0;
  };
  return (s, i, j) => {
    if (s !== built) build(s);
    const a0 = alto[i];
    const t0 = tenor[i];
    const b0 = bass[i];
    const a1 = alto[j];
    const t1 = tenor[j];
    const b1 = bass[j];
    const a = a0 * K + a1;
    const t = KK + t0 * K + t1;
    const b = 2 * KK + b0 * K + b1;
    return (
      move[a] +
      move[t] +
      move[b] +
      motion[changed[a] + 2 * changed[t] + 4 * changed[b]] -
      pairs[(a0 * K + t0) * KK + a1 * K + t1] -
      pairs[KK * KK + (a0 * K + b0) * KK + a1 * K + b1] -
      pairs[2 * KK * KK + (t0 * K + b0) * KK + t1 * K + b1]
    );
  };
}

/**
 * Best path and sampled paths through a lattice of states, slot by slot: the search of the chorale decoding
 * (decode.ts). A path scores the sum of its states' emissions and of the transitions between neighbouring
 * states, in nats. `bestPath` is the Viterbi path; `samplePath` draws a path with probability proportional
 * to exp(score / temperature) (forward filtering, backward sampling), so a temperature near 0 gives the best
 * path and 1 the distribution the scores describe. Pure code.
 */
import type { Uniform } from '../music/random';

/** A run of `slots` slots of `states` states each. */
export interface Lattice {
  slots: number;
  states: number;
  /** Score of state j of slot s (index s x states + j); -Infinity rules the state out. */
  emission: Float32Array;
  /** Score of moving from state i of slot s - 1 to state j of slot s. */
  transition: (s: number, i: number, j: number) => number;
}

/** The Viterbi path: one state per slot. */
export function bestPath(lattice: Lattice): Int32Array {
  const { slots, states: S, emission, transition } = lattice;
  const back = new Int32Array(slots * S);
  let dp = Float64Array.from(emission.subarray(0, S));
  let next = new Float64Array(S);
  for (let s = 1; s < slots; s++) {
    for (let j = 0; j < S; j++) {
      const e = emission[s * S + j];
      if (e === -Infinity) {
        next[j] = -Infinity;
        continue;
      }
      let best = -Infinity;
      let arg = 0;
      for (let i = 0; i < S; i++) {
        if (dp[i] === -Infinity) continue;
        const v = dp[i] + transition(s, i, j);
        if (v > best) {
          best = v;
          arg = i;
        }
      }
      next[j] = best + e;
      back[s * S + j] = arg;
    }
    [dp, next] = [next, dp];
  }
  const path = new Int32Array(slots);
  let j = 0;
  for (let i = 1; i < S; i++) if (dp[i] > dp[j]) j = i;
  for (let s = slots - 1; s >= 0; s--) {
    path[s] = j;
    if (s > 0) j = back[s * S + j];
  }
  return path;
}

/** Draws an index with probability proportional to exp(values[i] - max), -Infinity never. */
function draw(values: Float64Array, uniform: Uniform): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i] === -Infinity ? 0 : Math.exp(values[i] - max);
  let target = uniform() * total;
  let last = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === -Infinity) continue;
    last = i;
    target -= Math.exp(values[i] - max);
    if (target <= 0) return i;
  }
  return last;
}

/** A path drawn with probability proportional to exp(score / temperature) (temperature > 0). */
export function samplePath(lattice: Lattice, temperature: number, uniform: Uniform): Int32Array {
  const { slots, states: S, emission, transition } = lattice;
  const inverse = 1 / temperature;
  // forward[s x S + j]: log of the summed weight of every path prefix that ends in state j of slot s.
  const forward = new Float64Array(slots * S);
  for (let j = 0; j < S; j++) forward[j] = emission[j] * inverse;
  const terms = new Float64Array(S);
  for (let s = 1; s < slots; s++) {
    const before = (s - 1) * S;
    for (let j = 0; j < S; j++) {
      const e = emission[s * S + j];
      if (e === -Infinity) {
        forward[s * S + j] = -Infinity;
        continue;
      }
      let max = -Infinity;
      for (let i = 0; i < S; i++) {
        const f = forward[before + i];
        terms[i] = f === -Infinity ? -Infinity : f + transition(s, i, j) * inverse;
        if (terms[i] > max) max = terms[i];
      }
      let sum = 0;
      if (max > -Infinity) for (let i = 0; i < S; i++) if (terms[i] !== -Infinity) sum += Math.exp(terms[i] - max);
      forward[s * S + j] = max === -Infinity ? -Infinity : max + Math.log(sum) + e * inverse;
    }
  }
  const path = new Int32Array(slots);
  const weights = new Float64Array(S);
  weights.set(forward.subarray((slots - 1) * S, slots * S));
  path[slots - 1] = draw(weights, uniform);
  for (let s = slots - 1; s > 0; s--) {
    const j = path[s];
    for (let i = 0; i < S; i++) {
      const f = forward[(s - 1) * S + i];
      weights[i] = f === -Infinity ? -Infinity : f + transition(s, i, j) * inverse;
    }
    path[s - 1] = draw(weights, uniform);
  }
  return path;
}

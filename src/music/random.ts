/**
 * Seeded random numbers for everything Cantus draws (batch order, noise, penalty mixing, baselines), so the same
 * seed gives the same run on every backend. Draws are keyed by position (seed, stream, iteration, step, ...) rather
 * than by a running generator state, so a resumed run needs no random state saved beside its weights.
 */

/** A source of uniform numbers in [0, 1). */
export type Uniform = () => number;

/** Mixes 32-bit integers into one well-spread 32-bit seed (a murmur3-style finaliser per part). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    let k = Math.trunc(part) >>> 0;
    k = Math.imul(k ^ (k >>> 16), 0x85ebca6b);
    k = Math.imul(k ^ (k >>> 13), 0xc2b2ae35);
    k ^= k >>> 16;
    h = Math.imul(h ^ k, 0x01000193) + 0x6d2b79f5;
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/**
 * The salts of Cantus's seed streams: each kind of draw mixes its own salt into the seed, so no two kinds ever
 * draw the same numbers. The values are fixed: changing one changes every seeded model, resumed run and evaluation.
 */
export const SEED_STREAMS = {
  /** The generator's initial weights (one seed per layer within it). */
  generatorWeights: 1,
  /** The critic's initial weights, apart from the generator's so equal shapes start differently. */
  criticWeights: 2,
  /** The order of the training windows: a fresh shuffle for every pass over the data. */
  batchOrder: 0x5a4d,
  /** The generator's noise while training, drawn per (iteration, step) so a resumed run draws the same. */
  trainingNoise: 0x6e01,
  /** Where between a real and a generated roll the gradient penalty is measured, per (iteration, step). */
  penaltyMix: 0x3e1,
  /** The generator's noise when accompanying, per bar of the melody, so windows sharing a bar share its noise. */
  accompanimentNoise: 0xba5,
  /** The critic test's classifier: its initial weights (one draw per layer). */
  criticTestWeights: 0xc7e1,
  /** The critic test's classifier: the order of its training windows, per pass. */
  criticTestOrder: 0xc7e2,
  /** The critic test's classifier: each training window's transposition, per pass. */
  criticTestTransposition: 0xc7e3,
  /** The chorale decoding's sampled path through the voices' candidates, per run of melody. */
  decodeSampling: 0xdec,
  /** The chorale decoding's 16th-note ornaments. */
  decodeOrnaments: 0x16,
  /** Which steps of which voices a training window hides from a generator with voice context, per iteration and step. */
  voiceMask: 0x3a5c,
  /** Which steps of which voices each step of the Gibbs sampling hides and draws again. */
  gibbsMask: 0x91b5,
  /** The Gibbs sampling's draws of the hidden voices' lines. */
  gibbsSampling: 0x91b6,
  /** The fixed noise of the held-out windows the network is measured on at each epoch's end. */
  heldOutNoise: 0x4e1d,
} as const;

/** The name of a seed stream. */
export type SeedStream = keyof typeof SEED_STREAMS;

/** The seed of one draw of a named stream: `seed` mixed with the stream's salt and the draw's position (iteration, step, bar...). */
export function seedStream(seed: number, stream: SeedStream, ...position: number[]): number {
  return mixSeed(seed, SEED_STREAMS[stream], ...position);
}

/** A fast seeded generator (mulberry32): 32 bits of state, good enough for shuffles and noise. */
export function createUniform(seed: number): Uniform {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` samples of a standard normal truncated at two standard deviations (values beyond are redrawn),
 * the distribution TensorFlow's truncated_normal and the reference model's noise use.
 */
export function truncatedNormal(uniform: Uniform, count: number, out = new Float32Array(count)): Float32Array {
  let i = 0;
  while (i < count) {
    // Box-Muller gives two independent normals per pair of uniforms.
    const u1 = 1 - uniform();
    const u2 = uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const a = radius * Math.cos(2 * Math.PI * u2);
    const b = radius * Math.sin(2 * Math.PI * u2);
    if (Math.abs(a) <= 2) out[i++] = a;
    if (i < count && Math.abs(b) <= 2) out[i++] = b;
  }
  return out;
}

/** A seeded Fisher-Yates permutation of 0..count-1. */
export function shuffledIndices(count: number, uniform: Uniform): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

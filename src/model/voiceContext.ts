/**
 * Voice context (Coconet-style masked voices): what a generator with `voiceContext` reads besides the melody. Its
 * input has CONTEXT_CHANNELS planes of [32 steps x 128 pitches]:
 * - 0: the melody, -1/+1 as for the reference generator;
 * - 1..3: the alto, tenor and bass it is given: +1 where the voice sounds that pitch, -1 where it does not, 0 at
 *   every pitch of a step the voice hides;
 * - 4..6: 1 at every pitch of a step where that voice is hidden, else 0.
 * The generator writes the hidden steps; in training they are the only steps its voice term asks for. A hidden mask
 * is one byte per (window, step, voice): 1 = hidden. Pure code, no tensors.
 */
import { ACCOMPANIMENT_TRACKS, PITCHES, WINDOW_STEPS } from '../music/pianoRoll';
import type { Uniform } from '../music/random';

/** Input planes of a generator with voice context: melody, three voices, three hidden masks. */
export const CONTEXT_CHANNELS = 1 + 2 * ACCOMPANIMENT_TRACKS;

/** The generator's input planes for a model of these settings: 1 (melody only) or CONTEXT_CHANNELS. */
export function generatorInputChannels(voiceContext: boolean): number {
  return voiceContext ? CONTEXT_CHANNELS : 1;
}

/**
 * The hidden masks of `count` training windows [count x 32 x 3], drawn so that the generator learns every kind of
 * Gibbs step it will be asked for: a quarter of the windows hide every voice (accompanying a bare melody), a
 * quarter hide one whole voice (rewriting it under the others), the rest hide each (step, voice) with one
 * probability per window drawn from [0.05, 0.95] (rewriting scattered steps).
 */
export function trainingMasks(uniform: Uniform, count: number): Uint8Array {
  const size = WINDOW_STEPS * ACCOMPANIMENT_TRACKS;
  const masks = new Uint8Array(count * size);
  for (let w = 0; w < count; w++) {
    const mask = masks.subarray(w * size, (w + 1) * size);
    const kind = uniform();
    if (kind < 0.25) {
      mask.fill(1);
    } else if (kind < 0.5) {
      const voice = Math.min(ACCOMPANIMENT_TRACKS - 1, Math.floor(uniform() * ACCOMPANIMENT_TRACKS));
      for (let t = 0; t < WINDOW_STEPS; t++) mask[t * ACCOMPANIMENT_TRACKS + voice] = 1;
    } else {
      const rate = 0.05 + 0.9 * uniform();
      for (let cell = 0; cell < size; cell++) mask[cell] = uniform() < rate ? 1 : 0;
    }
    // A window that hides nothing asks nothing of the generator: hide one step of one voice at least.
    if (!mask.includes(1)) mask[Math.min(size - 1, Math.floor(uniform() * size))] = 1;
  }
  return masks;
}

/**
 * Context planes [count x 32 x 128 x CONTEXT_CHANNELS] from training windows [count x 32 x 128 x 4] of -1/+1
 * (track 0 the melody) and their hidden masks [count x 32 x 3].
 */
export function contextFromWindows(data: ArrayLike<number>, count: number, masks: Uint8Array): Float32Array {
  const out = new Float32Array(count * WINDOW_STEPS * PITCHES * CONTEXT_CHANNELS);
  for (let row = 0; row < count * WINDOW_STEPS; row++) {
    for (let p = 0; p < PITCHES; p++) {
      const from = (row * PITCHES + p) * (ACCOMPANIMENT_TRACKS + 1);
      const to = (row * PITCHES + p) * CONTEXT_CHANNELS;
      out[to] = data[from];
      for (let v = 0; v < ACCOMPANIMENT_TRACKS; v++) {
        const hidden = masks[row * ACCOMPANIMENT_TRACKS + v];
        out[to + 1 + v] = hidden ? 0 : data[from + 1 + v];
        out[to + 1 + ACCOMPANIMENT_TRACKS + v] = hidden;
      }
    }
  }
  return out;
}

/**
 * Context windows for generation: `melody` windows [n x 32 x 128 x 1] of -1/+1 (as melodyWindows cuts them), the
 * current voices as sounding cells of the whole piece in the model's register (`(step * 128 + q) * 3 + v`) and the
 * piece's hidden mask (`step * 3 + v`), cut at `starts`; steps past the end are silent and hidden.
 */
export function contextWindows(
  melody: Int8Array,
  voices: Uint8Array,
  hidden: Uint8Array,
  starts: readonly number[],
  steps: number,
): Int8Array {
  const out = new Int8Array(starts.length * WINDOW_STEPS * PITCHES * CONTEXT_CHANNELS);
  starts.forEach((start, w) => {
    for (let t = 0; t < WINDOW_STEPS; t++) {
      const step = start + t;
      for (let p = 0; p < PITCHES; p++) {
        const to = ((w * WINDOW_STEPS + t) * PITCHES + p) * CONTEXT_CHANNELS;
        out[to] = melody[(w * WINDOW_STEPS + t) * PITCHES + p];
        for (let v = 0; v < ACCOMPANIMENT_TRACKS; v++) {
          const isHidden = step >= steps || hidden[step * ACCOMPANIMENT_TRACKS + v] === 1;
          out[to + 1 + v] = isHidden ? 0 : voices[(step * PITCHES + p) * ACCOMPANIMENT_TRACKS + v] ? 1 : -1;
          out[to + 1 + ACCOMPANIMENT_TRACKS + v] = isHidden ? 1 : 0;
        }
      }
    }
  });
  return out;
}

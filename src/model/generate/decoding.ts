/**
 * Generation stage 2, decoding: the voices' raw tanh scores become alto, tenor and bass notes (or the tracks of the
 * model's own data), in the model's register, as `options.decodeMode` says ('auto': the one that fits the model's data):
 * - 'data' writes each track as the model's own training data did (dataDecoding.ts);
 * - 'chorale' (the default) decodes the three voices together so that they sound wherever the melody sounds,
 *   stay in range and in order, and form chords (src/model/decode.ts), with `options.decodeWeights`;
 * - 'single' lets each voice sing its own highest-scoring pitch where that score is above 0, one voice at a
 *   time (voices may rest, cross and clash);
 * - 'chords' keeps every cell above 0, the reference's decoding, which lets one voice sound clusters.
 * With a lock (infilling, lock.ts) the locked cells are kept as they are: the chorale decoding writes the free voices
 * around them (a locked voice has one candidate per slot), the others decode as usual and keep the locked cells.
 */
import { pitchClassHistogram } from '../../music/keys';
import { MODEL_TRACKS, ACCOMPANIMENT_TRACKS, PITCHES } from '../../music/pianoRoll';
import type { DataProfile } from '../../music/dataProfile';
import { GenerationOptionsError, type DecodeMode, type GenerationOptions } from '../../protocol/generation';
import { decodeForData } from './dataDecoding';
import { decodeChorale, DEFAULT_DECODE_OPTIONS, LEARNED_DECODE_OPTIONS, type ChoraleDecodeOptions } from '../decode';
import { VOICE_LOGIT_SCALE } from '../networks';
import { fixedLines, keepLocked, type ModelLock } from './lock';
import { pitchCells, type Candidate, type ModelMelody } from './types';

/**
 * Score margin by which another pitch must beat the note a voice is holding to replace it: without it, two
 * near-equal pitches trade places from step to step and a held note breaks into a flicker of 16th notes.
 */
export const HOLD_MARGIN = 0.2;

/** The chorale decoding's weights that `options.decodeWeights` asks for, over the defaults of decode.ts. */
export function decodeWeightsOf(options: Pick<GenerationOptions, 'decodeWeights'>): Partial<ChoraleDecodeOptions> {
  const weights = options.decodeWeights;
  if (weights === 'learned') return { ...LEARNED_DECODE_OPTIONS };
  const known = Object.keys(DEFAULT_DECODE_OPTIONS);
  const unknown = Object.keys(weights).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new GenerationOptionsError([
      { field: 'decodeWeights', message: `has no weight ${unknown.map((n) => `"${n}"`).join(', ')}; the weights are ${known.join(', ')}` },
    ]);
  }
  return weights as Partial<ChoraleDecodeOptions>;
}

/** Checks the options this stage reads beyond what their schema checks; throws GenerationOptionsError. */
export function checkDecodingOptions(options: GenerationOptions): void {
  decodeWeightsOf(options);
}

/** One step of one voice (1..3 in `scores`): the cells above 0. */
function thresholded(scores: Float32Array, step: number, voice: number): Uint8Array {
  const sounding = new Uint8Array(PITCHES);
  for (let q = 0; q < PITCHES; q++) sounding[q] = scores[(step * PITCHES + q) * MODEL_TRACKS + voice] > 0 ? 1 : 0;
  return sounding;
}

/** One step of one voice: its highest-scoring pitch if that score is above 0, preferring the pitch it holds. */
function singleNote(scores: Float32Array, step: number, voice: number, held: number): Uint8Array {
  const sounding = new Uint8Array(PITCHES);
  let best = -1;
  let bestScore = 0;
  for (let q = 0; q < PITCHES; q++) {
    const score = scores[(step * PITCHES + q) * MODEL_TRACKS + voice];
    if (score > bestScore) {
      bestScore = score;
      best = q;
    }
  }
  if (held >= 0 && best !== held) {
    const heldScore = scores[(step * PITCHES + held) * MODEL_TRACKS + voice];
    if (heldScore > 0 && heldScore + HOLD_MARGIN >= bestScore) best = held;
  }
  if (best >= 0) sounding[best] = 1;
  return sounding;
}

/** The decoding `mode` asks for with a model of `profile`'s data: 'auto' is 'data' for own music, else 'chorale'. */
export function decodeModeFor(mode: DecodeMode, profile: DataProfile | null | undefined): Exclude<DecodeMode, 'auto'> {
  if (mode !== 'auto') return mode;
  return profile?.kind === 'own' ? 'data' : 'chorale';
}

/**
 * Decodes `scores` ([steps, 128, 4] raw tanh outputs in the model's register) into the accompaniment tracks under
 * `input`'s melody, for a model of `profile`'s data (null: the chorales); `seed` draws whatever the decoding draws
 * (a sampled chorale path, ornaments); `lock` (null: none) holds the cells to keep.
 */
export function decodeVoices(
  scores: Float32Array,
  input: ModelMelody,
  seed: number,
  options: Pick<GenerationOptions, 'decodeMode' | 'decodeWeights'>,
  profile: DataProfile | null = null,
  lock: ModelLock | null = null,
): Candidate {
  const decoded = decodeFree(scores, input, seed, options, profile, lock);
  return lock ? keepLocked(decoded, lock) : decoded;
}

function decodeFree(
  scores: Float32Array,
  input: ModelMelody,
  seed: number,
  options: Pick<GenerationOptions, 'decodeMode' | 'decodeWeights'>,
  profile: DataProfile | null,
  lock: ModelLock | null,
): Candidate {
  const { melody } = input;
  const steps = melody.steps;
  const mode = decodeModeFor(options.decodeMode, profile);
  if (mode === 'data') {
    if (profile?.kind !== 'own')
      throw new GenerationOptionsError([
        {
          field: 'decodeMode',
          message: 'is "data", which needs a model trained on your own MIDI files; this one learned the Bach chorales',
        },
      ]);
    return decodeForData(scores, input, seed, profile);
  }
  if (mode === 'chorale') {
    const lines = decodeChorale(scores, input.top, {
      tracks: MODEL_TRACKS,
      stepsPerBeat: melody.stepsPerBeat,
      melodyChroma: pitchClassHistogram(melody, [0]),
      logitScale: VOICE_LOGIT_SCALE,
      weights: decodeWeightsOf(options),
      seed,
      ...(lock ? { fixed: fixedLines(lock, steps) } : {}),
    });
    return { seed, voices: pitchCells(lines, steps) };
  }
  const voices = new Uint8Array(steps * PITCHES * ACCOMPANIMENT_TRACKS);
  for (let v = 0; v < ACCOMPANIMENT_TRACKS; v++) {
    let held = -1;
    for (let step = 0; step < steps; step++) {
      const sounding = mode === 'single' ? singleNote(scores, step, v + 1, held) : thresholded(scores, step, v + 1);
      held = sounding.indexOf(1);
      for (let q = 0; q < PITCHES; q++) if (sounding[q]) voices[(step * PITCHES + q) * ACCOMPANIMENT_TRACKS + v] = 1;
    }
  }
  return { seed, voices };
}

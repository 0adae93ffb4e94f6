/**
 * Generation with voice context (a generator that reads the voices, some steps hidden: src/model/voiceContext.ts):
 * blocked Gibbs sampling, as Coconet samples. The first decoding writes alto, tenor and bass under the bare melody;
 * then, step after step, a random share of the (8th-note slot, voice) cells is hidden, the generator writes them
 * given everything else, and each voice's hidden slots are drawn again from what it wrote. The share hidden falls
 * from `startRate` to `endRate` over the steps (annealing: first whole phrases are rewritten, at the end single notes).
 *
 * The rules stay inside the sampler: a voice's hidden slots are drawn together, as one path through its pitches
 * (lattice.ts, forward filtering and backward sampling), whose score is the network's log-probabilities over the
 * temperature, Bach's statistics of each voice's intervals and of the four voices' sonorities (bachStatistics.json,
 * the train split), and costs against the other voices as they stand: a parallel fifth or octave with any voice,
 * melody included; a note outside the piece's key; a held note; a leap beyond an octave. A voice stays in its range
 * and between its neighbours. Slots it does not hide stay as they are, so the path joins them. Steps where the
 * voice rests (the melody rests) are never rewritten, nor are locked cells. After the last step, 16th-note passing and
 * neighbour tones are added at Bach's rate (ornaments.ts), as the learned chorale decoding adds them.
 */
import { MODEL_TRACKS, ACCOMPANIMENT_TRACKS, PITCHES } from '../../music/pianoRoll';
import { createUniform, seedStream, type Uniform } from '../../music/random';
import { ACCOMPANIMENT_VOICES, rangePairs } from '../../music/voices';
import { samplePath, type Lattice } from '../lattice';
import { choraleTables, logProbabilities } from '../decode';
import bachStatistics from '../bachStatistics.json';
import { addOrnaments } from '../ornaments';
import { estimateKey, scaleMask } from '../../music/keys';
import { intervalIndex, MAX_INTERVAL, sonorityMask, type VoiceStatistics } from '../../music/voiceStatistics';
import { BOTTLENECK_PITCHES, VOICE_LOGIT_SCALE } from '../networks';
import { CONTEXT_CHANNELS, contextWindows } from '../voiceContext';
import type { DataProfile } from '../../music/dataProfile';
import type { GenerationOptions } from '../../protocol/generation';
import { decodeModeFor } from './decoding';
import { keepLocked, type ModelLock } from './lock';
import { candidatePitches, pitchCells, type Candidate, type GenerationNetworks, type ModelMelody } from './types';
import { joinWindows, melodyWindows, windowNoise, windowStarts } from './windows';

/** The sampler's settings; every cost is in nats of the network's log-probabilities. */
export interface GibbsSettings {
  /** Gibbs steps after the first decoding (each one run of the generator over the piece). */
  steps: number;
  /** Share of the (step, voice) cells hidden at the first step and at the last. */
  startRate: number;
  endRate: number;
  /** Slots hidden together (a slot is an 8th note: the hidden cells come in runs of this many slots). */
  blockSlots: number;
  /** Divides the network's log-probabilities: 1 draws from what it wrote, below 1 sharpens it. */
  temperature: number;
  /** Weight of Bach's log-probabilities (bachStatistics.json) of each voice's interval from the slot before. */
  intervalWeight: number;
  /** Cost of holding a note into the next slot (the network, seeing the voice's neighbours, already prefers to hold). */
  holdCost: number;
  /** Cost of a note outside the piece's key (estimated from the melody and the first decoding's voices). */
  outOfKeyCost: number;
  /** Weight of Bach's log-probabilities of the four voices' sonority over the bass. */
  sonorityWeight: number;
  /** Cost of a parallel fifth or octave between the voice and any other (melody included). */
  parallelCost: number;
  /** Cost per semitone of a leap beyond an octave. */
  wideLeapCost: number;
  /** 16th-note passing and neighbour tones added after the last step, as a share of Bach's rate (ornaments.ts). */
  ornamentRate: number;
}

/**
 * The settings generation uses with a voice-context model. The network's log-probabilities are taken as they are
 * (temperature 1) and Bach's interval and sonority statistics (fitted on the train split) are added to them; the
 * costs were chosen on the valid split's listener measures and critic test, a few settings tried (the model card,
 * models/default/README.md): without the hold cost notes last 1.2 to 1.6 times Bach's (the network, seeing a
 * voice's neighbours, holds them), without the key cost 0.89 of the notes are in key (Bach 0.93), with a parallel
 * cost of 6 the voices move in parallel fifths and octaves 0.06 times a bar (Bach 0.016). Bach's 16th-note passing
 * and neighbour tones are added at his rate.
 */
export const GIBBS_DEFAULTS: GibbsSettings = {
  steps: 16,
  startRate: 0.9,
  endRate: 0.1,
  blockSlots: 1,
  temperature: 1,
  intervalWeight: 1,
  holdCost: 4,
  outOfKeyCost: 2.5,
  sonorityWeight: 0.75,
  parallelCost: 12,
  wideLeapCost: 1,
  ornamentRate: 1,
};

const RANGES = rangePairs(ACCOMPANIMENT_VOICES);
/** Steps of one slot of the sampled lines: an 8th note, the shortest note it writes (as the chorale decoding). */
const SLOT_STEPS = 2;
const STEPS_PER_BEAT = 4;
const INTERVALS = 2 * MAX_INTERVAL + 1;

/**
 * The sampler's settings for a generation, or null where it does not sample: a generator without voice context, a
 * model of the user's own music, a decoding other than the chorale one, or `samplingSteps` 0.
 */
export function gibbsSettingsFor(
  options: Pick<GenerationOptions, 'samplingSteps' | 'decodeMode'>,
  networks: Pick<GenerationNetworks, 'inputChannels'>,
  profile: DataProfile | null,
): GibbsSettings | null {
  if ((networks.inputChannels ?? 1) !== CONTEXT_CHANNELS) return null;
  if (decodeModeFor(options.decodeMode, profile) !== 'chorale') return null;
  const steps = options.samplingSteps === 'auto' ? GIBBS_DEFAULTS.steps : options.samplingSteps;
  return steps > 0 ? { ...GIBBS_DEFAULTS, steps } : null;
}

/** The pitch classes of the lines' sounding steps, counted. */
function lineChroma(lines: readonly Int16Array[]): Float64Array {
  const chroma = new Float64Array(12);
  for (const line of lines) for (const p of line) if (p >= 0) chroma[p % 12]++;
  return chroma;
}

/** The hidden cells of one Gibbs step: runs of `blockSteps` steps per voice, each hidden with probability `rate`. */
function hiddenCells(
  uniform: Uniform,
  steps: number,
  rate: number,
  blockSteps: number,
  free: (step: number, v: number) => boolean,
): Uint8Array {
  const hidden = new Uint8Array(steps * ACCOMPANIMENT_TRACKS);
  for (let v = 0; v < ACCOMPANIMENT_TRACKS; v++) {
    for (let first = 0; first < steps; first += blockSteps) {
      if (uniform() >= rate) continue;
      for (let step = first; step < Math.min(steps, first + blockSteps); step++)
        if (free(step, v)) hidden[step * ACCOMPANIMENT_TRACKS + v] = 1;
    }
  }
  return hidden;
}

/** Is the move (a0 -> a1 against b0 -> b1) a parallel fifth or octave (both voices moving, same direction)? */
function parallel(a0: number, a1: number, b0: number, b1: number): boolean {
  if (a0 < 0 || a1 < 0 || b0 < 0 || b1 < 0 || a0 === a1 || b0 === b1) return false;
  if (Math.sign(a1 - a0) !== Math.sign(b1 - b0)) return false;
  const before = Math.abs(a0 - b0) % 12;
  const after = Math.abs(a1 - b1) % 12;
  return before === after && (after === 0 || after === 7);
}

/**
 * Draws voice `v`'s hidden slots again (a slot is SLOT_STEPS steps, an 8th note; a slot is hidden where its first step
 * is): one path over each run of slots where the voice sounds, through its range, the slots it does not hide held to
 * their pitch. `logp(step, q)`: the network's log-probability of pitch q for this voice at a step.
 */
function redrawVoice(
  v: number,
  lines: Int16Array[],
  top: Int16Array,
  hidden: Uint8Array,
  free: (step: number, v: number) => boolean,
  logp: (step: number, q: number) => number,
  keyMask: number,
  settings: GibbsSettings,
  uniform: Uniform,
): void {
  const line = lines[v];
  const steps = line.length;
  const slotCount = Math.ceil(steps / SLOT_STEPS);
  const [low, high] = RANGES[v];
  const states = high - low + 1;
  const above = v === 0 ? top : lines[v - 1];
  const below = v + 1 < ACCOMPANIMENT_TRACKS ? lines[v + 1] : null;
  const others = [top, ...lines.filter((_, u) => u !== v)];
  const stats = choraleTables();
  const isHidden = (slot: number) => hidden[slot * SLOT_STEPS * ACCOMPANIMENT_TRACKS + v] === 1;
  const onBeat = (slot: number) => (slot * SLOT_STEPS) % STEPS_PER_BEAT === 0;
  let first = 0;
  while (first < slotCount) {
    if (line[first * SLOT_STEPS] < 0) {
      first++;
      continue;
    }
    let end = first;
    while (end < slotCount && line[end * SLOT_STEPS] >= 0) end++;
    let anyHidden = false;
    for (let slot = first; slot < end; slot++) if (isHidden(slot)) anyHidden = true;
    if (anyHidden) {
      const slots = end - first;
      const emission = new Float32Array(slots * states).fill(-Infinity);
      for (let s = 0; s < slots; s++) {
        const step = (first + s) * SLOT_STEPS;
        if (!isHidden(first + s)) {
          const j = line[step] - low;
          // A kept pitch outside the range (a lock) holds the nearest state; the line keeps the pitch itself.
          emission[s * states + Math.max(0, Math.min(states - 1, j))] = 0;
          continue;
        }
        const last = Math.min(steps, step + SLOT_STEPS);
        const ceiling = above[step] >= 0 ? above[step] : high;
        const floor = below && below[step] >= 0 ? below[step] : low;
        const melody = top[step];
        const sonorityOthers = melody >= 0 && lines.every((l, u) => u === v || l[step] >= 0);
        const fill = (ordered: boolean) => {
          for (let j = 0; j < states; j++) {
            const q = low + j;
            if (ordered && (q > ceiling || q < floor)) continue;
            let network = 0;
            for (let t = step; t < last; t++) network += logp(t, q);
            let e = network / (last - step) / settings.temperature;
            if (!(keyMask & (1 << (q % 12)))) e -= settings.outOfKeyCost;
            if (sonorityOthers && settings.sonorityWeight) {
              const pitch = (u: number) => (u === v ? q : lines[u][step]);
              e +=
                settings.sonorityWeight *
                stats.sonority[(onBeat(first + s) ? 4096 : 0) + sonorityMask(melody, pitch(0), pitch(1), pitch(2))];
            }
            emission[s * states + j] = e;
          }
        };
        fill(true);
        // Nothing fits between the neighbours (they crossed): any pitch of the range.
        let open = false;
        for (let j = 0; j < states; j++) if (emission[s * states + j] > -Infinity) open = true;
        if (!open) fill(false);
      }
      const lattice: Lattice = {
        slots,
        states,
        emission,
        transition: (s, i, j) => {
          const step = (first + s) * SLOT_STEPS;
          const a0 = low + i;
          const a1 = low + j;
          let score = settings.intervalWeight * stats.interval[(v * 2 + (onBeat(first + s) ? 1 : 0)) * INTERVALS + intervalIndex(a0, a1)];
          const leap = Math.abs(a1 - a0);
          if (leap > 12) score -= settings.wideLeapCost * (leap - 12);
          if (a0 === a1) score -= settings.holdCost;
          if (a0 !== a1)
            for (const other of others) if (parallel(a0, a1, other[step - SLOT_STEPS], other[step])) score -= settings.parallelCost;
          return score;
        },
      };
      const path = samplePath(lattice, 1, uniform);
      for (let s = 0; s < slots; s++) {
        if (!isHidden(first + s)) continue;
        const step = (first + s) * SLOT_STEPS;
        for (let t = step; t < Math.min(steps, step + SLOT_STEPS); t++) if (line[t] >= 0 && free(t, v)) line[t] = low + path[s];
      }
    }
    first = end;
  }
}

/**
 * Rewrites `first` (the first decoding under the bare melody) by `settings.steps` Gibbs steps with a voice-context
 * generator; `seed` draws the hidden cells, the noise and the paths. Locked cells and rests are kept.
 */
export async function gibbsRefine(
  networks: GenerationNetworks,
  input: ModelMelody,
  first: Candidate,
  seed: number,
  settings: GibbsSettings,
  lock: ModelLock | null = null,
): Promise<Candidate> {
  const steps = input.melody.steps;
  const lines = candidatePitches(first.voices, steps);
  const starts = windowStarts(steps, 'crossfade');
  const melody = melodyWindows(input.active, steps, input.shift, starts);
  const masks = createUniform(seedStream(seed, 'gibbsMask'));
  const draws = createUniform(seedStream(seed, 'gibbsSampling'));
  const key = estimateKey(lineChroma([input.top, ...lines]))?.key ?? null;
  const keyMask = key ? scaleMask(key) : 0xfff;
  const free = (step: number, v: number) => lines[v][step] >= 0 && !(lock && lock.locked[step * ACCOMPANIMENT_TRACKS + v]);
  for (let k = 0; k < settings.steps; k++) {
    const progress = settings.steps > 1 ? k / (settings.steps - 1) : 1;
    const rate = settings.startRate + (settings.endRate - settings.startRate) * progress;
    const hidden = hiddenCells(masks, steps, rate, settings.blockSlots * SLOT_STEPS, free);
    if (!hidden.includes(1)) continue;
    const context = contextWindows(melody, pitchCells(lines, steps), hidden, starts, steps);
    const noise = windowNoise(seedStream(seed, 'gibbsSampling', k), starts, networks.noiseChannels, BOTTLENECK_PITCHES);
    const scores = joinWindows(await networks.generateWindows(context, noise), starts, steps);
    const logProbs = logProbabilities(scores, steps, MODEL_TRACKS, VOICE_LOGIT_SCALE);
    for (let v = 0; v < ACCOMPANIMENT_TRACKS; v++) {
      const logp = (step: number, q: number): number => logProbs[(step * ACCOMPANIMENT_TRACKS + v) * PITCHES + q];
      redrawVoice(v, lines, input.top, hidden, free, logp, keyMask, settings, draws);
    }
  }
  if (settings.ornamentRate > 0) {
    const ornaments = createUniform(seedStream(seed, 'decodeOrnaments'));
    const context = { ranges: RANGES, keyMask, slotSteps: SLOT_STEPS };
    addOrnaments(lines, input.top, bachStatistics as VoiceStatistics, context, settings.ornamentRate, ornaments);
  }
  const sampled = { seed: first.seed, voices: pitchCells(lines, steps) };
  // A line holds one pitch per step: a locked chord of one voice comes back whole from the lock.
  return lock ? keepLocked(sampled, lock) : sampled;
}

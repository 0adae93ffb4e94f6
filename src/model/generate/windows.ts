/**
 * The pure part of accompanying a melody of any length: moving it into the model's register, cutting it
 * into overlapping 2-bar windows with per-bar noise, cross-fading the windows' outputs, and building the
 * four-track roll with the user's melody put back exactly. No tensors here; GanEngine runs the network.
 *
 * Joining: windows start every bar (hop 16 steps), so each bar except the first and last is written by two
 * windows, the one ending there and the one starting there. Each bar gets its own noise slice and a window
 * uses the slices of its two bars, so both windows see the same noise for their shared bar. Inside a shared
 * bar the raw tanh outputs are cross-faded linearly (the starting window's weight rises from 0 to 1), so at
 * every bar line the output comes almost entirely from the one window that spans it: no seam.
 * A "bar" here is 16 steps, the half-window the network's bottleneck sees as one time position, whatever
 * the time signature.
 */
import { PITCHES, WINDOW_STEPS, createRoll, type PianoRoll, type TrackInfo, sameGrid } from '../../music/pianoRoll';
import { MelodyError } from '../errors';
import { OUTPUT_TRACKS, VOICE_LOGIT_SCALE } from '../networks';
import { createUniform, seedStream, truncatedNormal } from '../../music/random';
import { pitchClassHistogram } from '../../music/keys';
import { decodeChorale, type ChoraleDecodeOptions } from '../decode';

/** The soprano range of the training chorales: the register the model expects a melody in. */
export const MODEL_MELODY_LOW = 60;
export const MODEL_MELODY_HIGH = 81;
/** Steps per bar as the network sees it (half a window). */
export const MODEL_BAR_STEPS = WINDOW_STEPS / 2;
/** The grid the model works on: 16th notes. */
export const MODEL_STEPS_PER_BEAT = 4;

/**
 * How the voices' raw tanh scores become notes (the names live in the worker protocol, which the page shares):
 * - 'chorale' (the default) decodes alto, tenor and bass together so that they sound wherever the melody
 *   sounds, stay in range and in order, and form chords (see decode.ts);
 * - 'single' lets each voice sing its own highest-scoring pitch where that score is above 0, one voice at a
 *   time (voices may rest, cross and clash);
 * - 'chords' keeps every cell above 0, the reference's decoding, which lets one voice sound clusters.
 */
export { VOICINGS, type Voicing } from '../../protocol/messages';
import type { Voicing } from '../../protocol/messages';

/** One step of one voice: the cells above 0. */
function thresholded(joined: Float32Array, step: number, voice: number): Uint8Array {
  const sounding = new Uint8Array(PITCHES);
  for (let q = 0; q < PITCHES; q++) sounding[q] = joined[(step * PITCHES + q) * OUTPUT_TRACKS + voice] > 0 ? 1 : 0;
  return sounding;
}

/**
 * Score margin by which another pitch must beat the note a voice is holding to replace it: without it, two
 * near-equal pitches trade places from step to step and a held note breaks into a flicker of 16th notes.
 */
export const HOLD_MARGIN = 0.2;

/** One step of one voice: its highest-scoring pitch if that score is above 0, preferring the pitch it holds. */
function singleNote(joined: Float32Array, step: number, voice: number, held: number): Uint8Array {
  const sounding = new Uint8Array(PITCHES);
  let best = -1;
  let bestScore = 0;
  for (let q = 0; q < PITCHES; q++) {
    const score = joined[(step * PITCHES + q) * OUTPUT_TRACKS + voice];
    if (score > bestScore) {
      bestScore = score;
      best = q;
    }
  }
  if (held >= 0 && best !== held) {
    const heldScore = joined[(step * PITCHES + held) * OUTPUT_TRACKS + voice];
    if (heldScore > 0 && heldScore + HOLD_MARGIN >= bestScore) best = held;
  }
  if (best >= 0) sounding[best] = 1;
  return sounding;
}

/** How neighbouring windows are joined: cross-faded over one shared bar, or laid end to end. */
export type JoinMode = 'crossfade' | 'tile';

/**
 * Names and General MIDI programs of the accompaniment voices (the melody keeps its own program):
 * choir for the alto, strings for the tenor, cello for the bass, a chorale-like blend that plays well in GM.
 */
export const ACCOMPANIMENT_TRACKS: readonly TrackInfo[] = [
  { name: 'Alto', program: 52, isDrum: false },
  { name: 'Tenor', program: 48, isDrum: false },
  { name: 'Bass', program: 42, isDrum: false },
];
/** Accompaniment velocity relative to the melody's mean velocity, so the melody stays on top. */
const ACCOMPANIMENT_VELOCITY_RATIO = 0.85;

/** Checks that a roll can be accompanied: a 16th-note grid and at least one track and one step. */
export function checkMelody(melody: PianoRoll): void {
  if (melody.tracks.length < 1) throw new MelodyError('The melody has no track.');
  if (melody.steps < 1) throw new MelodyError('The melody is empty: it has no time steps.');
  if (melody.stepsPerBeat !== MODEL_STEPS_PER_BEAT) {
    throw new MelodyError(
      `The melody must be on a 16th-note grid (${MODEL_STEPS_PER_BEAT} steps per beat) to be accompanied; it has ${melody.stepsPerBeat}.`,
    );
  }
}

/** Active cells of the melody (track 0) as a [steps x 128] grid of 0/1. */
export function melodyActive(melody: PianoRoll): Uint8Array {
  const trackCount = melody.tracks.length;
  const grid = new Uint8Array(melody.steps * PITCHES);
  for (let cell = 0; cell < grid.length; cell++) grid[cell] = melody.active[cell * trackCount] ? 1 : 0;
  return grid;
}

/**
 * The octave shift (a multiple of 12) that best moves the melody into MIDI 60-81: the least total distance
 * of its sounding cells outside that range, ties to the smallest shift. 0 for a silent melody.
 */
export function octaveShiftIntoRange(active: Uint8Array, steps: number): number {
  const histogram = new Float64Array(PITCHES);
  for (let step = 0; step < steps; step++) for (let p = 0; p < PITCHES; p++) histogram[p] += active[step * PITCHES + p];
  let best = 0;
  let bestCost = Infinity;
  for (const shift of [0, 12, -12, 24, -24, 36, -36, 48, -48, 60, -60]) {
    let cost = 0;
    for (let p = 0; p < PITCHES; p++) {
      if (!histogram[p]) continue;
      const q = p + shift;
      const outside = q < MODEL_MELODY_LOW ? MODEL_MELODY_LOW - q : q > MODEL_MELODY_HIGH ? q - MODEL_MELODY_HIGH : 0;
      cost += histogram[p] * (q < 0 || q >= PITCHES ? 1e6 : outside);
    }
    if (cost < bestCost) {
      bestCost = cost;
      best = shift;
    }
  }
  return best;
}

/** The melody's highest sounding pitch per step, moved by `shift` semitones; -1 where it is silent. */
export function melodyTop(melody: PianoRoll, shift: number): Int16Array {
  const trackCount = melody.tracks.length;
  const top = new Int16Array(melody.steps).fill(-1);
  for (let step = 0; step < melody.steps; step++) {
    for (let p = PITCHES - 1; p >= 0; p--) {
      if (melody.active[(step * PITCHES + p) * trackCount]) {
        top[step] = p + shift;
        break;
      }
    }
  }
  return top;
}

/** Start steps of the windows covering `steps` steps (the last window may run past the end). */
export function windowStarts(steps: number, join: JoinMode): number[] {
  const bars = Math.max(2, Math.ceil(steps / MODEL_BAR_STEPS));
  const starts: number[] = [];
  if (join === 'crossfade') {
    for (let bar = 0; bar + 2 <= bars; bar++) starts.push(bar * MODEL_BAR_STEPS);
  } else {
    for (let bar = 0; bar < bars; bar += 2) starts.push(bar * MODEL_BAR_STEPS);
  }
  return starts;
}

/** The melody windows as the network reads them: [n, 32, 128, 1] of -1/+1, shifted by `shift` semitones. */
export function melodyWindows(active: Uint8Array, steps: number, shift: number, starts: number[]): Int8Array {
  const windowSize = WINDOW_STEPS * PITCHES;
  const data = new Int8Array(starts.length * windowSize).fill(-1);
  starts.forEach((start, w) => {
    for (let t = 0; t < WINDOW_STEPS && start + t < steps; t++) {
      for (let p = 0; p < PITCHES; p++) {
        if (!active[(start + t) * PITCHES + p]) continue;
        const q = p + shift;
        if (q >= 0 && q < PITCHES) data[w * windowSize + t * PITCHES + q] = 1;
      }
    }
  });
  return data;
}

/**
 * Noise for the windows: each bar b gets its own truncated-normal slice [8, channels] drawn from (seed, b),
 * and window w reads the slices of its two bars, so windows sharing a bar share that bar's noise.
 */
export function windowNoise(seed: number, starts: number[], channels: number, bottleneckPitches: number): Float32Array {
  const barSize = bottleneckPitches * channels;
  const noise = new Float32Array(starts.length * 2 * barSize);
  const barNoise = new Map<number, Float32Array>();
  const noiseOfBar = (bar: number) => {
    let slice = barNoise.get(bar);
    if (!slice) {
      slice = truncatedNormal(createUniform(seedStream(seed, 'accompanimentNoise', bar)), barSize);
      barNoise.set(bar, slice);
    }
    return slice;
  };
  starts.forEach((start, w) => {
    const bar = start / MODEL_BAR_STEPS;
    noise.set(noiseOfBar(bar), w * 2 * barSize);
    noise.set(noiseOfBar(bar + 1), (w * 2 + 1) * barSize);
  });
  return noise;
}

/**
 * Joins window outputs [n, 32, 128, 4] (raw tanh values) into one [steps, 128, 4] grid, cross-fading
 * where two windows cover the same step.
 */
export function joinWindows(outputs: Float32Array, starts: number[], steps: number): Float32Array {
  const cellsPerStep = PITCHES * OUTPUT_TRACKS;
  const sum = new Float32Array(steps * cellsPerStep);
  const weight = new Float32Array(steps);
  const covered = new Uint8Array(steps);
  starts.forEach((start) => {
    for (let t = 0; t < WINDOW_STEPS && start + t < steps; t++) covered[start + t]++;
  });
  starts.forEach((start, w) => {
    for (let t = 0; t < WINDOW_STEPS && start + t < steps; t++) {
      const step = start + t;
      let wt = 1;
      if (covered[step] > 1) {
        // The window that starts in this bar fades in, the one that ends here fades out.
        const within = (t % MODEL_BAR_STEPS) + 0.5;
        wt = t < MODEL_BAR_STEPS ? within / MODEL_BAR_STEPS : 1 - within / MODEL_BAR_STEPS;
      }
      weight[step] += wt;
      const from = (w * WINDOW_STEPS + t) * cellsPerStep;
      const to = step * cellsPerStep;
      for (let c = 0; c < cellsPerStep; c++) sum[to + c] += wt * outputs[from + c];
    }
  });
  for (let step = 0; step < steps; step++) {
    const to = step * cellsPerStep;
    for (let c = 0; c < cellsPerStep; c++) sum[to + c] /= weight[step];
  }
  return sum;
}

/**
 * The accompanied roll: the user's melody exactly as given (track 0: notes, onsets, velocities, register,
 * program) and the generated alto, tenor and bass, decoded as `voicing` says and moved back by `shift`
 * semitones. A note of a generated voice lasts while its pitch keeps sounding from step to step.
 */
export function accompaniedRoll(
  melody: PianoRoll,
  joined: Float32Array,
  shift: number,
  voicing: Voicing = 'chorale',
  decodeWeights: Partial<ChoraleDecodeOptions> = {},
  seed = 0,
): PianoRoll {
  const source = melody.tracks[0];
  const tracks: TrackInfo[] = [{ name: 'Melody', program: source.program, isDrum: source.isDrum }, ...ACCOMPANIMENT_TRACKS];
  const out = createRoll(melody.steps, tracks, {
    ...sameGrid(melody),
    withOnsets: true,
    withVelocities: melody.velocities !== null,
  });
  const onsets = out.onsets as Uint8Array;
  const inTracks = melody.tracks.length;
  const outTracks = tracks.length;
  let velocitySum = 0;
  let velocityCount = 0;
  for (let step = 0; step < melody.steps; step++) {
    for (let p = 0; p < PITCHES; p++) {
      const from = (step * PITCHES + p) * inTracks;
      const to = (step * PITCHES + p) * outTracks;
      if (!melody.active[from]) continue;
      out.active[to] = 1;
      const onset = melody.onsets ? melody.onsets[from] : step === 0 || !melody.active[from - PITCHES * inTracks] ? 1 : 0;
      onsets[to] = onset ? 1 : 0;
      if (melody.velocities && out.velocities) {
        out.velocities[to] = melody.velocities[from];
        if (onset && melody.velocities[from] > 0) {
          velocitySum += melody.velocities[from];
          velocityCount++;
        }
      }
    }
  }
  const accompanimentVelocity = velocityCount
    ? Math.max(1, Math.min(127, Math.round((ACCOMPANIMENT_VELOCITY_RATIO * velocitySum) / velocityCount)))
    : 0;
  const voiceCell = (step: number, pitch: number, voice: number) => (step * PITCHES + pitch) * outTracks + voice;
  if (voicing === 'chorale') {
    const lines = decodeChorale(joined, melodyTop(melody, shift), {
      tracks: OUTPUT_TRACKS,
      stepsPerBeat: melody.stepsPerBeat,
      melodyChroma: pitchClassHistogram(melody, [0]),
      logitScale: VOICE_LOGIT_SCALE,
      weights: decodeWeights,
      seed,
    });
    lines.forEach((line, v) => {
      for (let step = 0; step < melody.steps; step++) {
        const p = line[step] - shift;
        if (line[step] < 0 || p < 0 || p >= PITCHES) continue;
        const to = voiceCell(step, p, v + 1);
        out.active[to] = 1;
        if (step === 0 || line[step - 1] !== line[step]) {
          onsets[to] = 1;
          if (out.velocities && accompanimentVelocity) out.velocities[to] = accompanimentVelocity;
        }
      }
    });
    return out;
  }
  for (let voice = 1; voice < OUTPUT_TRACKS; voice++) {
    let previous: Uint8Array = new Uint8Array(PITCHES);
    for (let step = 0; step < melody.steps; step++) {
      const sounding = voicing === 'single' ? singleNote(joined, step, voice, previous.indexOf(1)) : thresholded(joined, step, voice);
      for (let q = 0; q < PITCHES; q++) {
        const p = q - shift;
        if (!sounding[q] || p < 0 || p >= PITCHES) continue;
        const to = voiceCell(step, p, voice);
        out.active[to] = 1;
        if (!previous[q]) {
          onsets[to] = 1;
          if (out.velocities && accompanimentVelocity) out.velocities[to] = accompanimentVelocity;
        }
      }
      previous = sounding;
    }
  }
  return out;
}

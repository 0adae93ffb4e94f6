/**
 * The pure part of reading a melody of any length with the model: moving it into the model's register, cutting
 * it into overlapping 2-bar windows with per-bar noise, and cross-fading the windows' outputs. No tensors here;
 * the generation stages (scores.ts) run the network.
 *
 * Joining: windows start every bar (hop 16 steps), so each bar except the first and last is written by two
 * windows, the one ending there and the one starting there. Each bar gets its own noise slice and a window
 * uses the slices of its two bars, so both windows see the same noise for their shared bar. Inside a shared
 * bar the raw tanh outputs are cross-faded linearly (the starting window's weight rises from 0 to 1), so at
 * every bar line the output comes almost entirely from the one window that spans it: no seam.
 * A "bar" here is 16 steps, the half-window the network's bottleneck sees as one time position, whatever
 * the time signature.
 */
import { MODEL_TRACKS, PITCHES, WINDOW_STEPS, type PianoRoll } from '../../music/pianoRoll';
import type { JoinMode } from '../../protocol/generation';
import { MelodyError } from '../errors';
import { createUniform, seedStream, truncatedNormal } from '../../music/random';
import { VOICE_RANGES } from '../../music/voices';

/** Steps per bar as the network sees it (half a window). */
export const MODEL_BAR_STEPS = WINDOW_STEPS / 2;
/** The grid the model works on: 16th notes. */
export const MODEL_STEPS_PER_BEAT = 4;

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
 * The octave shift (a multiple of 12) that best moves the melody into `range`, the register the model expects a
 * melody in (by default the soprano's VOICE_RANGES; a model of own data, its data's melody range): the least total distance of its sounding cells outside that range, ties to the
 * smallest shift. 0 for a silent melody.
 */
export function octaveShiftIntoRange(
  active: Uint8Array,
  steps: number,
  range: { low: number; high: number } = VOICE_RANGES.soprano,
): number {
  const { low, high } = range;
  const histogram = new Float64Array(PITCHES);
  for (let step = 0; step < steps; step++) for (let p = 0; p < PITCHES; p++) histogram[p] += active[step * PITCHES + p];
  let best = 0;
  let bestCost = Infinity;
  for (const shift of [0, 12, -12, 24, -24, 36, -36, 48, -48, 60, -60]) {
    let cost = 0;
    for (let p = 0; p < PITCHES; p++) {
      if (!histogram[p]) continue;
      const q = p + shift;
      const outside = q < low ? low - q : q > high ? q - high : 0;
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
  const cellsPerStep = PITCHES * MODEL_TRACKS;
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

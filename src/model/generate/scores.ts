/**
 * Generation stage 1, the voice scores: the melody moved into the model's register, cut into 2-bar windows
 * with per-bar noise, run through the generator, and the windows' outputs joined into one [steps, 128, 4] grid
 * of raw tanh scores (tracks 1..3: alto, tenor, bass). See windows.ts for the joining.
 */
import { ACCOMPANIMENT_TRACKS, PITCHES, type PianoRoll } from '../../music/pianoRoll';
import { contextWindows } from '../voiceContext';
import type { GenerationOptions } from '../../protocol/generation';
import { BOTTLENECK_PITCHES } from '../networks';
import type { GenerationNetworks, ModelMelody } from './types';
import {
  checkMelody,
  joinWindows,
  melodyActive,
  melodyTop,
  melodyWindows,
  octaveShiftIntoRange,
  windowNoise,
  windowStarts,
} from './windows';

/**
 * The melody (track 0 of `melody`, 16th-note grid) as the model reads it, moved by octaves into `range` (default the
 * soprano's); throws MelodyError when it cannot be accompanied.
 */
export function intoModelRegister(melody: PianoRoll, range?: { low: number; high: number }): ModelMelody {
  checkMelody(melody);
  const active = melodyActive(melody);
  const shift = octaveShiftIntoRange(active, melody.steps, range);
  return { melody, active, shift, top: melodyTop(melody, shift) };
}

/** The generator's scores [steps, 128, 4] for the melody with the noise of `seed`, its windows joined as `options.join` says. */
export async function voiceScores(
  networks: GenerationNetworks,
  input: ModelMelody,
  seed: number,
  options: Pick<GenerationOptions, 'join'>,
): Promise<Float32Array> {
  const steps = input.melody.steps;
  const starts = windowStarts(steps, options.join);
  const melody = melodyWindows(input.active, steps, input.shift, starts);
  // A generator with voice context is given no voice yet: every step of every voice hidden.
  const windows =
    (networks.inputChannels ?? 1) > 1
      ? contextWindows(
          melody,
          new Uint8Array(steps * PITCHES * ACCOMPANIMENT_TRACKS),
          new Uint8Array(steps * ACCOMPANIMENT_TRACKS).fill(1),
          starts,
          steps,
        )
      : melody;
  const noise = windowNoise(seed, starts, networks.noiseChannels, BOTTLENECK_PITCHES);
  return joinWindows(await networks.generateWindows(windows, noise), starts, steps);
}

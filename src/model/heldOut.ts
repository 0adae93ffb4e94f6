/**
 * The generator measured on held-out windows (src/music/heldOut.ts), in inference mode with fixed noise, before
 * any decoding: its voice cross-entropy (the training loss's voice term) and the measures of its raw scores.
 */
import * as tf from '@tensorflow/tfjs';
import { scoreMeasures, type NetworkMeasures } from '../music/heldOut';
import { ACCOMPANIMENT_TRACKS, WINDOW_STEPS, type TrainingWindows } from '../music/pianoRoll';
import { createUniform, seedStream, truncatedNormal } from '../music/random';
import type { HyperParams } from '../protocol/config';
import { batchTensors } from './gan';
import { voicePitchLoss } from './losses';
import { noiseShape } from './networks';

/** The fixed noise of `count` held-out windows for a model of `config`: the same at every epoch. */
export function heldOutNoise(config: Pick<HyperParams, 'seed' | 'baseWidth'>, count: number): Float32Array {
  const [bars, pitches, channels] = noiseShape(config.baseWidth);
  return truncatedNormal(createUniform(seedStream(config.seed, 'heldOutNoise')), count * bars * pitches * channels);
}

/** The generator's measures on `windows` (4 tracks, the melody first), as NetworkMeasures defines them. */
export async function measureHeldOut(
  engine: { readonly generator: tf.LayersModel; readonly config: Pick<HyperParams, 'seed' | 'baseWidth' | 'voiceContext'> },
  windows: TrainingWindows,
): Promise<NetworkMeasures> {
  const [bars, pitches, channels] = noiseShape(engine.config.baseWidth);
  const { fake, loss } = tf.tidy(() => {
    // With voice context the generator is given no voice: it accompanies the bare melody, as it does first in generation.
    const hidden = engine.config.voiceContext ? new Uint8Array(windows.count * WINDOW_STEPS * ACCOMPANIMENT_TRACKS).fill(1) : null;
    const { real, input } = batchTensors(windows, hidden);
    const noise = tf.tensor4d(heldOutNoise(engine.config, windows.count), [windows.count, bars, pitches, channels]);
    const output = engine.generator.apply([input, noise], { training: false }) as tf.Tensor4D;
    return { fake: output, loss: voicePitchLoss(output, real) };
  });
  try {
    const [scores, crossEntropy] = await Promise.all([fake.data(), loss.data()]);
    return { voiceCrossEntropy: crossEntropy[0], ...scoreMeasures(windows, scores) };
  } finally {
    tf.dispose([fake, loss]);
  }
}

import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCritic, buildGenerator, countParameters, noiseShape } from '../../src/model/networks';
import { maxDifference, useCpu, weightValues } from './model-fixtures';

beforeAll(useCpu);

describe('generator and critic', () => {
  it('reproduce the reference parameter counts at width 64', () => {
    const generator = buildGenerator(64, 1);
    const critic = buildCritic(64, 1);
    expect(countParameters(generator)).toEqual({ total: 8_273_540, nonTrainable: 2_688 });
    expect(countParameters(critic)).toEqual({ total: 2_766_785, nonTrainable: 0 });
    expect(noiseShape(64)).toEqual([2, 8, 512]);
    generator.dispose();
    critic.dispose();
  });

  it('map melody and noise to a 4-track roll in (-1, 1), and a roll plus condition to one score', async () => {
    const generator = buildGenerator(4, 1);
    const critic = buildCritic(4, 1);
    expect(noiseShape(4)).toEqual([2, 8, 32]);
    const melody = tf.randomUniform([3, 32, 128, 1], -1, 1, 'float32', 5);
    const noise = tf.truncatedNormal([3, ...noiseShape(4)], 0, 1, 'float32', 6);
    const roll = generator.apply([melody, noise], { training: false }) as tf.Tensor;
    expect(roll.shape).toEqual([3, 32, 128, 4]);
    const values = await roll.data();
    expect(Math.max(...values)).toBeLessThan(1);
    expect(Math.min(...values)).toBeGreaterThan(-1);
    const score = critic.apply([roll, melody], { training: true }) as tf.Tensor;
    expect(score.shape).toEqual([3, 1]);
    expect(critic.inputs.map((i) => i.shape)).toEqual([
      [null, 32, 128, 4],
      [null, 32, 128, 1],
    ]);
    tf.dispose([melody, noise, roll, score]);
    generator.dispose();
    critic.dispose();
  });

  it('start from the same weights for the same seed and from other weights for another', async () => {
    const a = buildGenerator(4, 9);
    const b = buildGenerator(4, 9);
    const c = buildGenerator(4, 10);
    const [wa, wb, wc] = await Promise.all([a, b, c].map((m) => weightValues(m, 'all')));
    expect(maxDifference(wa, wb)).toBe(0);
    expect(maxDifference(wa, wc)).toBeGreaterThan(0.01);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('refuse a width the config does not offer', () => {
    expect(() => buildGenerator(12, 1)).toThrow(/base width must be one of 4, 8, 16, 32, 64/);
  });
});

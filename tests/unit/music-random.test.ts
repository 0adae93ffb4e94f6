import { describe, expect, it } from 'vitest';

import { createUniform, mixSeed, SEED_STREAMS, seedStream } from '../../src/music/random';
describe('createUniform', () => {
  it('is a seeded generator spread over [0, 1)', () => {
    const random = createUniform(123);
    const values = Array.from({ length: 10_000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(createUniform(123)()).toBe(values[0]);
  });
});

describe('seed streams', () => {
  it('keep the salts every trained model and evaluation was made with', () => {
    // Changing one of these changes the weights, batches and noise of every seed: they may only be added to.
    expect(SEED_STREAMS).toEqual({
      generatorWeights: 1,
      criticWeights: 2,
      batchOrder: 0x5a4d,
      trainingNoise: 0x6e01,
      penaltyMix: 0x3e1,
      accompanimentNoise: 0xba5,
      criticTestWeights: 0xc7e1,
      criticTestOrder: 0xc7e2,
      criticTestTransposition: 0xc7e3,
      decodeSampling: 0xdec,
      decodeOrnaments: 0x16,
      voiceMask: 0x3a5c,
      gibbsMask: 0x91b5,
      gibbsSampling: 0x91b6,
      heldOutNoise: 0x4e1d,
    });
    expect(new Set(Object.values(SEED_STREAMS)).size).toBe(Object.keys(SEED_STREAMS).length);
  });

  it('mix the seed, the stream salt and the position as mixSeed does', () => {
    expect(seedStream(7, 'trainingNoise', 12, 3)).toBe(mixSeed(7, 0x6e01, 12, 3));
    expect(seedStream(7, 'accompanimentNoise', 0)).toBe(mixSeed(7, 0xba5, 0));
    expect(seedStream(7, 'generatorWeights')).toBe(mixSeed(7, 1));
    expect(seedStream(7, 'batchOrder', 1)).not.toBe(seedStream(7, 'penaltyMix', 1));
  });
});

import { describe, expect, it } from 'vitest';
import { createUniform } from '../../src/music/random';

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

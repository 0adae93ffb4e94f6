/** Where the piano roll view draws notes: the pitch range it shows and each note's rectangle. */
import { describe, expect, it } from 'vitest';
import { pitchRange, noteRect, stepAt } from '../../src/ui/rollGeometry';

describe('roll geometry', () => {
  it('shows at least two octaves around the notes and places notes by step and pitch', () => {
    const range = pitchRange([{ track: 0, pitch: 60, step: 0, steps: 4, time: 0, duration: 1, velocity: 1 }]);
    expect(range.high - range.low).toBeGreaterThanOrEqual(24);
    expect(range.low).toBeLessThanOrEqual(58);
    const rect = noteRect({ pitch: range.high, step: 3, steps: 2 }, range, 10, 250);
    expect(rect.x).toBe(30);
    expect(rect.y).toBe(0);
    expect(rect.width).toBe(19);
    expect(stepAt(1, 120, 4)).toBe(8);
  });
});

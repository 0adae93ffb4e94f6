/**
 * The pretrained default model under melodies of other kinds than the chorales it learned from: every voice
 * sounds under the melody, most beats are chords, and the voices keep to the melody's key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importModel } from '../../src/model/io';
import { estimateRollKey } from '../../src/music/keys';
import { keyName } from '../../src/music/spelling';
import { cellIndex, createRoll, type PianoRoll } from '../../src/music/pianoRoll';
import { meanOverRolls, voiceMetrics } from '../../src/music/metrics';
import { readModelDir } from '../../scripts/lib/modelDir';
import { REAL_MELODIES, type RealMelody } from '../fixtures/realMelodies';
import { useCpu } from './model-fixtures';
import { useWasm } from './wasm-fixtures';

beforeAll(useWasm);
afterAll(useCpu);

function melodyRoll(melody: RealMelody): PianoRoll {
  const steps = Math.round(melody.notes.reduce((sum, [, beats]) => sum + beats, 0) * 4);
  const roll = createRoll(steps, [{ name: melody.name, program: 0, isDrum: false }], {
    beatsPerBar: melody.beatsPerBar,
    withOnsets: true,
    withVelocities: true,
  });
  let step = 0;
  for (const [pitch, beats] of melody.notes) {
    const length = Math.round(beats * 4);
    if (pitch >= 0) {
      for (let t = step; t < step + length; t++) roll.active[cellIndex(roll, t, pitch, 0)] = 1;
      roll.onsets![cellIndex(roll, step, pitch, 0)] = 1;
      roll.velocities![cellIndex(roll, step, pitch, 0)] = 90;
    }
    step += length;
  }
  return roll;
}

describe('the default model beyond the chorales', () => {
  it('accompanies carols, a hymn, folk songs, a piano piece and a symphony theme in their keys, in chords, without rests', async () => {
    const engine = await importModel(readModelDir('models/default'));
    const perMelody = [];
    for (const [i, melody] of REAL_MELODIES.entries()) {
      const roll = melodyRoll(melody);
      const key = estimateRollKey(roll, [0]);
      const metrics = voiceMetrics(await engine.accompany(roll, 1 + i), { key });
      console.log(
        `${melody.name} (${key ? keyName(key) : 'no key'}): rests ${metrics.voiceRestRate.toFixed(3)}, chords ${metrics.chordRate.toFixed(3)}, in key ${metrics.inKeyRate.toFixed(3)}, consonant ${metrics.beatConsonanceRate.toFixed(3)}`,
      );
      expect(metrics.voiceRestRate, melody.name).toBeLessThanOrEqual(0.05);
      expect(metrics.chordRate, melody.name).toBeGreaterThanOrEqual(0.6);
      expect(metrics.inKeyRate, melody.name).toBeGreaterThanOrEqual(0.8);
      perMelody.push(metrics);
    }
    engine.dispose();
    const mean = meanOverRolls(perMelody);
    expect(mean.voiceRestRate).toBeLessThanOrEqual(0.05);
    expect(mean.chordRate).toBeGreaterThanOrEqual(0.7);
    expect(mean.inKeyRate).toBeGreaterThanOrEqual(0.88);
  });
});

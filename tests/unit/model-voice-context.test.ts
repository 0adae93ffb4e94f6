import '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GanEngine } from '../../src/model/gan';
import { generate } from '../../src/model/generate/pipeline';
import { gibbsSettingsFor, GIBBS_DEFAULTS } from '../../src/model/generate/gibbs';
import { candidatePitches } from '../../src/model/generate/types';
import { CONTEXT_CHANNELS, contextFromWindows, contextWindows, trainingMasks } from '../../src/model/voiceContext';
import { importModel, exportModel } from '../../src/model/io';
import { PITCHES, WINDOW_STEPS, selectTracks } from '../../src/music/pianoRoll';
import { createUniform } from '../../src/music/random';
import { VOICE_RANGES, ACCOMPANIMENT_VOICES } from '../../src/music/voices';
import { resolveGenerationOptions } from '../../src/protocol/generation';
import { maxDifference, syntheticWindows, tinyConfig, useCpu, weightValues } from './model-fixtures';
import { useWasm } from './wasm-fixtures';
import { sampleMelodyRoll } from '../../src/music/samples';

beforeAll(useWasm);
afterAll(useCpu);

describe('voice context planes', () => {
  it('training masks hide every kind of share, never nothing, the same for the same seed', () => {
    const masks = trainingMasks(createUniform(5), 400);
    const size = WINDOW_STEPS * 3;
    const shares = Array.from({ length: 400 }, (_, w) => masks.subarray(w * size, (w + 1) * size).reduce((a, b) => a + b, 0) / size);
    expect(Math.min(...shares)).toBeGreaterThan(0);
    // About a quarter hide everything, a quarter one whole voice (a third of the cells), the rest a drawn share.
    const all = shares.filter((s) => s === 1).length / 400;
    const oneVoice = shares.filter((s) => Math.abs(s - 1 / 3) < 1e-9).length / 400;
    expect(all).toBeGreaterThan(0.18);
    expect(all).toBeLessThan(0.33);
    expect(oneVoice).toBeGreaterThan(0.18);
    expect(shares.filter((s) => s > 0.05 && s < 0.3).length).toBeGreaterThan(10);
    expect(trainingMasks(createUniform(5), 400)).toEqual(masks);
  });

  it('context planes carry the melody, the given voices and the hidden masks, and nothing of a hidden voice', () => {
    const windows = syntheticWindows(1);
    const hidden = new Uint8Array(WINDOW_STEPS * 3);
    for (let t = 0; t < 16; t++) hidden[t * 3 + 1] = 1; // tenor hidden in the first bar
    const planes = contextFromWindows(windows.data, 1, hidden);
    const at = (t: number, p: number, c: number) => planes[(t * PITCHES + p) * CONTEXT_CHANNELS + c];
    // Bar 1 of syntheticWindows: soprano 72, alto 67, tenor 64, bass 48.
    expect(at(0, 72, 0)).toBe(1);
    expect(at(0, 71, 0)).toBe(-1);
    expect(at(0, 67, 1)).toBe(1);
    expect(at(0, 66, 1)).toBe(-1);
    for (let p = 0; p < PITCHES; p++) {
      expect(at(3, p, 2)).toBe(0);
      expect(at(3, p, 5)).toBe(1);
      expect(at(3, p, 4)).toBe(0);
    }
    expect(at(20, 65, 2)).toBe(1); // bar 2's tenor is given: 65 (the second chord)
    expect(at(20, 65, 5)).toBe(0);
  });

  it('generation context windows cut the piece at the window starts, past the end silent and hidden', () => {
    const steps = 40;
    const voices = new Uint8Array(steps * PITCHES * 3);
    for (let t = 0; t < steps; t++) voices[(t * PITCHES + 50) * 3 + 2] = 1;
    const hidden = new Uint8Array(steps * 3);
    hidden[20 * 3] = 1;
    const melody = new Int8Array(2 * WINDOW_STEPS * PITCHES).fill(-1);
    const out = contextWindows(melody, voices, hidden, [0, 16], steps);
    const at = (w: number, t: number, p: number, c: number) => out[((w * WINDOW_STEPS + t) * PITCHES + p) * CONTEXT_CHANNELS + c];
    expect(at(0, 5, 50, 3)).toBe(1);
    expect(at(0, 5, 51, 3)).toBe(-1);
    expect(at(1, 4, 60, 1)).toBe(0); // step 20, alto hidden
    expect(at(1, 4, 60, 4)).toBe(1);
    expect(at(0, 20, 60, 4)).toBe(1); // the same step seen from the first window
    expect(at(1, 30, 50, 3)).toBe(0); // step 46: past the end
    expect(at(1, 30, 50, 6)).toBe(1);
  });
});

describe('a generator with voice context', () => {
  it('trains (its voice term on the hidden cells only) and takes a model without voice context as it was', async () => {
    const plain = GanEngine.create(tinyConfig({ seed: 4 }));
    await plain.trainIteration([syntheticWindows(2)]);
    const engine = GanEngine.create(tinyConfig({ seed: 9, voiceContext: true }));
    expect(engine.inputChannels).toBe(CONTEXT_CHANNELS);
    engine.copyWeightsFrom(plain);
    // Whatever it is given of the voices, it writes what the plain model writes: the new planes start at zero.
    const melody = new Int8Array(WINDOW_STEPS * PITCHES).fill(-1).map((v, i) => (i % PITCHES === 72 ? 1 : v));
    const noise = new Float32Array(2 * 8 * 32).map((_, i) => Math.cos(i));
    const given = contextWindows(
      melody,
      new Uint8Array(WINDOW_STEPS * PITCHES * 3).fill(1),
      new Uint8Array(WINDOW_STEPS * 3),
      [0],
      WINDOW_STEPS,
    );
    expect(maxDifference([await engine.generateWindows(given, noise)], [await plain.generateWindows(melody, noise)])).toBe(0);
    const before = await weightValues(engine.generator);
    const losses = await engine.trainIteration([syntheticWindows(2)]);
    for (const value of Object.values(losses)) expect(Number.isFinite(value)).toBe(true);
    expect(losses.voiceLoss).toBeGreaterThan(0);
    expect(maxDifference(before, await weightValues(engine.generator))).toBeGreaterThan(1e-5);
    // It saves and loads with its wider input.
    const loaded = await importModel(await exportModel(engine));
    expect(loaded.config.voiceContext).toBe(true);
    expect(maxDifference([await loaded.generateWindows(given, noise)], [await engine.generateWindows(given, noise)])).toBe(0);
    expect(() => plain.copyWeightsFrom(GanEngine.create(tinyConfig({ baseWidth: 8 })))).toThrow(/base width 8/);
    for (const e of [plain, engine, loaded]) e.dispose();
  });

  it('samples voices by Gibbs steps that keep the melody, the ranges, the order and the locks, the same for the same seed', async () => {
    const engine = GanEngine.create(tinyConfig({ seed: 2, voiceContext: true }));
    const melody = selectTracks(sampleMelodyRoll('ode-to-joy'), [0]);
    const options = { samplingSteps: 4 } as const;
    const a = await generate(engine, melody, 3, options);
    const b = await generate(engine, melody, 3, options);
    expect(b.roll.active).toEqual(a.roll.active);
    expect(a.report.stageMs.sample).toBeGreaterThan(0);
    const none = await generate(engine, melody, 3, { samplingSteps: 0 });
    expect(none.report.stageMs.sample).toBe(0);
    expect(none.roll.active).not.toEqual(a.roll.active);
    const steps = melody.steps;
    const tracks = a.roll.tracks.length;
    for (let t = 0; t < steps; t++) {
      for (let p = 0; p < PITCHES; p++) expect(a.roll.active[(t * PITCHES + p) * tracks]).toBe(melody.active[t * PITCHES + p]);
    }
    // Every voice in its range, below the one above, wherever it sounds (in the model's register: this tune needs no shift).
    const cells = new Uint8Array(steps * PITCHES * 3);
    for (let t = 0; t < steps; t++)
      for (let p = 0; p < PITCHES; p++)
        for (let v = 0; v < 3; v++) cells[(t * PITCHES + p) * 3 + v] = a.roll.active[(t * PITCHES + p) * tracks + v + 1];
    const lines = candidatePitches(cells, steps);
    lines.forEach((line, v) => {
      const range = VOICE_RANGES[ACCOMPANIMENT_VOICES[v]];
      for (let t = 0; t < steps; t++) {
        if (line[t] < 0) continue;
        expect(line[t]).toBeGreaterThanOrEqual(range.low);
        expect(line[t]).toBeLessThanOrEqual(range.high);
        if (v > 0 && lines[v - 1][t] >= 0) expect(line[t]).toBeLessThanOrEqual(lines[v - 1][t]);
      }
    });
    // Lock the bass of the first bar of another accompaniment: sampling keeps it exactly.
    const other = await generate(engine, melody, 8, { samplingSteps: 0 });
    const cellsLocked = new Uint8Array(steps * 3);
    for (let t = 0; t < 16; t++) cellsLocked[t * 3 + 2] = 1;
    const locked = await generate(engine, melody, 3, options, { lock: { roll: other.roll, cells: cellsLocked } });
    for (let t = 0; t < 16; t++) {
      for (let p = 0; p < PITCHES; p++)
        expect(locked.roll.active[(t * PITCHES + p) * tracks + 3]).toBe(other.roll.active[(t * PITCHES + p) * tracks + 3]);
    }
    engine.dispose();
  });

  it('samples only with a voice-context model, the chorale decoding and steps above 0', () => {
    const options = resolveGenerationOptions();
    expect(gibbsSettingsFor(options, { inputChannels: CONTEXT_CHANNELS }, null)?.steps).toBe(GIBBS_DEFAULTS.steps);
    expect(gibbsSettingsFor(options, { inputChannels: 1 }, null)).toBeNull();
    expect(gibbsSettingsFor({ ...options, samplingSteps: 0 }, { inputChannels: CONTEXT_CHANNELS }, null)).toBeNull();
    expect(gibbsSettingsFor({ ...options, decodeMode: 'single' }, { inputChannels: CONTEXT_CHANNELS }, null)).toBeNull();
    expect(gibbsSettingsFor({ ...options, samplingSteps: 3 }, { inputChannels: CONTEXT_CHANNELS }, null)?.steps).toBe(3);
    expect(() => resolveGenerationOptions({ samplingSteps: 65 })).toThrow(/samplingSteps must be auto or a whole number from 0 to 64/);
  });
});

/** The style critic and the stitching of candidates it drives (src/model/styleCritic.ts, generate/stitch.ts). */
import '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GanEngine } from '../../src/model/gan';
import { candidateSeeds } from '../../src/model/generate/choice';
import { describeReport, generate } from '../../src/model/generate/pipeline';
import { intoModelRegister } from '../../src/model/generate/scores';
import { bestBlocks, candidateLines, joinBlocks, stitchCandidates, stitchWindows } from '../../src/model/generate/stitch';
import { type Candidate } from '../../src/model/generate/types';
import { exportModel, importModel } from '../../src/model/io';
import { ModelFileError } from '../../src/model/errors';
import { STYLE_CRITIC_DESIGN, STYLE_CRITIC_VIEW } from '../../src/model/styleCritic';
import { WindowClassifier, type ClassifierWindow } from '../../src/model/windowClassifier';
import { createUniform } from '../../src/music/random';
import { ACCOMPANIMENT_TRACKS, PITCHES } from '../../src/music/pianoRoll';
import { melodyRoll, tinyConfig, useCpu } from './model-fixtures';
import { useWasm } from './wasm-fixtures';

beforeAll(useWasm);
afterAll(useCpu);

/** A candidate whose three voices hold `pitches[v]` at every step. */
function holding(steps: number, pitches: [number, number, number], seed = 0): Candidate {
  const voices = new Uint8Array(steps * PITCHES * ACCOMPANIMENT_TRACKS);
  for (let step = 0; step < steps; step++) pitches.forEach((p, v) => (voices[(step * PITCHES + p) * ACCOMPANIMENT_TRACKS + v] = 1));
  return { seed, voices };
}

describe('bestBlocks', () => {
  it('finds the block choice with the lowest total cost, as trying every choice does', () => {
    const uniform = createUniform(5);
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + (trial % 3);
      const windows = 1 + (trial % 4);
      const costs = Array.from({ length: windows }, () => Float64Array.from({ length: n * n }, () => uniform() * 4 - 2));
      const total = (blocks: number[]) => costs.reduce((sum, c, w) => sum + c[blocks[w] * n + blocks[w + 1]], 0);
      let best = Infinity;
      const visit = (prefix: number[]) => {
        if (prefix.length === windows + 1) best = Math.min(best, total(prefix));
        else for (let k = 0; k < n; k++) visit([...prefix, k]);
      };
      visit([]);
      const blocks = bestBlocks(costs, n);
      expect(blocks).toHaveLength(windows + 1);
      expect(total(blocks)).toBeCloseTo(best, 12);
    }
    expect(bestBlocks([], 4)).toEqual([0]);
  });
});

describe('stitching candidates', () => {
  it('reads a candidate as the critics do and joins blocks of 16 steps, the last running to the end', () => {
    const input = intoModelRegister(melodyRoll(40, 72));
    const a = holding(40, [65, 57, 48], 1);
    const b = holding(40, [64, 55, 43], 2);
    const lines = candidateLines(a, input);
    expect(Array.from(lines.pitch.subarray(0, 4))).toEqual([72, 65, 57, 48]);
    expect(stitchWindows(40)).toBe(1);
    expect(stitchWindows(31)).toBe(0);
    const joined = joinBlocks([a, b], [0, 1], 40);
    const at = (step: number) => Array.from(candidateLines(joined, input).pitch.subarray(step * 4 + 1, step * 4 + 4));
    expect(at(15)).toEqual([65, 57, 48]);
    expect(at(16)).toEqual([64, 55, 43]);
    expect(at(39)).toEqual([64, 55, 43]);
    expect(joined.seed).toBe(1);
  });

  it('takes each block from the candidate the scorer reads best, judging the windows across the joins', async () => {
    const steps = 64;
    const input = intoModelRegister(melodyRoll(steps, 72));
    const candidates = [holding(steps, [65, 57, 48], 1), holding(steps, [64, 55, 43], 2), holding(steps, [67, 60, 52], 3)];
    // Wanted per block of 16 steps: the alto of candidate 2, 0, 0, 1. A window is read "like the music" for each
    // half whose alto is the wanted one.
    const wanted = [67, 65, 65, 64];
    let scored = 0;
    const scorer = async (windows: readonly ClassifierWindow[]) => {
      scored += windows.length;
      return Float32Array.from(windows, (w, k) => {
        const block = Math.floor(k / 9);
        const hits = [0, 1].filter((half) => w.lines.pitch[half * 64 + 1] === wanted[block + half]).length;
        return [0.9, 0.5, 0.1][hits];
      });
    };
    const stitch = await stitchCandidates(candidates, input, scorer);
    expect(scored).toBe(3 * 9);
    expect(stitch.blocks).toEqual([2, 0, 0, 1]);
    const lines = candidateLines(stitch.candidate, input);
    expect([0, 16, 32, 48].map((s) => lines.pitch[s * 4 + 1])).toEqual(wanted);
    // One candidate, or a melody shorter than a window: the first candidate as it is, nothing scored.
    const short = intoModelRegister(melodyRoll(20, 72));
    const kept = await stitchCandidates(
      candidates.map((c) => ({ ...c, voices: c.voices.subarray(0, 20 * PITCHES * ACCOMPANIMENT_TRACKS) })),
      short,
      scorer,
    );
    expect(kept.blocks).toEqual([0]);
    expect(scored).toBe(27);
  });
});

describe('the style critic in a model', () => {
  it('keeps its weights through the model files, and a damaged one is refused with a message', async () => {
    const engine = GanEngine.create(tinyConfig());
    engine.styleCritic = {
      classifier: WindowClassifier.initial(STYLE_CRITIC_DESIGN, STYLE_CRITIC_VIEW, 3),
      fittedAtIteration: 0,
      candidates: 3,
    };
    const files = await exportModel(engine);
    const loaded = await importModel(files);
    expect(loaded.styleCritic?.candidates).toBe(3);
    const lines = candidateLines(holding(32, [65, 57, 48]), intoModelRegister(melodyRoll(32, 72)));
    const window: ClassifierWindow[] = [{ lines, start: 0, label: 1 }];
    expect(Array.from(await loaded.styleCritic!.classifier.scores(window))).toEqual(
      Array.from(await engine.styleCritic.classifier.scores(window)),
    );
    const manifest = JSON.parse(files.modelJson);
    manifest.styleCritic.weights[0].shape = [1, 2, 3];
    await expect(importModel({ ...files, modelJson: JSON.stringify(manifest) })).rejects.toThrow(ModelFileError);
    await expect(importModel({ ...files, modelJson: JSON.stringify(manifest) })).rejects.toThrow(/weights of the style critic do not fit/);
    const withoutCandidates = JSON.parse(files.modelJson);
    withoutCandidates.styleCritic.candidates = 1;
    await expect(importModel({ ...files, modelJson: JSON.stringify(withoutCandidates) })).rejects.toThrow(
      /style critic .* damaged: 1 candidates/,
    );
    engine.dispose();
    loaded.dispose();
  });

  it("decides what 'auto' candidates means, and generation stitches the candidates' blocks", async () => {
    const engine = GanEngine.create(tinyConfig({ seed: 4 }));
    const melody = melodyRoll(48, 72);
    const plain = await generate(engine, melody, 5);
    expect(plain.report.candidates).toHaveLength(1);
    expect(plain.report.blocks).toBeNull();
    engine.styleCritic = {
      classifier: WindowClassifier.initial(STYLE_CRITIC_DESIGN, STYLE_CRITIC_VIEW, 3),
      fittedAtIteration: 0,
      candidates: 3,
    };
    const { roll, report } = await generate(engine, melody, 5);
    expect(report.candidates.map((c) => c.seed)).toEqual(candidateSeeds(5, 3));
    expect(report.blocks).toHaveLength(3);
    expect(describeReport(report)).toMatch(/^3 candidates stitched by the style critic \(\d of them used over 3 blocks\); scores/);
    // Each block is its candidate's, as that candidate alone writes it.
    const alone = await Promise.all(report.candidates.map((c) => generate(engine, melody, c.seed, { candidates: 1 })));
    const tracks = roll.tracks.length;
    report.blocks!.forEach((k, block) => {
      const from = block * 16 * PITCHES * tracks;
      const to = block === report.blocks!.length - 1 ? roll.active.length : (block + 1) * 16 * PITCHES * tracks;
      expect(Array.from(roll.active.subarray(from, to))).toEqual(Array.from(alone[k].roll.active.subarray(from, to)));
    });
    // A number of candidates asked for is that number, stitched too; 1 is one candidate.
    expect((await generate(engine, melody, 5, { candidates: 2 })).report.blocks).toHaveLength(3);
    expect((await generate(engine, melody, 5, { candidates: 1 })).report.blocks).toBeNull();
    engine.dispose();
  });
});

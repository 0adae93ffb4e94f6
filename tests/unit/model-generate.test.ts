import '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GanEngine } from '../../src/model/gan';
import { candidateWindows, chooseCandidate, criticScorer, type CandidateScorer } from '../../src/model/generate/choice';
import { decodeVoices } from '../../src/model/generate/decoding';
import { checkedOptions, describeReport, generate } from '../../src/model/generate/pipeline';
import { placeInUserRegister } from '../../src/model/generate/placement';
import { intoModelRegister, voiceScores } from '../../src/model/generate/scores';
import { type Candidate } from '../../src/model/generate/types';
import { windowStarts } from '../../src/model/generate/windows';
import { MODEL_TRACKS, ACCOMPANIMENT_TRACKS, PITCHES, WINDOW_STEPS } from '../../src/music/pianoRoll';
import { DEFAULT_GENERATION_OPTIONS, GenerationOptionsError } from '../../src/protocol/generation';
import { melodyRoll, tinyConfig, useCpu } from './model-fixtures';
import { useWasm } from './wasm-fixtures';

beforeAll(useWasm);
afterAll(useCpu);

describe('the generation pipeline', () => {
  it('is its four stages in a row, each reading the options it uses', async () => {
    const engine = GanEngine.create(tinyConfig({ seed: 12 }));
    const melody = melodyRoll(3 * 16, 50);
    for (const options of [
      DEFAULT_GENERATION_OPTIONS,
      { ...DEFAULT_GENERATION_OPTIONS, decodeMode: 'single' as const, join: 'tile' as const },
    ]) {
      const input = intoModelRegister(melody);
      const scores = await voiceScores(engine, input, 4, options);
      const staged = placeInUserRegister(decodeVoices(scores, input, 4, options), input);
      const { roll } = await generate(engine, melody, 4, options);
      expect(Array.from(roll.active)).toEqual(Array.from(staged.active));
      expect(Array.from(roll.onsets!)).toEqual(Array.from(staged.onsets!));
      expect(Array.from(await engine.accompany(melody, 4, options).then((r) => r.active))).toEqual(Array.from(roll.active));
    }
    engine.dispose();
  });

  it('reports the time of each stage and the one candidate it kept unscored', async () => {
    const engine = GanEngine.create(tinyConfig());
    let clock = 0;
    const { report } = await generate(engine, melodyRoll(16, 72), 2, {}, { now: () => (clock += 5) });
    expect(report.candidates).toEqual([{ seed: 2, score: null }]);
    expect(report.chosen).toBe(0);
    expect(Object.keys(report.stageMs)).toEqual(['scores', 'decode', 'sample', 'choose', 'place']);
    // A generator that reads the melody alone does not sample (model-voice-context.test.ts times one that does).
    const { sample, ...ran } = report.stageMs;
    expect(sample).toBe(0);
    for (const ms of Object.values(ran)) expect(ms).toBeGreaterThan(0);
    expect(describeReport(report)).toMatch(/^1 candidate; scores \d+ ms, decode \d+ ms, sample 0 ms, choose \d+ ms, place \d+ ms$/);
    engine.dispose();
  });

  it('refuses options the schema or a stage refuses, before running the network', async () => {
    expect(() => checkedOptions({ decodeWeights: { chordBonuz: 1 } })).toThrow(/has no weight "chordBonuz"/);
    expect(() => checkedOptions({ voicing: 'single' } as never)).toThrow(GenerationOptionsError);
    const engine = GanEngine.create(tinyConfig());
    await expect(engine.accompany(melodyRoll(16, 72), 1, { decodeMode: 'jazz' as never })).rejects.toThrow(/decodeMode must be one of/);
    engine.dispose();
  });
});

describe('best of N (the candidates option)', () => {
  it("decodes N variations, the first of them the seed's own, and keeps the one the critic scores highest", async () => {
    const engine = GanEngine.create(tinyConfig({ seed: 8 }));
    const melody = melodyRoll(2 * 16, 67);
    const { roll, report } = await generate(engine, melody, 5, { candidates: 3 });
    expect(report.candidates).toHaveLength(3);
    expect(report.candidates[0].seed).toBe(5);
    expect(new Set(report.candidates.map((c) => c.seed)).size).toBe(3);
    const scores = report.candidates.map((c) => c.score as number);
    expect(report.chosen).toBe(scores.indexOf(Math.max(...scores)));
    // The kept candidate is the accompaniment of its own seed.
    const alone = await engine.accompany(melody, report.candidates[report.chosen].seed);
    expect(Array.from(roll.active)).toEqual(Array.from(alone.active));
    expect(describeReport(report)).toMatch(/^best of 3 candidates by the critic \(seed \d+, score -?\d+\.\d{3}\); scores/);
    // Another seed draws other candidates, not the next ones along.
    const next = await generate(engine, melody, 6, { candidates: 3 });
    expect(next.report.candidates.map((c) => c.seed).filter((s) => report.candidates.some((c) => c.seed === s))).toEqual([]);
    engine.dispose();
  });
});

describe('the choice among candidates', () => {
  const candidate = (seed: number): Candidate => ({ seed, voices: new Uint8Array(0) });

  it('keeps a single candidate without scoring it, else the best-scoring one (the first of equals)', async () => {
    let calls = 0;
    const scorer =
      (scores: number[]): CandidateScorer =>
      async () => {
        calls++;
        return scores;
      };
    expect(await chooseCandidate([candidate(1)], scorer([]))).toEqual({ index: 0, scores: null });
    expect(calls).toBe(0);
    expect(await chooseCandidate([candidate(1), candidate(2), candidate(3)], scorer([0.1, 0.7, 0.7]))).toEqual({
      index: 1,
      scores: [0.1, 0.7, 0.7],
    });
    expect(calls).toBe(1);
  });

  it("scores a candidate by the critic's mean over its windows, melody on track 0 and voices on 1..3", async () => {
    const engine = GanEngine.create(tinyConfig({ seed: 3 }));
    const melody = melodyRoll(2 * 16 + 8, 48);
    const input = intoModelRegister(melody);
    const options = DEFAULT_GENERATION_OPTIONS;
    const candidates = [1, 2].map((seed) => voiceScores(engine, input, seed, options).then((s) => decodeVoices(s, input, seed, options)));
    const decoded = await Promise.all(candidates);
    const starts = windowStarts(melody.steps, options.join);
    const windows = candidateWindows(decoded, input, starts);
    const windowSize = WINDOW_STEPS * PITCHES * MODEL_TRACKS;
    expect(windows.length).toBe(2 * starts.length * windowSize);
    // Track 0 is the melody in the model's register; tracks 1..3 the candidate's voices.
    const step = 5;
    const melodyPitch = input.top[step];
    expect(windows[(step * PITCHES + melodyPitch) * MODEL_TRACKS]).toBe(1);
    for (let q = 0; q < PITCHES; q++) {
      for (let v = 0; v < ACCOMPANIMENT_TRACKS; v++) {
        expect(windows[(step * PITCHES + q) * MODEL_TRACKS + v + 1]).toBe(
          decoded[0].voices[(step * PITCHES + q) * ACCOMPANIMENT_TRACKS + v] ? 1 : -1,
        );
      }
    }
    const perWindow = await engine.criticScores(windows);
    const scores = await criticScorer(engine, input, options)(decoded);
    expect(scores).toHaveLength(2);
    scores.forEach((score, c) => {
      const own = Array.from(perWindow.subarray(c * starts.length, (c + 1) * starts.length));
      expect(score).toBeCloseTo(own.reduce((a, b) => a + b, 0) / own.length, 5);
    });
    engine.dispose();
  });
});

/**
 * Generation stage 3 with a style critic (src/model/styleCritic.ts): the candidates are cut into blocks of one
 * window hop (16 steps) and the accompaniment takes each block from one candidate, chosen so that the style critic
 * finds the whole most like its training music. Every two-bar window the critic reads (blocks w and w + 1) is scored
 * for every pair of candidates, so the joins are judged too; a Viterbi pass over the blocks then picks the choice
 * whose windows sum to the lowest logit ("the system" least). Every candidate keeps the locks, so the result does.
 */
import { CRITIC_HOP_STEPS, CRITIC_WINDOW_STEPS, type VoiceLines } from '../../music/criticWindows';
import { MODEL_TRACKS, ACCOMPANIMENT_TRACKS, PITCHES } from '../../music/pianoRoll';
import type { ClassifierWindow } from '../windowClassifier';
import { candidatePitches, type Candidate, type ModelMelody } from './types';

/** Reads windows: one probability of "not the training music" per window. */
export type WindowScorer = (windows: readonly ClassifierWindow[]) => Promise<Float32Array>;

/** The stitched accompaniment and which candidate each block came from. */
export interface Stitch {
  candidate: Candidate;
  /** Per block of CRITIC_HOP_STEPS steps (the last one runs to the end), the index of its candidate. */
  blocks: number[];
}

/** A candidate read as the critics read a chorale: the melody's top line, then each voice's highest pitch per step. */
export function candidateLines(candidate: Candidate, input: ModelMelody): VoiceLines {
  const steps = input.melody.steps;
  const pitch = new Int16Array(steps * MODEL_TRACKS).fill(-1);
  const voices = candidatePitches(candidate.voices, steps);
  for (let step = 0; step < steps; step++) {
    pitch[step * MODEL_TRACKS] = input.top[step];
    for (let voice = 0; voice < ACCOMPANIMENT_TRACKS; voice++) pitch[step * MODEL_TRACKS + voice + 1] = voices[voice][step];
  }
  return { steps, pitch };
}

/** Windows that the critics read in a melody of `steps` steps: one per hop, each whole. */
export function stitchWindows(steps: number): number {
  return steps < CRITIC_WINDOW_STEPS ? 0 : Math.floor((steps - CRITIC_WINDOW_STEPS) / CRITIC_HOP_STEPS) + 1;
}

/**
 * The choice of block sources minimising the sum of `pairCost[w][a * n + b]` over the windows w (block w from a,
 * block w + 1 from b): a Viterbi pass; ties keep the lower candidate index. Returns windows + 1 block choices.
 */
export function bestBlocks(pairCost: readonly Float64Array[], n: number): number[] {
  const windows = pairCost.length;
  if (windows === 0) return [0];
  let cost = new Float64Array(n);
  const back: Int32Array[] = [];
  for (let w = 0; w < windows; w++) {
    const next = new Float64Array(n).fill(Infinity);
    const from = new Int32Array(n);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const total = cost[a] + pairCost[w][a * n + b];
        if (total < next[b]) {
          next[b] = total;
          from[b] = a;
        }
      }
    }
    back.push(from);
    cost = next;
  }
  let last = 0;
  for (let k = 1; k < n; k++) if (cost[k] < cost[last]) last = k;
  const blocks = new Array<number>(windows + 1);
  blocks[windows] = last;
  for (let w = windows - 1; w >= 0; w--) blocks[w] = back[w][blocks[w + 1]];
  return blocks;
}

/** The candidate made of each block of `blocks` taken from its candidate. */
export function joinBlocks(candidates: readonly Candidate[], blocks: readonly number[], steps: number): Candidate {
  const size = steps * PITCHES * ACCOMPANIMENT_TRACKS;
  const voices = new Uint8Array(size);
  const withOnsets = candidates.every((c) => c.onsets !== undefined);
  const onsets = withOnsets ? new Uint8Array(size) : undefined;
  const row = PITCHES * ACCOMPANIMENT_TRACKS;
  for (let step = 0; step < steps; step++) {
    const source = candidates[blocks[Math.min(blocks.length - 1, Math.floor(step / CRITIC_HOP_STEPS))]];
    voices.set(source.voices.subarray(step * row, (step + 1) * row), step * row);
    if (onsets && source.onsets) onsets.set(source.onsets.subarray(step * row, (step + 1) * row), step * row);
  }
  return { seed: candidates[blocks[0]].seed, voices, ...(onsets ? { onsets } : {}) };
}

/** Stitches the candidates block by block as `score` reads them best (see the file's comment). */
export async function stitchCandidates(candidates: readonly Candidate[], input: ModelMelody, score: WindowScorer): Promise<Stitch> {
  if (candidates.length === 0) throw new Error('internal: no candidate to stitch');
  const steps = input.melody.steps;
  const windows = stitchWindows(steps);
  const n = candidates.length;
  if (n === 1 || windows === 0) return { candidate: candidates[0], blocks: new Array<number>(windows + 1).fill(0) };
  const lines = candidates.map((c) => candidateLines(c, input));
  const pairs: ClassifierWindow[] = [];
  const half = CRITIC_HOP_STEPS * MODEL_TRACKS;
  for (let w = 0; w < windows; w++) {
    const first = w * half;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const pitch = new Int16Array(CRITIC_WINDOW_STEPS * MODEL_TRACKS);
        pitch.set(lines[a].pitch.subarray(first, first + half), 0);
        pitch.set(lines[b].pitch.subarray(first + half, first + 2 * half), half);
        pairs.push({ lines: { steps: CRITIC_WINDOW_STEPS, pitch }, start: 0, label: 1 });
      }
    }
  }
  const probabilities = await score(pairs);
  const pairCost = Array.from({ length: windows }, (_, w) => {
    const cost = new Float64Array(n * n);
    for (let k = 0; k < n * n; k++) {
      const p = Math.min(1 - 1e-6, Math.max(1e-6, probabilities[w * n * n + k]));
      cost[k] = Math.log(p / (1 - p));
    }
    return cost;
  });
  const blocks = bestBlocks(pairCost, n);
  return { candidate: joinBlocks(candidates, blocks, steps), blocks };
}

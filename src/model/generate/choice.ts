/**
 * Generation stage 3, the choice: which candidates to decode, and which of them to keep. A scorer ranks the
 * candidates (higher is better); the critic's scorer reads each candidate as the critic reads a training window,
 * in the model's register. A single candidate is kept without scoring.
 */
import { MODEL_TRACKS, ACCOMPANIMENT_TRACKS, PITCHES, WINDOW_STEPS } from '../../music/pianoRoll';
import { mixSeed } from '../../music/random';
import type { GenerationOptions } from '../../protocol/generation';
import { type Candidate, type GenerationNetworks, type ModelMelody } from './types';
import { windowStarts } from './windows';

/** Mixed into a seed for the seeds of its further candidates, so that seed s + 1 does not share s's candidates. */
const CANDIDATE_SALT = 0xca4d;

/**
 * How many candidates to decode: the number the options ask for; for 'auto', as many as the model's style critic was
 * fitted for, or one where it has none.
 */
export function candidateCount(options: Pick<GenerationOptions, 'candidates'>, networks: Pick<GenerationNetworks, 'styleCritic'>): number {
  if (options.candidates !== 'auto') return options.candidates;
  return networks.styleCritic?.candidates ?? 1;
}

/**
 * The seeds of `count` candidates to decode: the first is `seed` itself (so one candidate is the accompaniment of
 * `seed`), the others are drawn from it.
 */
export function candidateSeeds(seed: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? seed : mixSeed(seed, CANDIDATE_SALT, i)));
}

/** Scores candidates for the choice: one number per candidate, higher is better. */
export type CandidateScorer = (candidates: readonly Candidate[]) => Promise<number[]>;

/** The candidates' 4-track windows [n, 32, 128, 4] of -1/+1 (the melody on track 0), as the critic reads them. */
export function candidateWindows(candidates: readonly Candidate[], input: ModelMelody, starts: readonly number[]): Int8Array {
  const steps = input.melody.steps;
  const windowSize = WINDOW_STEPS * PITCHES * MODEL_TRACKS;
  const data = new Int8Array(candidates.length * starts.length * windowSize).fill(-1);
  candidates.forEach((candidate, c) => {
    starts.forEach((start, w) => {
      const base = (c * starts.length + w) * windowSize;
      for (let t = 0; t < WINDOW_STEPS && start + t < steps; t++) {
        for (let q = 0; q < PITCHES; q++) {
          const cell = base + (t * PITCHES + q) * MODEL_TRACKS;
          const p = q - input.shift;
          if (p >= 0 && p < PITCHES && input.active[(start + t) * PITCHES + p]) data[cell] = 1;
          for (let v = 0; v < ACCOMPANIMENT_TRACKS; v++)
            if (candidate.voices[((start + t) * PITCHES + q) * ACCOMPANIMENT_TRACKS + v]) data[cell + v + 1] = 1;
        }
      }
    });
  });
  return data;
}

/** Scores each candidate by the critic's mean score over its windows (those `options.join` cuts the melody into). */
export function criticScorer(networks: GenerationNetworks, input: ModelMelody, options: Pick<GenerationOptions, 'join'>): CandidateScorer {
  return async (candidates) => {
    const starts = windowStarts(input.melody.steps, options.join);
    const scores = await networks.criticScores(candidateWindows(candidates, input, starts));
    return candidates.map((_, c) => {
      let sum = 0;
      for (let w = 0; w < starts.length; w++) sum += scores[c * starts.length + w];
      return sum / starts.length;
    });
  };
}

/** What the choice kept: the index of the candidate, and every candidate's score (null when one candidate needed none). */
export interface Choice {
  index: number;
  scores: number[] | null;
}

/** Keeps the best-scoring candidate (the first of equals); a single candidate is kept without scoring. */
export async function chooseCandidate(candidates: readonly Candidate[], scorer: CandidateScorer): Promise<Choice> {
  if (candidates.length === 0) throw new Error('internal: no candidate to choose from');
  if (candidates.length === 1) return { index: 0, scores: null };
  const scores = await scorer(candidates);
  let index = 0;
  for (let c = 1; c < scores.length; c++) if (scores[c] > scores[index]) index = c;
  return { index, scores };
}

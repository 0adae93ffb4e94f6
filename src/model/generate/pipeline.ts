/**
 * Generation: accompanying a melody of any length with alto, tenor and bass (or, for a model of the user's own
 * music, the tracks of its data, named and voiced after them), as four named stages. One
 * GenerationOptions object (src/protocol/generation.ts) goes down the stages; each reads what it uses of it.
 * 1. scores (scores.ts): the melody moved into the model's register and the generator's voice scores for it;
 * 2. decode (decoding.ts): the scores become notes, one candidate per seed the choice asks for;
 *    sample (gibbs.ts): with a generator that reads the voices (voice context), each candidate is then rewritten by
 *    Gibbs sampling, a share of its cells hidden and drawn again from what the network writes given the rest;
 * 3. choose: with a style critic (a chorale model's, src/model/styleCritic.ts), the accompaniment takes each block of
 *    one window hop from the candidate it finds most like the training music (stitch.ts); without one, the GAN's
 *    critic scores each whole candidate and the best is kept (choice.ts);
 * 4. place (placement.ts): the kept voices under the user's melody, in the user's register.
 * The same seed and options give the same accompaniment. With a lock (infilling: src/music/locks.ts, lock.ts), the
 * locked cells of an accompaniment are kept exactly and the stages write the rest to fit them: re-harmonizing what
 * the user did not fix and writing a range of bars again are the same call with other locks.
 */
import type { AccompanimentLock } from '../../music/locks';
import type { PianoRoll } from '../../music/pianoRoll';
import { resolveGenerationOptions, type GenerationOptions, type GenerationOptionsInput } from '../../protocol/generation';
import { candidateCount, candidateSeeds, chooseCandidate, criticScorer } from './choice';
import { checkDecodingOptions, decodeVoices } from './decoding';
import { gibbsSettingsFor, gibbsRefine } from './gibbs';
import { checkLock, intoModelLock } from './lock';
import { placeInUserRegister } from './placement';
import { intoModelRegister, voiceScores } from './scores';
import { stitchCandidates } from './stitch';
import type { Candidate, GenerationNetworks } from './types';

export const GENERATION_STAGES = ['scores', 'decode', 'sample', 'choose', 'place'] as const;
export type GenerationStage = (typeof GENERATION_STAGES)[number];

/** How a generation went: where its time went and what the choice saw. */
export interface GenerationReport {
  /** Milliseconds spent in each stage, over all candidates. */
  stageMs: Record<GenerationStage, number>;
  /** Each candidate's seed and score (null: a single candidate, kept unscored). */
  candidates: { seed: number; score: number | null }[];
  /** The index of the candidate kept (with a style critic: the one the first block came from). */
  chosen: number;
  /** With a style critic: the candidate each block of 16 steps came from; null when one whole candidate was kept. */
  blocks: number[] | null;
}

/** An accompanied roll and how it was made. */
export interface Generation {
  roll: PianoRoll;
  report: GenerationReport;
}

/** Resolves options with their defaults and checks them as their schema and the stages that read them do; throws GenerationOptionsError. */
export function checkedOptions(input: GenerationOptionsInput = {}): GenerationOptions {
  const options = resolveGenerationOptions(input);
  checkDecodingOptions(options);
  return options;
}

/** What a generation takes besides its options. */
export interface GenerateExtras {
  /** The accompaniment cells to keep (infilling); null or absent: write every cell. */
  lock?: AccompanimentLock | null;
  /** The clock the stages are timed by, in milliseconds. */
  now?: () => number;
}

/**
 * Accompanies `melody` (track 0, any length, 16th-note grid) with `networks`: `seed` picks the variation,
 * `input` the options (defaults for what it leaves out), `extras.lock` the cells of an accompaniment to keep. The
 * result has the melody exactly as given, and its length, tempo and metre. Throws GenerationOptionsError for options
 * or a lock that do not fit, before running the network.
 */
export async function generate(
  networks: GenerationNetworks,
  melody: PianoRoll,
  seed: number,
  input: GenerationOptionsInput = {},
  extras: GenerateExtras = {},
): Promise<Generation> {
  const options = checkedOptions(input);
  const lock = extras.lock ?? null;
  if (lock) checkLock(lock, melody);
  const now = extras.now ?? (() => performance.now());
  const stageMs: Record<GenerationStage, number> = { scores: 0, decode: 0, sample: 0, choose: 0, place: 0 };
  const timed = async <T>(stage: GenerationStage, work: () => T | Promise<T>): Promise<T> => {
    const start = now();
    try {
      return await work();
    } finally {
      stageMs[stage] += now() - start;
    }
  };
  const profile = networks.dataProfile ?? null;
  const own = profile?.kind === 'own' ? profile : null;
  const modelMelody = await timed('scores', () => intoModelRegister(melody, own?.melody));
  const drums = (own?.tracks ?? []).map((track) => track.isDrum);
  const modelLock = lock ? intoModelLock(lock, modelMelody, drums) : null;
  const sampling = gibbsSettingsFor(options, networks, profile);
  const candidates: Candidate[] = [];
  for (const candidateSeed of candidateSeeds(seed, candidateCount(options, networks))) {
    const scores = await timed('scores', () => voiceScores(networks, modelMelody, candidateSeed, options));
    const first = await timed('decode', () => decodeVoices(scores, modelMelody, candidateSeed, options, profile, modelLock));
    candidates.push(
      sampling ? await timed('sample', () => gibbsRefine(networks, modelMelody, first, candidateSeed, sampling, modelLock)) : first,
    );
  }
  const styleCritic = own ? null : (networks.styleCritic ?? null);
  const choice = await timed('choose', async () => {
    if (styleCritic && candidates.length > 1) {
      const stitch = await stitchCandidates(candidates, modelMelody, (windows) => styleCritic.classifier.scores(windows));
      return { kept: stitch.candidate, index: stitch.blocks[0], scores: null, blocks: stitch.blocks };
    }
    const best = await chooseCandidate(candidates, criticScorer(networks, modelMelody, options));
    return { kept: candidates[best.index], index: best.index, scores: best.scores, blocks: null };
  });
  const roll = await timed('place', () => placeInUserRegister(choice.kept, modelMelody, own?.tracks, lock));
  return {
    roll,
    report: {
      stageMs,
      candidates: candidates.map((c, i) => ({ seed: c.seed, score: choice.scores ? choice.scores[i] : null })),
      chosen: choice.index,
      blocks: choice.blocks,
    },
  };
}

/** The report in one line, e.g. "1 candidate; scores 210 ms, decode 95 ms, choose 0 ms, place 2 ms". */
export function describeReport(report: GenerationReport): string {
  const count = report.candidates.length;
  const kept = report.candidates[report.chosen];
  const choice =
    count === 1
      ? '1 candidate'
      : report.blocks
        ? `${count} candidates stitched by the style critic (${new Set(report.blocks).size} of them used over ${report.blocks.length} blocks)`
        : `best of ${count} candidates by the critic (seed ${kept.seed}, score ${kept.score?.toFixed(3)})`;
  const times = GENERATION_STAGES.map((stage) => `${stage} ${Math.round(report.stageMs[stage])} ms`).join(', ');
  return `${choice}; ${times}`;
}

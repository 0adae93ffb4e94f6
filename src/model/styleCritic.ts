/**
 * The style critic: a second critic, fitted after the GAN has trained, that reads decoded accompaniments the way the
 * evaluation's critic test does (two-bar four-voice windows) and says how far each window is from the training
 * chorales. It is discriminator reranking (as in discriminator rejection sampling): the generator writes several
 * candidate accompaniments of a melody, and the generation keeps, bar by bar, the candidates' bars that the style
 * critic finds most like Bach (src/model/generate/stitch.ts).
 *
 * It learns on the model's own candidates of the train split's sopranos against Bach's own voices
 * (`npm run fit-style-critic`), never on the chorales the evaluation reads. Its design differs from the critic test's
 * (CRITIC_TEST_DESIGN: 64 filters, kernels 1-3-3-3): half the filters, a kernel of 5 for the second convolution, its
 * own seed, so the evaluation does not measure the choice by the very network that made it.
 */
import type { CriticView } from '../music/criticWindows';
import { WindowClassifier, type ClassifierWeights, type WindowClassifierDesign } from './windowClassifier';

/** The style critic's classifier design (see windowClassifier.ts). */
export const STYLE_CRITIC_DESIGN: WindowClassifierDesign = {
  filters: 32,
  layers: [
    { kernel: 1, stride: 1 },
    { kernel: 5, stride: 1 },
    { kernel: 3, stride: 2 },
    { kernel: 3, stride: 2 },
  ],
  learningRate: 0.003,
  epochs: 6,
  batchSize: 128,
  maxTransposition: 5,
};

/** What the style critic reads of each window: every voice's pitch and rests. */
export const STYLE_CRITIC_VIEW: CriticView = 'full';

/** The seed of its weights, window order and transpositions. */
export const STYLE_CRITIC_SEED = 7;

/** Candidates a generation decodes for the style critic to choose from when its options leave the number to the model. */
export const STYLE_CANDIDATES = 8;

/** A fitted style critic and what it was fitted on. */
export interface StyleCritic {
  classifier: WindowClassifier;
  /** The generator's iteration whose candidates it learned from. */
  fittedAtIteration: number;
  /** Candidates per melody it learned from (and a generation decodes by default). */
  candidates: number;
}

/** A style critic with the given weights, refused with a RangeError when they do not fit the design. */
export function styleCriticFromWeights(weights: ClassifierWeights, fittedAtIteration: number, candidates: number): StyleCritic {
  if (!Number.isInteger(fittedAtIteration) || fittedAtIteration < 0)
    throw new RangeError(`fitted at iteration ${fittedAtIteration}: not a count`);
  if (!Number.isInteger(candidates) || candidates < 2) throw new RangeError(`${candidates} candidates: a style critic needs at least 2`);
  return { classifier: WindowClassifier.fromWeights(STYLE_CRITIC_DESIGN, STYLE_CRITIC_VIEW, weights), fittedAtIteration, candidates };
}

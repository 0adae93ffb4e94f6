/**
 * The critic test: a classifier two-sample test of how well a system's alto, tenor and bass pass for Bach's.
 *
 * A small 1-D convolutional network, separate from the GAN's critic, learns on two-bar windows of training
 * chorales to tell Bach's four voices (label 0) from a system's (label 1) under the same sopranos, each window
 * transposed at random; it is then scored on the windows of chorales it never saw. Accuracy 0.5 means it cannot
 * tell them apart; 1.0 means every window gives the system away. The design is fixed (CRITIC_TEST_DESIGN: the
 * layers, the seeds, the schedule), so that readings of different models, or of one model over time, compare.
 *
 * Windows and their feature planes come from src/music/criticWindows.ts; a `view` restricts what the network is
 * shown (rhythm only, pitch classes only, the bass alone), to say what still gives a system away.
 */
import type { CriticView } from '../music/criticWindows';
import type { PianoRoll } from '../music/pianoRoll';
import { rollWindows, WindowClassifier, type ClassifierWindow, type WindowClassifierDesign } from './windowClassifier';

/**
 * The fixed design of the test. Changing any of it changes every reading; keep it fixed once models are measured.
 * - four convolutions along time, each with `filters` channels and a ReLU: the first a per-step mixing of the input
 *   planes (kernel 1: what sounds at the step), then kernel 3, then kernel 3 twice halving the steps (32 -> 16 -> 8);
 *   then one logistic unit over the flattened 8 x `filters` features: about 54,000 weights in the full view;
 * - Adam at `learningRate`, `epochs` passes over the training windows in a seeded order, `batchSize` windows a
 *   step, the loss weighted so that Bach's windows and the system's count equally;
 * - every training window transposed by a seeded whole number of semitones in [-maxTransposition, maxTransposition]
 *   each pass (all voices together), so the network learns voice leading and harmony rather than keys.
 */
export const CRITIC_TEST_DESIGN: WindowClassifierDesign = {
  filters: 64,
  /** Kernel width and stride of each convolution, in order. */
  layers: [
    { kernel: 1, stride: 1 },
    { kernel: 3, stride: 1 },
    { kernel: 3, stride: 2 },
    { kernel: 3, stride: 2 },
  ],
  learningRate: 0.003,
  epochs: 6,
  batchSize: 128,
  maxTransposition: 5,
};

/**
 * A second, fixed classifier of another design that the evaluation also reads the model with (full view only): a
 * gain that only the test's own network fails to see (a choice among candidates tuned to one network's blind spot)
 * shows as a gap between the two. 48 filters; kernel 1, then kernel 7 and kernel 5 each halving the steps; Adam at
 * 0.002, 8 passes, batches of 64.
 */
export const CRITIC_CHECK_DESIGN: WindowClassifierDesign = {
  filters: 48,
  layers: [
    { kernel: 1, stride: 1 },
    { kernel: 7, stride: 2 },
    { kernel: 5, stride: 2 },
  ],
  learningRate: 0.002,
  epochs: 8,
  batchSize: 64,
  maxTransposition: 5,
};

/** Two sets of four-voice rolls: Bach's (or a first sample) and a system's (or a second sample). */
export interface CriticTestSample {
  /** Bach's chorales, four tracks each (soprano, alto, tenor, bass). */
  bach: readonly PianoRoll[];
  /** The system's chorales, four tracks each; usually the same sopranos as `bach`, but no pairing is needed. */
  system: readonly PianoRoll[];
}

/** Options of `criticTest`. */
export interface CriticTestOptions {
  /** The seed of the weights, the window order and the transpositions (default 1). */
  seed?: number;
  /** What the network is shown (default 'full'). */
  view?: CriticView;
  /** Passes over the training windows (default the design's); fewer only for quick tests. */
  epochs?: number;
  /** The classifier's design (default CRITIC_TEST_DESIGN). */
  design?: WindowClassifierDesign;
}

/** What the test reads, on the evaluated chorales. */
export interface CriticTestResult {
  /** Share of windows classified right at the 0.5 threshold, the mean of Bach's share and the system's. */
  window_accuracy: number;
  /** Area under the ROC curve of the window scores: the chance a system window scores above a Bach window. */
  auc: number;
  /** Share of chorales classified right by their mean window score at 0.5, Bach's and the system's weighed equally. */
  chorale_accuracy: number;
  /** Windows trained on and scored, each side together. */
  train_windows: number;
  evaluated_windows: number;
}

interface Window extends ClassifierWindow {
  /** Which chorale of its side the window comes from. */
  chorale: number;
}

function windowsOf(sample: CriticTestSample): Window[] {
  const windows: Window[] = [];
  for (const [label, rolls] of [sample.bach, sample.system].entries()) {
    rolls.forEach((roll, chorale) => {
      for (const window of rollWindows(roll, label)) windows.push({ ...window, chorale });
    });
  }
  return windows;
}

/** Trains a classifier of the test's design on `train` and returns its scores (probability of "the system") of `evaluated`'s windows. */
async function trainAndScore(
  train: Window[],
  evaluated: Window[],
  view: CriticView,
  seed: number,
  epochs: number,
  design: WindowClassifierDesign,
): Promise<Float32Array> {
  const classifier = WindowClassifier.initial(design, view, seed);
  try {
    await classifier.train(train, seed, epochs);
    return await classifier.scores(evaluated);
  } finally {
    classifier.dispose();
  }
}

/** Area under the ROC curve: P(score of a positive > score of a negative), ties counting one half. */
export function areaUnderCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && scores[order[j]] === scores[order[i]]) j++;
    // Tied scores share the mean of their ranks (1-based).
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSum += rank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The mean of the share right among label-0 items and the share right among label-1 items, at a 0.5 threshold. */
export function balancedAccuracy(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const right = [0, 0];
  const count = [0, 0];
  for (let i = 0; i < scores.length; i++) {
    const label = labels[i];
    count[label]++;
    if ((scores[i] > 0.5 ? 1 : 0) === label) right[label]++;
  }
  return (right[0] / count[0] + right[1] / count[1]) / 2;
}

/**
 * Runs the test: trains on `train` (Bach's chorales against the system's), scores the windows of `evaluated` and
 * reads the window accuracy, the AUC and the per-chorale accuracy. Deterministic for a given seed and backend.
 */
export async function criticTest(
  train: CriticTestSample,
  evaluated: CriticTestSample,
  options: CriticTestOptions = {},
): Promise<CriticTestResult> {
  const view = options.view ?? 'full';
  const design = options.design ?? CRITIC_TEST_DESIGN;
  const epochs = options.epochs ?? design.epochs;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`epochs must be a whole number >= 1, got ${epochs}`);
  const trainWindows = windowsOf(train);
  const evaluatedWindows = windowsOf(evaluated);
  const labels = evaluatedWindows.map((w) => w.label);
  if (!labels.includes(0) || !labels.includes(1))
    throw new RangeError('the critic test needs evaluated windows of both Bach and the system');
  const scores = await trainAndScore(trainWindows, evaluatedWindows, view, options.seed ?? 1, epochs, design);
  // Per chorale: the mean of its windows' scores.
  const sums = [new Float64Array(evaluated.bach.length), new Float64Array(evaluated.system.length)];
  const counts = [new Float64Array(evaluated.bach.length), new Float64Array(evaluated.system.length)];
  evaluatedWindows.forEach((w, i) => {
    sums[w.label][w.chorale] += scores[i];
    counts[w.label][w.chorale]++;
  });
  const choraleScores: number[] = [];
  const choraleLabels: number[] = [];
  for (const label of [0, 1]) {
    sums[label].forEach((sum, chorale) => {
      if (counts[label][chorale] === 0) return;
      choraleScores.push(sum / counts[label][chorale]);
      choraleLabels.push(label);
    });
  }
  return {
    window_accuracy: balancedAccuracy(scores, labels),
    auc: areaUnderCurve(scores, labels),
    chorale_accuracy: balancedAccuracy(choraleScores, choraleLabels),
    train_windows: trainWindows.length,
    evaluated_windows: evaluatedWindows.length,
  };
}

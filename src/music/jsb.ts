/**
 * The JSB Chorales data set in its "separated" JSON form (Jsb16thSeparated.json): splits of chorales,
 * each a list of 16th-note steps of four MIDI pitches (soprano, alto, tenor, bass, as src/music/voices.ts
 * names them), -1 where a voice rests. Turns chorales into 4-track rolls and training windows (track 0, the
 * soprano, is the melody).
 */
import { z } from 'zod';
import { DatasetFormatError } from './errors';
import { DEFAULT_STEPS_PER_BEAT, PITCHES, cellIndex, createRoll, type PianoRoll, type TrackInfo, type TrainingWindows } from './pianoRoll';
import { VOICES, VOICE_LABELS, rangePairs } from './voices';
import { DEFAULT_HOP_STEPS, buildTrainingWindows } from './windows';

/** One time step: the pitches of soprano, alto, tenor and bass, -1 for a resting voice. */
export type JsbStep = [number, number, number, number];
/** One chorale: its steps, 4 per quarter-note beat. */
export type JsbChorale = JsbStep[];
/** The data set's splits (the copy in the project holds train and valid; the public file also test). */
export interface JsbDataset {
  train: JsbChorale[];
  valid: JsbChorale[];
  test: JsbChorale[];
}

/** General MIDI "Choir Aahs": the chorales are sung. */
export const JSB_PROGRAM = 52;
/** Playback tempo of a chorale roll; the data has none, and chorales move at a calm walking pace. */
export const JSB_TEMPO_BPM = 90;

const pitch = z
  .number()
  .int()
  .min(-1)
  .max(PITCHES - 1);
const chorale = z.array(z.tuple([pitch, pitch, pitch, pitch])).min(1);
const datasetSchema = z.object({
  train: z.array(chorale).min(1),
  valid: z.array(chorale).optional(),
  test: z.array(chorale).optional(),
});
/** An evaluation file needs no training split: any one non-empty split will do (for example only `test`). */
const evaluationSchema = z
  .object({
    train: z.array(chorale).optional(),
    valid: z.array(chorale).optional(),
    test: z.array(chorale).optional(),
  })
  .refine((d) => (d.train?.length ?? 0) + (d.valid?.length ?? 0) + (d.test?.length ?? 0) > 0, {
    message: 'it should be an object with at least one non-empty "train", "valid" or "test" list of chorales',
  });

/** Options of `parseJsbDataset` and `parseJsbJson`. */
export interface JsbParseOptions {
  /**
   * Whether the file must hold a non-empty `train` split (default true: training needs one). An evaluation
   * passes false, so that a file holding only a `valid` or only a `test` split is accepted; the missing
   * splits are then empty lists.
   */
  requireTrain?: boolean;
}

/** Where in the data set a problem lies, in words (zod gives a path such as ["train", 12, 40, 2]). */
function describePath(path: PropertyKey[]): string {
  const [split, choraleIndex, step, voice] = path;
  const parts: string[] = [];
  if (split !== undefined) parts.push(`"${String(split)}"`);
  if (typeof choraleIndex === 'number') parts.push(`chorale ${choraleIndex + 1}`);
  if (typeof step === 'number') parts.push(`step ${step + 1}`);
  if (typeof voice === 'number') parts.push(`voice ${voice + 1} (${VOICE_LABELS[voice] ?? '?'})`);
  return parts.join(', ');
}

/**
 * Checks parsed JSON against the JSB "separated" format. Throws `DatasetFormatError` ('bad-shape')
 * saying where the first problem is.
 */
export function parseJsbDataset(json: unknown, options: JsbParseOptions = {}): JsbDataset {
  const result = ((options.requireTrain ?? true) ? datasetSchema : evaluationSchema).safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = describePath(issue.path);
    let what: string;
    if (issue.path.length === 0) what = issue.code === 'custom' ? issue.message : 'it should be an object with a "train" list of chorales';
    else if (issue.path.length === 4) what = 'each pitch must be a whole MIDI number from 0 to 127, or -1 for a rest';
    else if (issue.path.length === 3) what = 'each step must list exactly four pitches (soprano, alto, tenor, bass)';
    else if (issue.path.length === 2) what = 'each chorale must be a non-empty list of steps';
    else what = 'each split must be a non-empty list of chorales';
    throw new DatasetFormatError(
      'bad-shape',
      `This is not a JSB chorales file in the expected format (Jsb16thSeparated.json): at ${where || 'the top level'}, ${what}.`,
    );
  }
  const { train = [], valid = [], test = [] } = result.data;
  return { train, valid, test };
}

/** Parses the text of a Jsb16thSeparated.json file (downloaded or picked by the user). */
export function parseJsbJson(text: string, options: JsbParseOptions = {}): JsbDataset {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new DatasetFormatError(
      'not-json',
      'This file is not a JSB chorales data file: it is not valid JSON. Pick the Jsb16thSeparated.json file.',
      { cause },
    );
  }
  return parseJsbDataset(json, options);
}

/** The `TrackInfo`s of a chorale roll. */
export function jsbTrackInfos(): TrackInfo[] {
  return VOICE_LABELS.map((name) => ({ name, program: JSB_PROGRAM, isDrum: false }));
}

/**
 * One chorale as a 4-track roll (soprano, alto, tenor, bass). The data does not tell a held note from
 * a repeated one, so a voice's note starts only where its pitch changes or it sounds after a rest.
 */
export function jsbChoraleToRoll(chorale: JsbChorale, options: { tempoBpm?: number } = {}): PianoRoll {
  const roll = createRoll(chorale.length, jsbTrackInfos(), {
    stepsPerBeat: DEFAULT_STEPS_PER_BEAT,
    tempoBpm: options.tempoBpm ?? JSB_TEMPO_BPM,
    beatsPerBar: 4,
    withOnsets: true,
  });
  const onsets = roll.onsets as Uint8Array;
  chorale.forEach((pitches, step) => {
    for (let voice = 0; voice < 4; voice++) {
      const p = pitches[voice];
      if (p < 0) continue;
      const i = cellIndex(roll, step, p, voice);
      roll.active[i] = 1;
      if (step === 0 || chorale[step - 1][voice] !== p) onsets[i] = 1;
    }
  });
  return roll;
}

/** The first step where all four voices sound (where DeepComposer starts its samples), or null. */
export function firstFullChordStep(chorale: JsbChorale): number | null {
  const i = chorale.findIndex((s) => s.every((p) => p >= 0));
  return i < 0 ? null : i;
}

/** Every transposition within a tritone either way: with `keepVoiceRanges`, each chorale in all keys that fit. */
export const ALL_KEY_TRANSPOSITIONS: readonly number[] = [-6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5];

/** Options for `jsbToTrainingWindows`. */
export interface JsbWindowOptions {
  /** Steps between window starts (default DEFAULT_HOP_STEPS = 16, one bar, so windows start on bar lines). */
  hopSteps?: number;
  /**
   * Augmentation: semitone shifts whose transposed copies are added to the original key (default none).
   * A shift that would push a chorale off the keyboard (MIDI 0-127) is skipped for that chorale.
   */
  transpositions?: number[];
  /** Skip a transposed copy that moves any voice outside its VOICE_RANGES (src/music/voices.ts; default false). */
  keepVoiceRanges?: boolean;
  /** DeepComposer's samples: only the first 2 bars of each chorale (229 windows from the train split). */
  firstWindowOnly?: boolean;
}

/**
 * Training windows from chorales: each chorale from its first step where all four voices sound
 * (chorales without one are left out), cut into 32-step windows every `hopSteps`; windows whose
 * soprano is silent throughout are left out. Track 0 is the soprano, the model's condition. Windows
 * come chorale by chorale, each chorale's original key first, then its transposed copies.
 */
export function jsbToTrainingWindows(chorales: JsbChorale[], options: JsbWindowOptions = {}): TrainingWindows {
  const usable = chorales.flatMap((c) => {
    const start = firstFullChordStep(c);
    return start === null ? [] : [c.slice(start)];
  });
  return buildTrainingWindows(usable.length, (i) => jsbChoraleToRoll(usable[i]), {
    hopSteps: options.hopSteps ?? DEFAULT_HOP_STEPS,
    firstWindowOnly: options.firstWindowOnly ?? false,
    transpositions: options.transpositions ?? [],
    trackRanges: options.keepVoiceRanges ? rangePairs(VOICES) : undefined,
    trackNames: [...VOICE_LABELS],
  });
}

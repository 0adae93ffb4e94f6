/**
 * `npm run evaluate -- --data FOLDER`: a model judged on the held-out files of a folder of the user's own MIDI
 * files (the ones `npm run train -- --data FOLDER` left out of training: `splitOwnFiles`).
 *
 * The files are read as training reads them (`ownMidiRolls` over every file of the folder, so that the tracks take
 * the places training gave them); each held-out file's melody (track 0 of its roll, alone) is accompanied by the
 * model with seed + its index, and the real file is the reference. Both are measured the same way:
 * - per accompaniment track (`measureDataProfile`, pooled over the held-out files): rest rate under the melody,
 *   polyphony, median note length, range, and for a drum track each key's hit rate;
 * - overall, pooled over the files: chord rate and notes in key (below);
 * - distance: the mean of the `profileDistance` measures of the model's tracks from the data's, place by place.
 */
import { bitCount } from '../../../src/music/chords';
import { measureDataProfile, profileDistance, PROFILE_MEASURES, type DataProfile } from '../../../src/music/dataProfile';
import { estimateRollKey, scaleMask, type Key } from '../../../src/music/keys';
import { analyzeRoll, meanOf, notesInKey, tally, type Tally } from '../../../src/music/metrics';
import type { ParsedMidi } from '../../../src/music/midiIn';
import { ownMidiRolls } from '../../../src/music/ownMidi';
import { selectTracks, type PianoRoll, type TrackInfo } from '../../../src/music/pianoRoll';
import { DEFAULT_GENERATION_OPTIONS, type GenerationOptions } from '../../../src/protocol/generation';
import { OwnDataError, readMidiFolder } from '../ownFolder';
import { loadEngine } from './chorales';

export { isDataFolder, MIDI_FILE, OwnDataError } from '../ownFolder';

/** The measures of `profileDistance`, in the report's spelling. */
export const OWN_DISTANCE_MEASURES = ['rest_rate', 'polyphony', 'note_steps', 'low', 'high'] as const;
export type OwnDistanceMeasure = (typeof OWN_DISTANCE_MEASURES)[number];

/** One drum key of a drum track and how often it is struck: hits per step of the pieces in which the track plays. */
export interface OwnDrumKey {
  pitch: number;
  hit_rate: number;
}

/** One accompaniment track of a system, as `measureDataProfile` measures it over the held-out pieces. */
export interface OwnTrackReport {
  name: string;
  is_drum: boolean;
  /** Share of the steps where the melody sounds on which the track is silent. */
  rest_rate: number;
  /** Mean number of pitches sounding at once where the track sounds. */
  polyphony: number;
  /** Median note length in steps (16ths). */
  note_steps: number;
  /** 2nd and 98th percentile of the track's pitches (-1 when it has no notes). */
  low: number;
  high: number;
  /** A drum track's keys, most struck first; empty for a melodic track. */
  drum_keys: OwnDrumKey[];
}

/** One system's figures: its tracks, the overall measures and its distance to the held-out data. */
export interface OwnSystemReport {
  tracks: OwnTrackReport[];
  /** Share of the beats where the melody sounds on which melody and melodic tracks together sound >= 3 pitch classes. */
  chord_rate: number;
  /** Share of the melodic accompaniment's notes in the key estimated from the melody. */
  in_key_rate: number;
  /** Mean of `distances` (0 = the data's own figures). */
  distance: number;
  /** `profileDistance` of the system's tracks from the data's, measure by measure. */
  distances: Record<OwnDistanceMeasure, number>;
}

/** The report of `evaluateOwnData` (the last line of `npm run evaluate -- --data FOLDER --json`). */
export interface OwnEvaluationReport {
  /** The folder, its MIDI files and how many of them training used. */
  data: { folder: string; files: number; training_files: number };
  /** The model folder, and the kind of data its files record ('chorale' for a model of the Bach chorales). */
  model: { folder: string; kind: 'own' | 'chorale' };
  seed: number;
  systems: { model: OwnSystemReport; data: OwnSystemReport };
  /** The held-out files, by name; file i was accompanied with seed + i. */
  heldOutFiles: string[];
}

/** What `evaluateOwnData` needs. */
export interface OwnEvaluateOptions {
  model: string;
  /** A folder of MIDI files (.mid, .midi). */
  data: string;
  seed: number;
  /** The options of every accompaniment of the model (default: the defaults, as on the page). */
  generation?: GenerationOptions;
}

/** The folder's MIDI files parsed, by name order, and which are held out; throws OwnDataError where none is. */
export function readOwnFolder(folder: string): { names: string[]; parsed: ParsedMidi[]; heldOut: string[] } {
  const { names, parsed, heldOut } = readMidiFolder(folder);
  if (heldOut.length === 0)
    throw new OwnDataError(
      `${folder} holds one MIDI file (${names[0]}), which training learned from: no file is held out to evaluate on. ` +
        'Add MIDI files to the folder (of 2 to 4 files the last by name is held out, of 5 or more every fifth), train again, and evaluate.',
    );
  return { names, parsed, heldOut };
}

/** The tallies of chord rate and notes in key of one roll (track 0 the melody), added to `into`. */
function addOverall(roll: PianoRoll, key: Key | null, into: { chords: Tally; inKey: Tally }): void {
  const [melody, ...accompaniment] = analyzeRoll(roll);
  const melodic = accompaniment.filter((_, i) => !roll.tracks[i + 1].isDrum);
  for (let step = 0; step < roll.steps; step += roll.stepsPerBeat) {
    if (melody.sounding[step] === 0) continue;
    let mask = melody.pcMask[step];
    for (const track of melodic) mask |= track.pcMask[step];
    into.chords.count++;
    if (bitCount(mask) >= 3) into.chords.sum++;
  }
  notesInKey(melodic, key ? scaleMask(key) : null, into.inKey);
}

function trackReports(profile: DataProfile): OwnTrackReport[] {
  return profile.tracks.map((t) => ({
    name: t.name,
    is_drum: t.isDrum,
    rest_rate: t.restRate,
    polyphony: t.polyphony,
    note_steps: t.noteSteps,
    low: t.low,
    high: t.high,
    drum_keys: t.drumKeys.map((k) => ({ pitch: k.pitch, hit_rate: k.hitRate })),
  }));
}

/** One system's report: its profile, measured from `rolls` (one per held-out file, track 0 the melody), against the data's. */
function systemReport(
  profile: DataProfile,
  rolls: readonly PianoRoll[],
  keys: readonly (Key | null)[],
  data: DataProfile,
): OwnSystemReport {
  const overall = { chords: tally(), inKey: tally() };
  rolls.forEach((roll, i) => addOverall(roll, keys[i], overall));
  const measured = profileDistance(profile, data);
  const distances = Object.fromEntries(PROFILE_MEASURES.map((m, i) => [OWN_DISTANCE_MEASURES[i], measured[m]])) as Record<
    OwnDistanceMeasure,
    number
  >;
  const values = Object.values(distances);
  return {
    tracks: trackReports(profile),
    chord_rate: meanOf(overall.chords),
    in_key_rate: meanOf(overall.inKey),
    distance: values.reduce((a, b) => a + b, 0) / values.length,
    distances,
  };
}

/**
 * Accompanies the melody of each held-out file of `options.data` with the model and reports the model's figures
 * beside the held-out files' own (see the module comment).
 */
export async function evaluateOwnData(options: OwnEvaluateOptions): Promise<OwnEvaluationReport> {
  const { names, parsed, heldOut } = readOwnFolder(options.data);
  let rolls: PianoRoll[];
  let tracks: TrackInfo[];
  try {
    ({ rolls, tracks } = ownMidiRolls(parsed, [], names));
  } catch (error) {
    throw new OwnDataError(error instanceof Error ? error.message : String(error));
  }
  const real = heldOut.map((name) => rolls[names.indexOf(name)]);
  const generation = options.generation ?? DEFAULT_GENERATION_OPTIONS;
  const engine = await loadEngine(options.model);
  try {
    const melodies = real.map((roll) => selectTracks(roll, [0]));
    const keys = melodies.map((melody) => estimateRollKey(melody));
    const accompanied: PianoRoll[] = [];
    for (const [i, melody] of melodies.entries()) accompanied.push(await engine.accompany(melody, options.seed + i, generation));
    // The data's tracks are named after the folder's (ownMidiRolls); the model's after its own data, or alto, tenor, bass.
    const dataProfile = measureDataProfile(real, 'own', tracks);
    const modelProfile = measureDataProfile(accompanied, 'own');
    return {
      data: { folder: options.data, files: names.length, training_files: names.length - heldOut.length },
      model: { folder: options.model, kind: engine.dataProfile?.kind === 'own' ? 'own' : 'chorale' },
      seed: options.seed,
      systems: {
        model: systemReport(modelProfile, accompanied, keys, dataProfile),
        data: systemReport(dataProfile, real, keys, dataProfile),
      },
      heldOutFiles: heldOut,
    };
  } finally {
    engine.dispose();
  }
}

/**
 * What a model was trained on, as its decoding needs it: the data's kind ('chorale' for the Bach chorales,
 * 'own' for the user's MIDI files) and, per accompaniment track, its name and instrument, whether it is drums,
 * its range, how often it rests under the melody, how many notes it holds at once and how long its notes last,
 * measured from the training rolls with the metrics' one reading of a roll (metrics/analysis.ts), over the
 * pieces in which the track plays.
 *
 * The same measures, taken of a model's output, say how close that output is to the data (`profileDistance`).
 */
import { analyzeRoll, meanOf, tally, voiceRests, type Tally, type TrackAnalysis } from './metrics';
import { PITCHES, stepsPerBar, type PianoRoll, type TrackInfo } from './pianoRoll';
import { BAR_POSITIONS, type DataKind, type DataProfile, type DrumKey } from './profile';

export { BAR_POSITIONS, type DataKind, type DataProfile, type DrumKey, type TrackProfile } from './profile';

/**
 * A step's position in its bar, as the rhythm measures count it: the step within a bar of the roll's metre (12
 * positions in 3/4), counted modulo BAR_POSITIONS for bars longer than a 4/4 bar.
 */
export function barPosition(step: number, roll: Pick<PianoRoll, 'beatsPerBar' | 'stepsPerBeat'>): number {
  const bar = Math.min(BAR_POSITIONS, Math.max(1, Math.round(stepsPerBar(roll))));
  return step % bar;
}

/** The pitch below which `share` of the weighted pitches lie. */
function percentile(histogram: Float64Array, share: number): number {
  let total = 0;
  for (const h of histogram) total += h;
  if (total === 0) return -1;
  let seen = 0;
  for (let p = 0; p < histogram.length; p++) {
    seen += histogram[p];
    if (seen >= share * total) return p;
  }
  return histogram.length - 1;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Everything measured of one track over all rolls, before it is turned into a profile. */
interface TrackTallies {
  pitches: Float64Array;
  rests: Tally;
  polyphony: Tally;
  lengths: number[];
  hits: Float64Array;
  /** Notes starting at each bar position, per pitch: [pitch * BAR_POSITIONS + position]. */
  hitsAt: Float64Array;
  /** Steps at each bar position. */
  stepsAt: Float64Array;
  steps: number;
}

function emptyTallies(): TrackTallies {
  return {
    pitches: new Float64Array(PITCHES),
    rests: tally(),
    polyphony: tally(),
    lengths: [],
    hits: new Float64Array(PITCHES),
    hitsAt: new Float64Array(PITCHES * BAR_POSITIONS),
    stepsAt: new Float64Array(BAR_POSITIONS),
    steps: 0,
  };
}

function addTrack(
  into: TrackTallies,
  melody: TrackAnalysis,
  track: TrackAnalysis,
  metre: Pick<PianoRoll, 'beatsPerBar' | 'stepsPerBeat'>,
): void {
  voiceRests(melody, [track], into.rests);
  for (const sounding of track.sounding) {
    if (sounding === 0) continue;
    into.polyphony.count++;
    into.polyphony.sum += sounding;
  }
  for (const note of track.notes) {
    into.pitches[note.pitch] += note.steps;
    into.lengths.push(note.steps);
    into.hits[note.pitch]++;
    into.hitsAt[note.pitch * BAR_POSITIONS + barPosition(note.startStep, metre)]++;
  }
  into.steps += track.sounding.length;
  for (let step = 0; step < track.sounding.length; step++) into.stepsAt[barPosition(step, metre)]++;
}

/** Notes per position of the bar, as shares of all the track's notes. */
function onsetShares(t: TrackTallies): number[] {
  const counts = new Array<number>(BAR_POSITIONS).fill(0);
  for (let p = 0; p < PITCHES; p++) for (let pos = 0; pos < BAR_POSITIONS; pos++) counts[pos] += t.hitsAt[p * BAR_POSITIONS + pos];
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/**
 * The profile of `rolls` (track 0 the melody, the same tracks in every roll), their accompaniment tracks
 * described by `tracks` (default: the first roll's tracks 1..).
 */
export function measureDataProfile(rolls: readonly PianoRoll[], kind: DataKind, tracks?: readonly TrackInfo[]): DataProfile {
  if (rolls.length === 0) throw new RangeError('a data profile needs at least one roll');
  const infos = tracks ?? rolls[0].tracks.slice(1);
  const melodyPitches = new Float64Array(PITCHES);
  const perTrack = infos.map(() => emptyTallies());
  for (const roll of rolls) {
    if (roll.tracks.length !== infos.length + 1)
      throw new RangeError(`every roll needs ${infos.length + 1} tracks, got one with ${roll.tracks.length}`);
    const [melody, ...accompaniment] = analyzeRoll(roll);
    for (const note of melody.notes) melodyPitches[note.pitch] += note.steps;
    // A piece in which a track never plays (a file without such a track) says nothing of how it plays.
    accompaniment.forEach((track, i) => {
      if (track.notes.length > 0) addTrack(perTrack[i], melody, track, roll);
    });
  }
  return {
    kind,
    melody: { low: percentile(melodyPitches, 0.02), high: percentile(melodyPitches, 0.98) },
    tracks: infos.map((info, i) => {
      const t = perTrack[i];
      const drumKeys: DrumKey[] = [];
      if (info.isDrum) {
        for (let p = 0; p < PITCHES; p++) {
          if (t.hits[p] === 0) continue;
          const pattern = Array.from(
            { length: BAR_POSITIONS },
            (_, pos) => t.hitsAt[p * BAR_POSITIONS + pos] / Math.max(1, t.stepsAt[pos]),
          );
          drumKeys.push({ pitch: p, hitRate: t.hits[p] / Math.max(1, t.steps), pattern });
        }
        drumKeys.sort((a, b) => b.hitRate - a.hitRate || a.pitch - b.pitch);
      }
      const restRate = meanOf(t.rests);
      const polyphony = meanOf(t.polyphony);
      return {
        name: info.name,
        program: info.program,
        isDrum: info.isDrum,
        low: percentile(t.pitches, 0.02),
        high: percentile(t.pitches, 0.98),
        restRate: Number.isFinite(restRate) ? restRate : 1,
        polyphony: Number.isFinite(polyphony) ? polyphony : 0,
        noteSteps: median(t.lengths),
        onsets: onsetShares(t),
        drumKeys,
      };
    }),
  };
}

/** The figures on which a model's output is compared with its data, per accompaniment track. */
export const PROFILE_MEASURES = ['restRate', 'polyphony', 'noteSteps', 'low', 'high'] as const;

/**
 * How far `output`'s tracks are from `data`'s, one number per measure, averaged over the tracks: the rest rate
 * as a difference of shares, polyphony and note length relative to the data's, the range in octaves. 0 = the same.
 */
export function profileDistance(output: DataProfile, data: DataProfile): Record<(typeof PROFILE_MEASURES)[number], number> {
  const n = Math.min(output.tracks.length, data.tracks.length);
  const sums = { restRate: 0, polyphony: 0, noteSteps: 0, low: 0, high: 0 };
  for (let i = 0; i < n; i++) {
    const o = output.tracks[i];
    const d = data.tracks[i];
    sums.restRate += Math.abs(o.restRate - d.restRate);
    sums.polyphony += Math.abs(o.polyphony - d.polyphony) / Math.max(1, d.polyphony);
    sums.noteSteps += Math.abs(o.noteSteps - d.noteSteps) / Math.max(1, d.noteSteps);
    sums.low += o.isDrum ? 0 : Math.abs(o.low - d.low) / 12;
    sums.high += o.isDrum ? 0 : Math.abs(o.high - d.high) / 12;
  }
  const div = Math.max(1, n);
  return {
    restRate: sums.restRate / div,
    polyphony: sums.polyphony / div,
    noteSteps: sums.noteSteps / div,
    low: sums.low / div,
    high: sums.high / div,
  };
}

/** Checks a profile read from a file; returns what is wrong, or null. */
export function dataProfileProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'the data profile is not an object';
  const p = value as Partial<DataProfile>;
  if (p.kind !== 'chorale' && p.kind !== 'own') return `the data kind must be "chorale" or "own", not ${JSON.stringify(p.kind)}`;
  if (!p.melody || !Number.isInteger(p.melody.low) || !Number.isInteger(p.melody.high)) return 'the melody range is missing';
  if (!Array.isArray(p.tracks)) return 'the data profile lists no tracks';
  for (const [i, t] of p.tracks.entries()) {
    const numbers = [t?.low, t?.high, t?.restRate, t?.polyphony, t?.noteSteps, t?.program];
    const shares = (values: unknown) => Array.isArray(values) && values.length === BAR_POSITIONS && values.every((x) => Number.isFinite(x));
    const keysOk =
      Array.isArray(t?.drumKeys) &&
      t.drumKeys.every(
        (k) => Number.isInteger(k?.pitch) && k.pitch >= 0 && k.pitch < PITCHES && Number.isFinite(k.hitRate) && shares(k.pattern),
      );
    if (
      typeof t?.name !== 'string' ||
      typeof t?.isDrum !== 'boolean' ||
      !numbers.every((x) => Number.isFinite(x)) ||
      !shares(t.onsets) ||
      !keysOk
    )
      return `track ${i + 1} of the data profile is damaged`;
  }
  return null;
}

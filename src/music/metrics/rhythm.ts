/** Measures of time: bars left empty, notes long enough to hear as notes, and how long notes last. */
import { stepsPerBar, type PianoRoll } from '../pianoRoll';
import { tally, type Tally, type TrackAnalysis } from './analysis';

/** Empty bars of a track: sum = its bars without a note, count = its bars (NOT its non-empty bars, as MuseGAN's code counts). */
export function emptyBars(roll: PianoRoll, track: TrackAnalysis, into: Tally = tally()): Tally {
  const barLength = stepsPerBar(roll);
  for (let barStart = 0; barStart < roll.steps; barStart += barLength) {
    let sounds = false;
    const barEnd = Math.min(roll.steps, barStart + barLength);
    for (let step = barStart; step < barEnd && !sounds; step++) sounds = track.pcMask[step] !== 0;
    into.count++;
    if (!sounds) into.sum++;
  }
  return into;
}

/** Half a beat, the shortest qualified note by default: 2 steps (an 8th note) at 4 steps per beat. */
export function defaultMinQualifiedSteps(roll: Pick<PianoRoll, 'stepsPerBeat'>): number {
  return Math.max(1, Math.round(roll.stepsPerBeat / 2));
}

/** Qualified notes of a track: sum = its notes of at least `minSteps` steps, count = its notes. */
export function qualifiedNotes(track: TrackAnalysis, minSteps: number, into: Tally = tally()): Tally {
  for (const note of track.notes) {
    into.count++;
    if (note.steps >= minSteps) into.sum++;
  }
  return into;
}

/** Note length of tracks: sum = the steps of their notes, count = their notes. */
export function noteLengths(tracks: readonly TrackAnalysis[], into: Tally = tally()): Tally {
  for (const track of tracks) {
    for (const note of track.notes) {
      into.count++;
      into.sum += note.steps;
    }
  }
  return into;
}

/**
 * Pure playback scheduling: a piano roll and a mixer state in, timed note events out.
 * The Tone.js player only plays what this computes, so everything about timing is testable in Node.
 */
import { trackNotes } from '../music/notes';
import type { PianoRoll } from '../music/pianoRoll';

/** Seconds from the start of the piece. */
export type Seconds = number;
/** A gain-like value in 0..1. */
export type NormalRange = number;

/** One note to play. */
export interface NoteEvent {
  track: number;
  /** MIDI pitch, 0..127. */
  pitch: number;
  /** Grid step where the note starts, and its length in steps. */
  step: number;
  steps: number;
  time: Seconds;
  duration: Seconds;
  velocity: NormalRange;
}

/** How one track is mixed. */
export interface TrackMix {
  muted: boolean;
  solo: boolean;
  /** Volume in decibels, 0 = unchanged. */
  volumeDb: number;
}

/** The mix a new track starts with. */
export const DEFAULT_TRACK_MIX: TrackMix = { muted: false, solo: false, volumeDb: 0 };

/**
 * Where the accompaniment starts below the melody, in decibels. The sustained General MIDI voices (strings, organ,
 * choir) sound about 12 dB louder than the piano that plays the melody, and three of them play under one melody line:
 * at the same level they would bury it. The mixer shows this level and the user can change it.
 */
export const ACCOMPANIMENT_LEVEL_DB = -8;

/** The mix track `track` starts with: the melody (track 0) as it is, the accompaniment a little below it. */
export function defaultTrackMix(track: number): TrackMix {
  return { ...DEFAULT_TRACK_MIX, volumeDb: track === 0 ? 0 : ACCOMPANIMENT_LEVEL_DB };
}

/**
 * Which tracks sound: when any track is soloed only the soloed ones (a muted solo stays silent),
 * otherwise every unmuted track. Tracks without a mix entry sound.
 */
export function audibleTracks(trackCount: number, mix: readonly TrackMix[]): boolean[] {
  const anySolo = mix.some((m, i) => i < trackCount && m.solo);
  return Array.from({ length: trackCount }, (_, i) => {
    const m = mix[i] ?? DEFAULT_TRACK_MIX;
    return !m.muted && (!anySolo || m.solo);
  });
}

/** Options for `scheduleRoll`. */
export interface ScheduleOptions {
  /** Tempo in beats per minute; defaults to the roll's own tempo. */
  tempoBpm?: number;
  /** Which tracks to schedule (see `audibleTracks`); default all. */
  audible?: readonly boolean[];
}

/** Length of the piece in seconds at the given tempo. */
export function rollDuration(roll: PianoRoll, tempoBpm = roll.tempoBpm): Seconds {
  return (roll.steps * 60) / (tempoBpm * roll.stepsPerBeat);
}

/**
 * The notes of a roll (as `trackNotes` reads them) as timed events, sorted by time then track then pitch.
 * Velocities are scaled to 0..1.
 */
export function scheduleRoll(roll: PianoRoll, options: ScheduleOptions = {}): NoteEvent[] {
  const tempoBpm = options.tempoBpm ?? roll.tempoBpm;
  if (!(tempoBpm > 0) || !Number.isFinite(tempoBpm))
    throw new RangeError(`tempo must be a positive number of beats per minute, got ${tempoBpm}`);
  const stepSeconds = 60 / tempoBpm / roll.stepsPerBeat;
  const events: NoteEvent[] = [];
  for (let track = 0; track < roll.tracks.length; track++) {
    if (options.audible && options.audible[track] === false) continue;
    for (const note of trackNotes(roll, track)) {
      events.push({
        track,
        pitch: note.pitch,
        step: note.startStep,
        steps: note.steps,
        time: note.startStep * stepSeconds,
        duration: note.steps * stepSeconds,
        velocity: note.velocity / 127,
      });
    }
  }
  events.sort((a, b) => a.time - b.time || a.track - b.track || a.pitch - b.pitch);
  return events;
}

/** Number of events per track, as an array indexed by track. */
export function countByTrack(events: readonly NoteEvent[], trackCount: number): number[] {
  const counts = new Array<number>(trackCount).fill(0);
  for (const e of events) if (e.track < trackCount) counts[e.track]++;
  return counts;
}

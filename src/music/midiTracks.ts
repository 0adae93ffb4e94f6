/**
 * The tracks of a MIDI file, from the events smf.ts reads: parts split per channel and program, note-ons paired
 * with their note-offs, and what the page shows about each track so the user can pick the melody (its name,
 * instrument, range and how much of a single line it is).
 */
import { DRUM_CHANNEL } from './constants';
import { PITCHES } from './pianoRoll';
import type { SmfFile, SmfEvent } from './smf';
import { Midi } from './tonejsMidi';

/** One note as the file states it, in ticks. */
export interface MidiNote {
  pitch: number;
  startTick: number;
  durationTicks: number;
  /** MIDI velocity, 1..127. */
  velocity: number;
}

/** What the page shows about a track so the user can pick the melody. */
export interface MidiTrackSummary {
  /** Position in `ParsedMidi.tracks`. */
  index: number;
  /** The track's name, or a made-up one such as "Track 2 (violin)" when the file gives none. */
  name: string;
  /** General MIDI program 0..127 (for a drum track: the drum kit). */
  program: number;
  /** MIDI channel 0..15. */
  channel: number;
  /** True for channel 10 (9 counted from 0): drums are never taken as melody. */
  isDrum: boolean;
  noteCount: number;
  /** Lowest and highest MIDI pitch, null for a track without notes. */
  lowestPitch: number | null;
  highestPitch: number | null;
  /** Mean MIDI pitch of the notes, null for a track without notes. */
  meanPitch: number | null;
  /** Most notes sounding at once (1 = a single line). */
  maxPolyphony: number;
  /** Share of the piece (first note to last note end, all tracks) during which this track sounds, 0..1. */
  coverage: number;
  /** Share of this track's sounding time with exactly one note sounding, 0..1 (1 = a single line). */
  monophony: number;
}

/** A track with its notes. */
export interface ParsedMidiTrack extends MidiTrackSummary {
  notes: MidiNote[];
}

/** How a track sounds over time: most notes at once, ticks with any note, ticks with exactly one. */
function lineShape(notes: MidiNote[]): { maxPolyphony: number; soundingTicks: number; singleTicks: number } {
  // A note ending where another starts does not overlap it (ends sort before starts).
  const events: Array<[number, number]> = [];
  for (const n of notes) {
    events.push([n.startTick, 1], [n.startTick + Math.max(n.durationTicks, 1), -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let sounding = 0;
  let most = 0;
  let soundingTicks = 0;
  let singleTicks = 0;
  let last = 0;
  for (const [tick, change] of events) {
    if (sounding > 0) soundingTicks += tick - last;
    if (sounding === 1) singleTicks += tick - last;
    last = tick;
    sounding += change;
    if (sounding > most) most = sounding;
  }
  return { maxPolyphony: most, soundingTicks, singleTicks };
}

/**
 * Splits tracks so that each holds one channel with one program, the way @tonejs/midi does (format-0
 * files put every part in one track): events without a channel stay with the track's first part.
 */
function splitParts(tracks: SmfEvent[][]): SmfEvent[][] {
  const parts: SmfEvent[][] = [];
  for (const track of tracks) {
    const first = parts.length;
    const partOf = new Map<string, number>();
    const program = new Array<number>(16).fill(0);
    for (const event of track) {
      let target = first;
      if ('channel' in event) {
        if (event.kind === 'program') program[event.channel] = event.program;
        const key = `${program[event.channel]} ${event.channel}`;
        const known = partOf.get(key);
        if (known === undefined) {
          target = first + partOf.size;
          partOf.set(key, target);
        } else target = known;
      }
      while (parts.length <= target) parts.push([]);
      parts[target].push(event);
    }
  }
  return parts;
}

/**
 * Pairs each note-on with the first later note-off of its pitch, in linear time; a note-on without
 * one is dropped. Returns the notes by start and the channel of the part's notes (0 without notes).
 */
function pairNotes(events: SmfEvent[]): { notes: MidiNote[]; channel: number } {
  const offs = new Map<number, number[]>();
  for (const e of events) {
    if (e.kind !== 'noteOff') continue;
    const list = offs.get(e.pitch);
    if (list) list.push(e.tick);
    else offs.set(e.pitch, [e.tick]);
  }
  const next = new Map<number, number>();
  const notes: MidiNote[] = [];
  let channel = 0;
  for (const e of events) {
    if (e.kind !== 'noteOn') continue;
    channel = e.channel;
    if (e.pitch >= PITCHES) continue;
    const list = offs.get(e.pitch) ?? [];
    let i = next.get(e.pitch) ?? 0;
    while (i < list.length && list[i] < e.tick) i++;
    if (i < list.length) {
      notes.push({ pitch: e.pitch, startTick: e.tick, durationTicks: list[i] - e.tick, velocity: Math.max(1, e.velocity) });
      i++;
    }
    next.set(e.pitch, i);
  }
  notes.sort((a, b) => a.startTick - b.startTick);
  return { notes, channel };
}

/** A scratch track whose instrument object names General MIDI programs (its name table is not exported). */
const nameTrack = new Midi().addTrack();

/** The General MIDI name of a program, e.g. 40 -> "violin". */
export function instrumentName(program: number): string {
  nameTrack.instrument.number = program;
  return nameTrack.instrument.name;
}

/**
 * The tracks of a read file, one per part (`splitParts`), without a format-1 file's conductor track, and the
 * end of the last note in ticks.
 */
export function readTracks(smf: SmfFile): { tracks: ParsedMidiTrack[]; totalTicks: number } {
  const parts = splitParts(smf.tracks);
  // A format-1 file's first track is usually the conductor track (tempo and names only): leave it out.
  if (smf.format === 1 && parts.length > 1 && !parts[0].some((e) => e.kind === 'noteOn')) parts.shift();

  let totalTicks = 0;
  let firstTick = Infinity;
  const tracks: ParsedMidiTrack[] = parts.map((events, index) => {
    const { notes, channel } = pairNotes(events);
    let lowest = PITCHES;
    let highest = -1;
    let pitchSum = 0;
    for (const n of notes) {
      if (n.pitch < lowest) lowest = n.pitch;
      if (n.pitch > highest) highest = n.pitch;
      pitchSum += n.pitch;
      totalTicks = Math.max(totalTicks, n.startTick + n.durationTicks);
      firstTick = Math.min(firstTick, n.startTick);
    }
    const isDrum = channel === DRUM_CHANNEL;
    const nameEvent = events.find((e) => e.kind === 'trackName');
    const programEvent = events.find((e) => e.kind === 'program');
    const program = programEvent?.kind === 'program' ? programEvent.program : 0;
    const fallbackName = isDrum ? 'drums' : instrumentName(program);
    const name = nameEvent?.kind === 'trackName' ? nameEvent.text.trim() : '';
    const shape = lineShape(notes);
    return {
      index,
      name: name || `Track ${index + 1} (${fallbackName})`,
      program,
      channel,
      isDrum,
      noteCount: notes.length,
      lowestPitch: notes.length ? lowest : null,
      highestPitch: notes.length ? highest : null,
      meanPitch: notes.length ? pitchSum / notes.length : null,
      maxPolyphony: shape.maxPolyphony,
      coverage: shape.soundingTicks,
      monophony: shape.soundingTicks > 0 ? shape.singleTicks / shape.soundingTicks : 0,
      notes,
    };
  });
  const span = Math.max(1, totalTicks - (Number.isFinite(firstTick) ? firstTick : 0));
  for (const t of tracks) t.coverage = Math.min(1, t.coverage / span);
  return { tracks, totalTicks };
}

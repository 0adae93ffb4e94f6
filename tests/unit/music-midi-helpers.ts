/**
 * Builders of MIDI files for the music tests: format 1 through @tonejs/midi, format 0 byte by byte.
 */
import { Midi } from '@tonejs/midi';

/** Ticks per beat of files built with @tonejs/midi; one 16th-note step is a quarter of it. */
export const PPQ = 480;
export const TICKS_PER_STEP = PPQ / 4;

/** A note in 16th-note steps. */
export interface NoteSpec {
  pitch: number;
  start: number;
  steps: number;
  velocity?: number;
}

/** A track to build. */
export interface TrackSpec {
  name?: string;
  program?: number;
  channel?: number;
  notes: NoteSpec[];
}

/** Options of `buildMidi`. */
export interface BuildOptions {
  tempos?: Array<{ ticks: number; bpm: number }>;
  timeSignature?: [number, number];
}

/** A format-1 file, one track per spec (notes placed in ticks, exactly on the 16th grid). */
export function buildMidi(tracks: TrackSpec[], options: BuildOptions = {}): Uint8Array {
  const midi = new Midi();
  midi.header.tempos = options.tempos ?? [{ ticks: 0, bpm: 120 }];
  if (options.timeSignature) midi.header.timeSignatures = [{ ticks: 0, timeSignature: options.timeSignature }];
  midi.header.update();
  tracks.forEach((spec, i) => {
    const track = midi.addTrack();
    track.name = spec.name ?? '';
    track.channel = spec.channel ?? i;
    track.instrument.number = spec.program ?? 0;
    for (const n of spec.notes) {
      track.addNote({
        midi: n.pitch,
        ticks: n.start * TICKS_PER_STEP,
        durationTicks: n.steps * TICKS_PER_STEP,
        velocity: (n.velocity ?? 100) / 127,
      });
    }
  });
  return midi.toArray();
}

function varInt(value: number): number[] {
  const bytes = [value & 0x7f];
  let rest = value >> 7;
  while (rest > 0) {
    bytes.unshift((rest & 0x7f) | 0x80);
    rest >>= 7;
  }
  return bytes;
}

/** A raw MIDI event at an absolute tick. */
export interface RawEvent {
  tick: number;
  bytes: number[];
}

/** A format-0 file (one track chunk holding every channel) from raw events, with `ppq` ticks per beat. */
export function format0Midi(events: RawEvent[], ppq: number): Uint8Array {
  const sorted = [...events].sort((a, b) => a.tick - b.tick);
  const track: number[] = [];
  let last = 0;
  for (const e of sorted) {
    track.push(...varInt(e.tick - last), ...e.bytes);
    last = e.tick;
  }
  track.push(0, 0xff, 0x2f, 0); // end of track
  const header = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, (ppq >> 8) & 0xff, ppq & 0xff];
  const len = track.length;
  return new Uint8Array([
    ...header,
    0x4d,
    0x54,
    0x72,
    0x6b,
    (len >>> 24) & 0xff,
    (len >> 16) & 0xff,
    (len >> 8) & 0xff,
    len & 0xff,
    ...track,
  ]);
}

/** Raw events of one note: note-on and note-off on `channel`. */
export function rawNote(channel: number, pitch: number, startTick: number, durationTicks: number, velocity = 90): RawEvent[] {
  return [
    { tick: startTick, bytes: [0x90 | channel, pitch, velocity] },
    // A note-on with velocity 0 is the usual running-status note-off; use it on every other channel.
    { tick: startTick + durationTicks, bytes: channel % 2 === 0 ? [0x80 | channel, pitch, 64] : [0x90 | channel, pitch, 0] },
  ];
}

/** A tempo meta event. */
export function rawTempo(tick: number, bpm: number): RawEvent {
  const us = Math.round(60_000_000 / bpm);
  return { tick, bytes: [0xff, 0x51, 3, (us >> 16) & 0xff, (us >> 8) & 0xff, us & 0xff] };
}

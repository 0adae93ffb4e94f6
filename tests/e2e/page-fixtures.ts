/** MIDI files and data built inside the page tests (nothing binary is checked in). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Midi } from '@tonejs/midi';

/** The melody every test uses: 8 bars of quarter and half notes at 120 bpm, starting on beat 1. */
export const MELODY: { pitch: number; beat: number; beats: number }[] = (() => {
  const pitches = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62, 64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 62, 60];
  const lengths = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3];
  let beat = 0;
  return pitches.map((pitch, i) => {
    const note = { pitch, beat, beats: lengths[i] };
    beat += lengths[i];
    return note;
  });
})();
export const MELODY_BEATS = MELODY.reduce((end, n) => Math.max(end, n.beat + n.beats), 0);

/** A format-1 file: a bass track (chords, lower) and a lead track holding MELODY. */
export function multiTrackMidi(): Uint8Array {
  const midi = new Midi();
  midi.header.setTempo(120);
  const bass = midi.addTrack();
  bass.name = 'Bass';
  bass.channel = 1;
  for (let bar = 0; bar < 8; bar++) {
    bass.addNote({ midi: 36 + (bar % 2) * 7, time: bar * 2, duration: 2, velocity: 0.7 });
    bass.addNote({ midi: 43 + (bar % 2) * 7, time: bar * 2, duration: 2, velocity: 0.7 });
  }
  const lead = midi.addTrack();
  lead.name = 'Lead';
  lead.channel = 0;
  for (const n of MELODY) lead.addNote({ midi: n.pitch, time: n.beat * 0.5, duration: n.beats * 0.5, velocity: 0.8 });
  return midi.toArray();
}

function varLen(value: number): number[] {
  const bytes = [value & 0x7f];
  let v = value >> 7;
  while (v > 0) {
    bytes.unshift((v & 0x7f) | 0x80);
    v >>= 7;
  }
  return bytes;
}

/** A format-0 file written byte by byte: one track, the melody on channel 1 and a drone on channel 2. */
export function formatZeroMidi(): Uint8Array {
  const ppq = 480;
  const events: { tick: number; bytes: number[] }[] = [{ tick: 0, bytes: [0xff, 0x51, 0x03, 0x07, 0xa1, 0x20] }];
  for (const n of MELODY) {
    events.push({ tick: n.beat * ppq, bytes: [0x90, n.pitch, 96] });
    events.push({ tick: (n.beat + n.beats) * ppq, bytes: [0x80, n.pitch, 0] });
  }
  for (let bar = 0; bar < 8; bar++) {
    events.push({ tick: bar * 4 * ppq, bytes: [0x91, 48, 70] });
    events.push({ tick: (bar + 1) * 4 * ppq, bytes: [0x81, 48, 0] });
  }
  // Note-offs sort before note-ons at the same tick, so a repeated pitch is not cut at once.
  events.sort((a, b) => a.tick - b.tick || (a.bytes[0] & 0xf0) - (b.bytes[0] & 0xf0));
  const body: number[] = [];
  let last = 0;
  for (const e of events) {
    body.push(...varLen(e.tick - last), ...e.bytes);
    last = e.tick;
  }
  body.push(0x00, 0xff, 0x2f, 0x00);
  const header = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, ppq >> 8, ppq & 0xff];
  const len = body.length;
  const track = [0x4d, 0x54, 0x72, 0x6b, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff, ...body];
  return new Uint8Array([...header, ...track]);
}

/** A tiny JSB data set for training tests: the first chorales of the shared copy, each cut to 48 steps from its first full chord. */
export function tinyJsbJson(chorales = 2): string {
  const path = resolve(import.meta.dirname, '../../../shared/data/jsb-chorales/Jsb16thSeparated.train-valid.json');
  const full = JSON.parse(readFileSync(path, 'utf8')) as { train: number[][][] };
  const train = full.train.slice(0, chorales).map((c) => {
    const start = c.findIndex((step) => step.every((p) => p >= 0));
    return c.slice(start, start + 48);
  });
  return JSON.stringify({ train, valid: [] });
}

/**
 * A bounded reader of Standard MIDI Files: every chunk length, variable-length number and event length
 * is checked against the bytes left in its chunk before anything is read or allocated, so a damaged
 * file is refused with a `MidiInputError` in time linear in its size. (General-purpose readers trust
 * those lengths: a run of 0xff bytes inside a track made one of them loop until the heap ran out.)
 *
 * It keeps only what Cantus uses (notes, program changes, tempos, time signatures, track names) and
 * checks everything else for shape without keeping it.
 */
import { MidiInputError } from './errors';

/** One event Cantus uses, at its absolute tick within its track. */
export type SmfEvent =
  | { kind: 'noteOn'; tick: number; channel: number; pitch: number; velocity: number }
  | { kind: 'noteOff'; tick: number; channel: number; pitch: number }
  | { kind: 'program'; tick: number; channel: number; program: number }
  | { kind: 'tempo'; tick: number; microsecondsPerBeat: number }
  | { kind: 'timeSignature'; tick: number; numerator: number; denominator: number }
  | { kind: 'trackName'; tick: number; text: string };

/** A Standard MIDI File as read: its header and, per track chunk, the events Cantus uses in file order. */
export interface SmfFile {
  /** 0 (one track), 1 (several, played together) or 2 (several, played one after another). */
  format: number;
  /** Ticks per quarter note, or null for SMPTE timing. */
  ticksPerBeat: number | null;
  /** Ticks per second for SMPTE timing, else null. */
  ticksPerSecond: number | null;
  tracks: SmfEvent[][];
}

/** Largest value a MIDI variable-length number can hold: four bytes of seven bits. */
export const MAX_VARIABLE_LENGTH = 0x0fff_ffff;

const NOT_MIDI_MESSAGE =
  'This is not a MIDI file. Export your melody from your notation program or sequencer as a MIDI file (.mid) and try again.';
const TRUNCATED_MESSAGE = 'This MIDI file is cut short (incomplete download or copy?). Save or download it again and retry.';

function damaged(detail: string): MidiInputError {
  return new MidiInputError(
    'damaged',
    `This MIDI file is damaged and cannot be read (${detail}). Open it in a music program and save it again as MIDI.`,
  );
}

const ascii = (bytes: Uint8Array, at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
const uint32 = (bytes: Uint8Array, at: number) => ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
const uint16 = (bytes: Uint8Array, at: number) => (bytes[at] << 8) | bytes[at + 1];

/** Data bytes that follow each channel-message status (by its high nibble). */
const DATA_BYTES: Record<number, number> = { 0x8: 2, 0x9: 2, 0xa: 2, 0xb: 2, 0xc: 1, 0xd: 1, 0xe: 2 };

/** A cursor over one track chunk that refuses to step past the chunk's end. */
class ChunkCursor {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    private readonly track: number,
  ) {
    this.pos = start;
  }

  private fail(what: string): MidiInputError {
    return damaged(`${what} in track ${this.track + 1} at byte ${this.pos}`);
  }

  byte(): number {
    if (this.pos >= this.end) throw this.fail('an event runs past the end of its track');
    return this.bytes[this.pos++];
  }

  /** A variable-length number: at most four bytes, all inside the chunk. */
  varLength(): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.byte();
      value = value * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) return value;
    }
    throw this.fail('a number is longer than MIDI allows');
  }

  /** A length followed by that many bytes, which must lie inside the chunk; returns where they start. */
  block(): { at: number; length: number } {
    const length = this.varLength();
    if (length > this.end - this.pos) throw this.fail(`an event of ${length} bytes is longer than what is left of its track`);
    const at = this.pos;
    this.pos += length;
    return { at, length };
  }

  dataByte(): number {
    const b = this.byte();
    if (b & 0x80) throw this.fail('a note or controller value is out of range');
    return b;
  }

  text(at: number, length: number): string {
    // Track names are Latin-1 in practice; keep them short so a huge "name" cannot flood the page.
    let s = '';
    for (let i = at; i < at + Math.min(length, 200); i++) s += String.fromCharCode(this.bytes[i]);
    return s;
  }

  uint(at: number, length: number): number {
    let v = 0;
    for (let i = at; i < at + length; i++) v = v * 256 + this.bytes[i];
    return v;
  }

  raw(at: number): number {
    return this.bytes[at];
  }
}

/** Reads the events of one track chunk (bytes start..end), stopping at its end-of-track event. */
function readTrack(bytes: Uint8Array, start: number, end: number, index: number): SmfEvent[] {
  const c = new ChunkCursor(bytes, start, end, index);
  const events: SmfEvent[] = [];
  let tick = 0;
  let status = 0;
  while (c.pos < c.end) {
    tick += c.varLength();
    const first = c.byte();
    if (first === 0xff) {
      const type = c.byte();
      const { at, length } = c.block();
      if (type === 0x2f) break; // end of track: bytes after it are padding
      if (type === 0x03) events.push({ kind: 'trackName', tick, text: c.text(at, length) });
      else if (type === 0x51) {
        if (length !== 3) throw damaged(`a tempo event of ${length} bytes in track ${index + 1}`);
        events.push({ kind: 'tempo', tick, microsecondsPerBeat: c.uint(at, 3) });
      } else if (type === 0x58) {
        if (length !== 4 && length !== 2) throw damaged(`a time signature of ${length} bytes in track ${index + 1}`);
        const power = c.raw(at + 1);
        // A denominator beyond 2^8 is nonsense; keep it finite and let the caller reject it by value.
        events.push({ kind: 'timeSignature', tick, numerator: c.raw(at), denominator: power > 8 ? 0 : 2 ** power });
      }
      continue;
    }
    if (first === 0xf0 || first === 0xf7) {
      c.block(); // system exclusive: checked and skipped
      continue;
    }
    if (first >= 0xf0) throw damaged(`the event type ${first.toString(16)} cannot appear in a MIDI file (track ${index + 1})`);
    if (first & 0x80) status = first;
    else {
      if (status === 0) throw damaged(`track ${index + 1} continues an event that never started`);
      c.pos--; // running status: this byte is the first data byte
    }
    const type = status >> 4;
    const channel = status & 0x0f;
    const a = c.dataByte();
    const b = DATA_BYTES[type] === 2 ? c.dataByte() : 0;
    if (type === 0x9 && b > 0) events.push({ kind: 'noteOn', tick, channel, pitch: a, velocity: b });
    else if (type === 0x8 || type === 0x9) events.push({ kind: 'noteOff', tick, channel, pitch: a });
    else if (type === 0xc) events.push({ kind: 'program', tick, channel, program: a });
  }
  return events;
}

/**
 * Reads a Standard MIDI File (or a RIFF-wrapped .rmi). Throws `MidiInputError`: 'not-midi' for anything
 * else, 'truncated' when a chunk claims more bytes than the file has, 'damaged' for a malformed header
 * or event, 'no-notes' for a file without tracks.
 */
export function readSmf(bytes: Uint8Array): SmfFile {
  let smf = bytes;
  if (bytes.length >= 12 && ascii(bytes, 0) === 'RIFF' && ascii(bytes, 8) === 'RMID') {
    // RIFF-wrapped MIDI (.rmi): the standard file sits in a "data" chunk.
    let start = -1;
    for (let i = 12; i + 4 <= Math.min(bytes.length, 256); i++) {
      if (ascii(bytes, i) === 'MThd') {
        start = i;
        break;
      }
    }
    if (start < 0) throw new MidiInputError('not-midi', NOT_MIDI_MESSAGE);
    smf = bytes.subarray(start);
  }
  if (smf.length < 4 || ascii(smf, 0) !== 'MThd') throw new MidiInputError('not-midi', NOT_MIDI_MESSAGE);
  if (smf.length < 14) throw new MidiInputError('truncated', TRUNCATED_MESSAGE);
  const headerLength = uint32(smf, 4);
  if (headerLength < 6 || 8 + headerLength > smf.length) throw new MidiInputError('truncated', TRUNCATED_MESSAGE);
  const format = uint16(smf, 8);
  const trackCount = uint16(smf, 10);
  const division = uint16(smf, 12);
  if (format > 2)
    throw new MidiInputError(
      'damaged',
      `This MIDI file says it is of format ${format}, which does not exist (0, 1 and 2 do). The file is probably damaged.`,
    );
  if (trackCount === 0) throw new MidiInputError('no-notes', 'This MIDI file has no tracks, so there are no notes to use.');

  let ticksPerBeat: number | null = null;
  let ticksPerSecond: number | null = null;
  if (division & 0x8000) {
    const framesPerSecond = 256 - (division >> 8);
    const ticksPerFrame = division & 0xff;
    if (framesPerSecond <= 0 || ticksPerFrame === 0)
      throw new MidiInputError('damaged', 'This MIDI file has an impossible time base; it is probably damaged.');
    ticksPerSecond = framesPerSecond * ticksPerFrame;
  } else {
    if (division === 0)
      throw new MidiInputError('damaged', 'This MIDI file has zero ticks per beat, which is impossible; it is probably damaged.');
    ticksPerBeat = division;
  }

  const tracks: SmfEvent[][] = [];
  let offset = 8 + headerLength;
  while (tracks.length < trackCount) {
    if (offset + 8 > smf.length) throw new MidiInputError('truncated', TRUNCATED_MESSAGE);
    const id = ascii(smf, offset);
    const length = uint32(smf, offset + 4);
    if (length > smf.length - offset - 8) throw new MidiInputError('truncated', TRUNCATED_MESSAGE);
    // Chunks of other kinds are allowed by the standard and skipped.
    if (id === 'MTrk') tracks.push(readTrack(smf, offset + 8, offset + 8 + length, tracks.length));
    offset += 8 + length;
  }
  return { format, ticksPerBeat, ticksPerSecond, tracks };
}

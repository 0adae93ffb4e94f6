import { describe, expect, it } from 'vitest';
import { MidiInputError, MusicInputError, type MidiInputErrorCode } from '../../src/music/errors';
import { MAX_MIDI_BYTES, MAX_MIDI_NOTES, MAX_PIECE_STEPS, parseMidi } from '../../src/music/midiIn';
import { buildMidi, format0Midi, rawNote, rawTempo } from './music-midi-helpers';

/** Runs parseMidi and returns the MidiInputError it throws (failing the test if it throws none or another kind). */
function refusal(bytes: Uint8Array): MidiInputError {
  try {
    parseMidi(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(MidiInputError);
    expect(error).toBeInstanceOf(MusicInputError);
    return error as MidiInputError;
  }
  throw new Error('parseMidi accepted the file');
}

function expectRefusal(bytes: Uint8Array, code: MidiInputErrorCode, message: RegExp): void {
  const error = refusal(bytes);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
}

const song = buildMidi([{ name: 'Tune', notes: Array.from({ length: 16 }, (_, i) => ({ pitch: 60 + (i % 8), start: i * 2, steps: 2 })) }]);

describe('parseMidi refuses what it cannot use, with a typed error', () => {
  it('an empty file', () => expectRefusal(new Uint8Array(0), 'empty', /empty/));

  it('garbage bytes', () => {
    const garbage = Uint8Array.from({ length: 500 }, (_, i) => (i * 73 + 11) % 256);
    expectRefusal(garbage, 'not-midi', /not a MIDI file/);
    expectRefusal(new TextEncoder().encode('<html>404 Not Found</html>'), 'not-midi', /not a MIDI file/);
  });

  it('a truncated file, at any cut', () => {
    for (const cut of [3, 10, 14, 20, Math.floor(song.length / 2), song.length - 1]) {
      const error = refusal(song.subarray(0, cut));
      expect(['truncated', 'not-midi']).toContain(error.code);
      if (cut >= 4) expect(error.code).toBe('truncated');
    }
  });

  it('a file with no notes', () => {
    expectRefusal(buildMidi([{ name: 'Empty', notes: [] }]), 'no-notes', /no notes/);
    expectRefusal(format0Midi([rawTempo(0, 100)], 96), 'no-notes', /no notes/);
  });

  it('a file with drums only', () => {
    const drums = buildMidi([
      {
        name: 'Kit',
        channel: 9,
        notes: [
          { pitch: 36, start: 0, steps: 1 },
          { pitch: 38, start: 4, steps: 1 },
        ],
      },
    ]);
    expectRefusal(drums, 'only-drums', /only drums/);
  });

  it('a 50 MB file, by its size, before parsing', () => {
    const huge = new Uint8Array(50 * 1024 * 1024);
    huge.set(song); // a real header: the refusal must come from the size alone
    expectRefusal(huge, 'too-large', new RegExp(`50 MB.*up to ${MAX_MIDI_BYTES / 1024 / 1024}\\.0 MB`));
  });

  it('a two-hour piece', () => {
    // One whole note per bar at 120 bpm: 3600 bars, two hours (written raw: @tonejs/midi builds slowly).
    const events = [
      rawTempo(0, 120),
      ...Array.from({ length: 3600 }, (_, bar) => rawNote(0, 60 + (bar % 12), bar * 4 * 96, 4 * 96)).flat(),
    ];
    const error = refusal(format0Midi(events, 96));
    expect(error.code).toBe('too-long');
    expect(error.message).toMatch(/3600 bars long \(about 120 minutes\).*at most 1024 bars/);
    expect(error.message).toContain(String(MAX_PIECE_STEPS));
  });

  it('a file with more notes than Cantus reads, quickly', () => {
    // 60 000 32nd-note chords of three notes on one channel: within the length limit, over the note limit.
    const events = Array.from({ length: 20_000 }, (_, i) => [60, 64, 67].flatMap((p) => rawNote(0, p, i * 12, 12))).flat();
    const started = performance.now();
    const error = refusal(format0Midi(events, 96));
    expect(error.code).toBe('too-large');
    expect(error.message).toContain(`up to ${MAX_MIDI_NOTES} notes`);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('a piece just inside the length limit is accepted', () => {
    const notes = [
      { pitch: 60, start: 0, steps: 1 },
      { pitch: 62, start: MAX_PIECE_STEPS - 4, steps: 4 },
    ];
    expect(parseMidi(buildMidi([{ name: 'Edge', notes }])).totalSteps).toBe(MAX_PIECE_STEPS);
  });

  it('an absurd tempo', () => {
    const notes = [{ pitch: 60, start: 0, steps: 4 }];
    expectRefusal(buildMidi([{ notes }], { tempos: [{ ticks: 0, bpm: 1000 }] }), 'bad-tempo', /1000 beats per minute.*10 to 400 bpm/);
    expectRefusal(buildMidi([{ notes }], { tempos: [{ ticks: 0, bpm: 5 }] }), 'bad-tempo', /5 beats per minute/);
    expect(parseMidi(buildMidi([{ notes }], { tempos: [{ ticks: 0, bpm: 400 }] })).tempoBpm).toBeCloseTo(400, 3);
  });

  it('a header that claims more tracks than the file holds', () => {
    const bytes = format0Midi([...rawNote(0, 60, 0, 96)], 96);
    bytes[11] = 2; // two tracks announced, one present
    expectRefusal(bytes, 'truncated', /cut short/);
  });

  it('a file with zero ticks per beat', () => {
    const bytes = format0Midi([...rawNote(0, 60, 0, 96)], 96);
    bytes[12] = 0;
    bytes[13] = 0;
    expectRefusal(bytes, 'damaged', /damaged/);
  });
});

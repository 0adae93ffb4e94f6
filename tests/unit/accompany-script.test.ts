import { Midi } from '@tonejs/midi';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { accompanyFile, AccompanyUsageError, parseAccompanyArgs } from '../../scripts/accompany';
import { MidiInputError } from '../../src/music/errors';
import { buildMidi } from './music-midi-helpers';
import { useCpu } from './model-fixtures';

beforeAll(useCpu);

const dir = mkdtempSync(join(tmpdir(), 'cantus-accompany-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// "Ode to Joy", 4 bars of quarter notes, on a piano's second track, under a bass track.
const ODE = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62, -1];
const melodyNotes = ODE.flatMap((pitch, i) => (pitch < 0 ? [] : [{ pitch, start: i * 4, steps: 4 }]));

describe('npm run accompany', () => {
  it('writes the melody kept note for note with alto, tenor and bass sounding under every melody note', async () => {
    const input = join(dir, 'ode.mid');
    writeFileSync(
      input,
      buildMidi([
        { name: 'Bass line', program: 33, notes: [{ pitch: 36, start: 0, steps: 64 }] },
        { name: 'Melody', program: 0, notes: melodyNotes },
      ]),
    );
    const command = parseAccompanyArgs(['--model', 'models/default', input, '--track', '2', '--seed', '3']);
    expect(command.out).toBe(join(dir, 'ode - accompanied.mid'));
    const lines = await accompanyFile(command);
    expect(lines.join('\n')).toMatch(/Melody \(track 2\)/);
    const midi = new Midi(readFileSync(command.out));
    const tracks = midi.tracks.filter((t) => t.notes.length > 0);
    expect(tracks.map((t) => t.name)).toEqual(['Melody', 'Alto', 'Tenor', 'Bass']);
    expect(tracks[0].notes.map((n) => n.midi)).toEqual(melodyNotes.map((n) => n.pitch));
    const stepOf = (seconds: number) => Math.round(seconds / (60 / midi.header.tempos[0].bpm / 4));
    for (const note of melodyNotes) {
      for (const voice of tracks.slice(1)) {
        const under = voice.notes.filter((n) => stepOf(n.time) <= note.start && stepOf(n.time + n.duration) > note.start);
        expect(under, `${voice.name} under the melody note at step ${note.start}`).toHaveLength(1);
        expect(under[0].midi).toBeLessThanOrEqual(note.pitch);
      }
    }
  });

  it('says what is wrong with a bad command line or file', async () => {
    expect(() => parseAccompanyArgs([])).toThrow(AccompanyUsageError);
    expect(() => parseAccompanyArgs(['a.mid', '--decode-mode', 'jazz'])).toThrow(
      /--decode-mode must be one of auto, chorale, data, single, chords/,
    );
    expect(() => parseAccompanyArgs(['a.mid', '--voicing', 'single'])).toThrow(/Unknown option '--voicing'/);
    expect(parseAccompanyArgs(['a.mid', '--candidates', '4']).options.candidates).toBe(4);
    expect(() => parseAccompanyArgs(['a.mid', '--candidates', '0'])).toThrow(/--candidates must be at least 1, got 0/);
    expect(() => parseAccompanyArgs(['a.mid', '--track', '0'])).toThrow(/--track must be a whole number >= 1/);
    await expect(accompanyFile(parseAccompanyArgs([join(dir, 'missing.mid')]))).rejects.toThrow(/No file at/);
    const notMidi = join(dir, 'notes.txt');
    writeFileSync(notMidi, 'not a MIDI file');
    await expect(accompanyFile(parseAccompanyArgs([notMidi]))).rejects.toThrow(MidiInputError);
    const input = join(dir, 'one.mid');
    writeFileSync(input, buildMidi([{ name: 'Melody', notes: melodyNotes }]));
    await expect(accompanyFile(parseAccompanyArgs([input, '--track', '5']))).rejects.toThrow(/no track 5/i);
    expect(existsSync(join(dir, 'one - accompanied.mid'))).toBe(false);
  });
});

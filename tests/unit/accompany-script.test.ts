import { Midi } from '@tonejs/midi';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { accompanyFile, AccompanyUsageError, parseAccompanyArgs } from '../../scripts/accompany';
import { midiToRoll, parseMidi } from '../../src/music/midiIn';
import { rollToMidi } from '../../src/music/midiOut';
import { PITCHES, cellIndex, selectTracks, type PianoRoll } from '../../src/music/pianoRoll';
import { MidiInputError } from '../../src/music/errors';
import { buildMidi } from './music-midi-helpers';
import { useCpu } from './model-fixtures';
import { useWasm } from './wasm-fixtures';

// WebAssembly: the pretrained model samples its voices (16 runs of the generator per accompaniment), slow on plain JS.
beforeAll(useWasm);
afterAll(useCpu);

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
    expect(() => parseAccompanyArgs(['a.mid', '--candidates', '0'])).toThrow(
      /--candidates must be auto or a whole number from 1 to 16, got 0/,
    );
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

  it('keeps the notes of --keep FILE (an accompaniment it wrote, with bars cut out) and writes the rest around them', async () => {
    const input = join(dir, 'keep.mid');
    writeFileSync(input, buildMidi([{ name: 'Melody', program: 0, notes: melodyNotes }]));
    const first = parseAccompanyArgs([input, '--seed', '3', '--out', join(dir, 'keep-1.mid')]);
    await accompanyFile(first);
    // The user cuts the tenor's bars 2 and 3 out of the file and keeps the rest.
    const written = midiToRoll(parseMidi(new Uint8Array(readFileSync(first.out))));
    const edited: PianoRoll = { ...written, active: written.active.slice(), onsets: written.onsets!.slice() };
    for (let step = 16; step < 48; step++)
      for (let p = 0; p < PITCHES; p++) {
        edited.active[cellIndex(edited, step, p, 2)] = 0;
        edited.onsets![cellIndex(edited, step, p, 2)] = 0;
      }
    const kept = join(dir, 'keep-edited.mid');
    writeFileSync(kept, rollToMidi(edited));
    const again = parseAccompanyArgs([input, '--seed', '9', '--keep', kept, '--out', join(dir, 'keep-2.mid')]);
    expect(again.keep).toBe(kept);
    expect((await accompanyFile(again)).join('\n')).toMatch(/kept: the notes of keep-edited.mid's 3 accompaniment tracks/);
    const result = midiToRoll(parseMidi(new Uint8Array(readFileSync(again.out))));
    const sounding = (roll: PianoRoll, track: number, step: number) =>
      Array.from({ length: PITCHES }, (_, p) => p).filter((p) => roll.active[cellIndex(roll, step, p, track)]);
    for (let step = 0; step < 60; step++) {
      for (const track of [1, 3])
        expect(sounding(result, track, step), `track ${track} step ${step}`).toEqual(sounding(written, track, step));
      if (step < 16 || step >= 48) expect(sounding(result, 2, step)).toEqual(sounding(written, 2, step));
      else expect(sounding(result, 2, step), `the tenor is written again at step ${step}`).toHaveLength(1);
    }
    // A file of another length or with other tracks is refused, saying why.
    const short = join(dir, 'keep-short.mid');
    writeFileSync(
      short,
      buildMidi([
        { name: 'Melody', notes: melodyNotes.slice(0, 4) },
        { name: 'A', notes: [] },
        { name: 'T', notes: [] },
        { name: 'B', notes: [{ pitch: 40, start: 0, steps: 16 }] },
      ]),
    );
    await expect(accompanyFile(parseAccompanyArgs([input, '--keep', short]))).rejects.toThrow(
      /--keep keep-short.mid is 1 bar long and the melody 4/,
    );
    const two = join(dir, 'keep-two.mid');
    writeFileSync(two, rollToMidi(selectTracks(written, [0, 1])));
    await expect(accompanyFile(parseAccompanyArgs([input, '--keep', two]))).rejects.toThrow(/--keep keep-two.mid has 2 tracks; it needs 4/);
    await expect(accompanyFile(parseAccompanyArgs([input, '--keep', join(dir, 'nope.mid')]))).rejects.toThrow(
      /No file at .*nope.mid \(--keep\)/,
    );
  });
});

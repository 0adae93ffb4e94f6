/**
 * A model of the user's own music, end to end in Node: band-style MIDI files (tests/unit/band-fixtures.ts) in a
 * folder, `npm run train --data FOLDER`, then `npm run accompany` on a held-out file's melody. The accompaniment
 * must write like the data (its rests, chords, ranges and drums, within the tolerances below), name and voice its
 * tracks after the data, and export the drums on channel 10.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { accompanyFile, parseAccompanyArgs } from '../../scripts/accompany';
import { readModelDir } from '../../scripts/lib/modelDir';
import { splitOwnFiles } from '../../src/data/ownMidiFiles';
import { DRUM_CHANNEL } from '../../src/music/constants';
import { measureDataProfile, type DataProfile } from '../../src/music/dataProfile';
import { midiToRoll, parseMidi } from '../../src/music/midiIn';
import { ownMidiRolls } from '../../src/music/ownMidi';
import { expectLikeTheBand } from './band-fixtures';
import { trainTinyOnFolder, writeBandFolder } from './band-training';

let dir: string;
let data: string;
let names: string[];
let model: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cantus-own-'));
  data = join(dir, 'band');
  mkdirSync(data);
  names = writeBandFolder(data, 6);
  model = await trainTinyOnFolder(data, join(dir, 'run'), 3);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a model trained on own band files', () => {
  it('records what it learned from in its files', () => {
    const manifest = JSON.parse(readModelDir(model).modelJson) as { data: DataProfile };
    expect(manifest.data.kind).toBe('own');
    expect(manifest.data.tracks.map((t) => [t.name, t.program, t.isDrum])).toEqual([
      ['Piano', 0, false],
      ['Bass', 33, false],
      ['Drums', 0, true],
    ]);
  });

  it('accompanies a held-out melody as the band plays, and exports it with the drums on channel 10', async () => {
    const [heldOut] = splitOwnFiles(names).heldOut;
    const result = join(dir, 'accompanied.mid');
    const lines = await accompanyFile(parseAccompanyArgs(['--model', model, join(data, heldOut), '--out', result]));
    expect(lines.join('\n')).toMatch(/melody \+ Piano, Bass, Drums/);

    const exported = parseMidi(new Uint8Array(readFileSync(result)));
    const byName = (name: string) => exported.tracks.find((t) => t.name === name)!;
    expect(byName('Piano').program).toBe(0);
    expect(byName('Bass').program).toBe(33);
    expect(byName('Drums').isDrum).toBe(true);
    expect(byName('Drums').channel).toBe(DRUM_CHANNEL);

    // The accompaniment, read back from the export, against the held-out file's own tracks.
    const writtenRoll = midiToRoll(exported, { tracks: ['Melody', 'Piano', 'Bass', 'Drums'].map((name) => byName(name).index) });
    const files = names.map((n) => parseMidi(new Uint8Array(readFileSync(join(data, n)))));
    const real = ownMidiRolls(files).rolls[names.indexOf(heldOut)];
    const written = measureDataProfile([writtenRoll], 'own');
    const band = measureDataProfile([real], 'own');
    expectLikeTheBand(written, band);
    // Each melodic track's notes as long as the band's; the drums mostly where the band strikes them.
    written.tracks.forEach((track, i) => {
      if (!track.isDrum) expect(track.noteSteps, `${track.name} note length`).toBe(band.tracks[i].noteSteps);
    });
    for (const key of written.tracks[2].drumKeys) {
      const truth = band.tracks[2].drumKeys.find((k) => k.pitch === key.pitch)!;
      const onBandPositions = key.pattern.reduce((sum, rate, pos) => sum + (truth.pattern[pos] > 0 ? rate : 0), 0);
      const all = key.pattern.reduce((a, b) => a + b, 0);
      expect(onBandPositions / all, `drum key ${key.pitch} where the band strikes it`).toBeGreaterThanOrEqual(0.75);
    }
  });
});

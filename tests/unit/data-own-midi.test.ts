import { describe, expect, it } from 'vitest';
import { midiFilesToTrainingWindows, readMidiFiles } from '../../src/data/ownMidiFiles';
import { MidiInputError } from '../../src/music/errors';
import { buildMidi } from './music-midi-helpers';

const file = (name: string, bytes: Uint8Array) => ({ name, arrayBuffer: async () => bytes.slice().buffer });
const tune = buildMidi([
  { name: 'Tune', notes: Array.from({ length: 16 }, (_, i) => ({ pitch: 72 + (i % 5), start: i * 4, steps: 4 })) },
  { name: 'Bass', notes: Array.from({ length: 4 }, (_, i) => ({ pitch: 40 + i, start: i * 16, steps: 16 })) },
]);

describe('picked MIDI files as training data', () => {
  it('reads every file and packs its windows', async () => {
    const windows = await midiFilesToTrainingWindows([file('a.mid', tune), file('b.mid', tune)]);
    expect(windows.count).toBe(6); // 4 bars each: windows at bars 1, 2 and 3
    expect(windows.tracks).toBe(4);
  });

  it('names the file that cannot be used', async () => {
    const error = await readMidiFiles([file('good.mid', tune), file('song.txt', new TextEncoder().encode('hello'))]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MidiInputError);
    expect((error as MidiInputError).code).toBe('not-midi');
    expect((error as MidiInputError).message).toMatch(/^"song\.txt": This is not a MIDI file/);
  });

  it('asks for files when none are picked', async () => {
    await expect(midiFilesToTrainingWindows([])).rejects.toThrow(/No MIDI files/);
  });
});

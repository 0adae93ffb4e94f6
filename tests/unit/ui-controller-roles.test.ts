/** The user's own training files through the page controller: their tracks' roles, chosen before training and used by it. */
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { OwnMidiChoice } from '../../src/ui/controller';
import type { TrackRole } from '../../src/ui/state';
import { ownFilesHold } from '../../src/ui/trackRoles';
import type { TrainingWindows } from '../../src/music/pianoRoll';
import { readMidiFiles } from '../../src/data/ownMidiFiles';
import { defaultTrackRoles } from '../../src/music/ownMidi';
import { browserTrainingData } from '../../src/app/trainingData';
import { bandMidi } from './band-fixtures';
import { buildMidi } from './music-midi-helpers';
import { file, setup } from './ui-controller-fixtures';

/** Two band files (Lead, Bass, Piano, Drums). */
const bandFiles = () => [file('band 1.mid', bandMidi(1)), file('band 2.mid', bandMidi(2))];

/** A quartet without drums: four melodic tracks, high to low, so its default accompaniment fills all three places. */
const quartetMidi = () =>
  buildMidi(
    [
      { name: 'Flute', program: 73, pitch: 79 },
      { name: 'Violin', program: 40, pitch: 67 },
      { name: 'Viola', program: 41, pitch: 60 },
      { name: 'Cello', program: 42, pitch: 48 },
    ].map(({ pitch, ...track }) => ({
      ...track,
      notes: Array.from({ length: 8 }, (_, bar) => ({ pitch: pitch + (bar % 2) * 2, start: bar * 16, steps: 16 })),
    })),
  );

/** Each file's roles by track name. */
function rolesByName(files: { parsed: { tracks: { name: string }[] } | null; roles: TrackRole[] }[]): Record<string, TrackRole>[] {
  return files.map((f) => Object.fromEntries((f.parsed?.tracks ?? []).map((t, i) => [t.name, f.roles[i]])));
}

/** Track `name`'s index in own file `fileIndex`. */
function trackOf(files: { parsed: { tracks: { name: string }[] } | null }[], fileIndex: number, name: string): number {
  const index = files[fileIndex].parsed?.tracks.findIndex((t) => t.name === name) ?? -1;
  expect(index).toBeGreaterThanOrEqual(0);
  return index;
}

/** Four windows of silence: what the recording data source answers. */
const WINDOWS: TrainingWindows = {
  count: 4,
  steps: 32,
  tracks: 4,
  data: new Int8Array(4 * 32 * 128 * 4).fill(-1),
  trackNames: ['Melody', 'Bass', 'Piano', 'Drums'],
};

describe('Controller: the roles of the own training files’ tracks', () => {
  it('reads picked files and gives their tracks the default roles: Lead the melody, Bass and Piano the accompaniment, Drums the drums', async () => {
    const { store, controller } = setup();
    const reading = controller.setOwnFiles(bandFiles());
    expect(store.get().ownFilesReading).toBe(true);
    expect(store.get().dataset).toBe('own');
    expect(ownFilesHold(store.get())).toMatch(/still being read/);
    await reading;
    const s = store.get();
    expect(s.ownFilesReading).toBe(false);
    expect(s.ownFiles.map((f) => [f.file.name, f.error, f.problem])).toEqual([
      ['band 1.mid', null, null],
      ['band 2.mid', null, null],
    ]);
    const expected = { Lead: 'melody', Bass: 'accompaniment', Piano: 'accompaniment', Drums: 'drums' };
    expect(rolesByName(s.ownFiles)).toEqual([expected, expected]);
    expect(ownFilesHold(s)).toBeNull();
  });

  it('changes a role; choosing another melody swaps it with the former melody; a drum track is only drums or unused', async () => {
    const { store, controller } = setup();
    await controller.setOwnFiles(bandFiles());
    const files = store.get().ownFiles;
    controller.setTrackRole(1, trackOf(files, 1, 'Piano'), 'unused');
    expect(rolesByName(store.get().ownFiles)[1]).toEqual({ Lead: 'melody', Bass: 'accompaniment', Piano: 'unused', Drums: 'drums' });
    // The first file is untouched.
    expect(rolesByName(store.get().ownFiles)[0].Piano).toBe('accompaniment');
    controller.setTrackRole(0, trackOf(files, 0, 'Bass'), 'melody');
    expect(rolesByName(store.get().ownFiles)[0]).toEqual({ Lead: 'accompaniment', Bass: 'melody', Piano: 'accompaniment', Drums: 'drums' });
    controller.setTrackRole(0, trackOf(files, 0, 'Drums'), 'melody');
    controller.setTrackRole(0, trackOf(files, 0, 'Lead'), 'drums');
    expect(rolesByName(store.get().ownFiles)[0]).toEqual({ Lead: 'accompaniment', Bass: 'melody', Piano: 'accompaniment', Drums: 'drums' });
    controller.setTrackRole(0, trackOf(files, 0, 'Drums'), 'unused');
    expect(rolesByName(store.get().ownFiles)[0].Drums).toBe('unused');
    expect(store.get().ownFiles.map((f) => f.problem)).toEqual([null, null]);
  });

  it('shows an impossible choice beside its file and keeps training from starting until it is put right', async () => {
    const { store, trainer, controller } = setup();
    await controller.start();
    await controller.setOwnFiles(bandFiles());
    const files = store.get().ownFiles;
    controller.setTrackRole(0, trackOf(files, 0, 'Lead'), 'unused');
    const [first, second] = store.get().ownFiles;
    expect(first.problem).toMatch(/No track is the melody/);
    expect(second.problem).toBeNull();
    expect(ownFilesHold(store.get())).toContain('band 1.mid');
    await controller.train();
    expect(trainer.started).toHaveLength(0);
    expect(store.get().error?.region).toBe('training');
    expect(store.get().error?.message).toMatch(/No track is the melody/);
    controller.setTrackRole(0, trackOf(files, 0, 'Lead'), 'melody');
    expect(store.get().ownFiles[0].problem).toBeNull();
    expect(ownFilesHold(store.get())).toBeNull();
  });

  it('names the file whose tracks do not fit the others’: three melodic accompaniment tracks beside a file with drums', async () => {
    const { store, controller } = setup();
    await controller.setOwnFiles([file('band.mid', bandMidi(3)), file('quartet.mid', quartetMidi())]);
    const [band, quartet] = store.get().ownFiles;
    expect(rolesByName([quartet])[0]).toEqual({ Flute: 'melody', Violin: 'accompaniment', Viola: 'accompaniment', Cello: 'accompaniment' });
    expect(band.problem).toBeNull();
    expect(quartet.problem).toContain('"quartet.mid"');
    expect(quartet.problem).toMatch(/3 melodic accompaniment tracks/);
    expect(ownFilesHold(store.get())).toContain('quartet.mid');
    // Leaving the band's drums out frees the third place; so does leaving one of the quartet's tracks out.
    controller.setTrackRole(0, trackOf(store.get().ownFiles, 0, 'Drums'), 'unused');
    expect(store.get().ownFiles.map((f) => f.problem)).toEqual([null, null]);
    controller.setTrackRole(0, trackOf(store.get().ownFiles, 0, 'Drums'), 'drums');
    expect(store.get().ownFiles[1].problem).not.toBeNull();
    controller.setTrackRole(1, trackOf(store.get().ownFiles, 1, 'Viola'), 'unused');
    expect(store.get().ownFiles.map((f) => f.problem)).toEqual([null, null]);
  });

  it('trains on the readable files with the roles chosen, as they were read, and shows why a file is left out', async () => {
    const calls: { files: string[]; choice?: OwnMidiChoice }[] = [];
    const { store, trainer, controller } = setup(undefined, {
      data: {
        jsb: async () => WINDOWS,
        readOwnMidi: async (picked) => (await readMidiFiles([picked]))[0],
        ownMidi: async (files, _note, choice) => {
          calls.push({ files: files.map((f) => f.name), choice });
          return WINDOWS;
        },
      },
    });
    await controller.start();
    const broken = file('broken.mid', 'MThd this is not a MIDI file');
    await controller.setOwnFiles([file('band 1.mid', bandMidi(1)), broken, file('band 2.mid', bandMidi(2))]);
    const own = store.get().ownFiles;
    expect(own[1].parsed).toBeNull();
    expect(own[1].error).toMatch(/^"broken\.mid": /);
    expect(own[1].problem).toBeNull();
    expect(ownFilesHold(store.get())).toBeNull();
    const piano = trackOf(own, 2, 'Piano');
    const bass = trackOf(own, 2, 'Bass');
    const lead = trackOf(own, 2, 'Lead');
    const drums = trackOf(own, 2, 'Drums');
    // Bass becomes the melody, Lead takes its place in the accompaniment (ordered high to low, the drums last).
    controller.setTrackRole(2, bass, 'melody');
    await controller.train();
    expect(store.get().error).toBeNull();
    expect(trainer.started).toHaveLength(1);
    expect(calls).toHaveLength(1);
    const { files, choice } = calls[0];
    expect(files).toEqual(['band 1.mid', 'band 2.mid']);
    expect(choice?.names).toEqual(['band 1.mid', 'band 2.mid']);
    // The very objects read when the files were picked: training does not read them again.
    expect(choice?.parsed?.[0]).toBe(own[0].parsed);
    expect(choice?.parsed?.[1]).toBe(own[2].parsed);
    // The first file keeps its default roles: the piano above the bass, the drums last.
    expect(choice?.roles[0]).toEqual(defaultTrackRoles(own[0].parsed!));
    expect(choice?.roles[0]).toEqual({
      melody: trackOf(own, 0, 'Lead'),
      accompaniment: [trackOf(own, 0, 'Piano'), trackOf(own, 0, 'Bass'), trackOf(own, 0, 'Drums')],
    });
    expect(choice?.roles[1]).toEqual({ melody: bass, accompaniment: [lead, piano, drums] });
  });

  it('keeps only the latest pick when files are picked again while the first are still read', async () => {
    const { store, controller } = setup();
    const first = controller.setOwnFiles(bandFiles());
    const second = controller.setOwnFiles([file('band 3.mid', bandMidi(3))]);
    await Promise.all([first, second]);
    expect(store.get().ownFiles.map((f) => f.file.name)).toEqual(['band 3.mid']);
    expect(store.get().ownFiles[0].parsed).not.toBeNull();
    expect(store.get().ownFilesReading).toBe(false);
  });

  it('the page’s data source trains with the roles given, on the files as read when picked', async () => {
    const data = browserTrainingData();
    const picked = bandFiles();
    // Without a Worker the reader parses on this thread. Node has none, but a test file before this one in the same
    // process may have started the threaded WebAssembly backend, whose Emscripten glue installs a global Worker that
    // cannot run the page's TypeScript worker: hidden for this test.
    vi.stubGlobal('Worker', undefined);
    onTestFinished(() => {
      vi.unstubAllGlobals();
    });
    const parsed = await Promise.all(picked.map((f) => data.readOwnMidi(f)));
    expect(parsed.map((p) => p?.tracks.map((t) => t.name))).toEqual([
      ['Lead', 'Bass', 'Piano', 'Drums'],
      ['Lead', 'Bass', 'Piano', 'Drums'],
    ]);
    await expect(data.readOwnMidi(file('song.txt', 'hello'))).rejects.toThrow(/^"song\.txt": /);
    expect(await data.readOwnMidi(file('chorales.json', '{}'))).toBeNull();
    // The piano left out of both files: the model writes the bass, a silent place and the drums.
    const roles = parsed.map(() => ({ melody: 0, accompaniment: [1, 3] }));
    const unread = picked.map((f) => Object.assign(f, { arrayBuffer: () => Promise.reject(new Error('read again')) }));
    const notes: string[] = [];
    const windows = await data.ownMidi(unread, (n) => notes.push(n), {
      roles,
      names: picked.map((f) => f.name),
      parsed: parsed.map((p) => p!),
    });
    expect(windows.trackNames?.[0]).toBe('Melody');
    expect(windows.trackNames).toContain('Bass');
    expect(windows.trackNames).toContain('Drums');
    expect(windows.trackNames).not.toContain('Piano');
    expect(notes).toEqual(['Preparing 2 MIDI files…']);
  });
});

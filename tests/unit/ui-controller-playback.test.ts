/** Listening through the page controller: the mixer, tempo and loop, and Export MIDI as heard. */
import { describe, expect, it } from 'vitest';
import { createRoll } from '../../src/music/pianoRoll';
import { setup } from './ui-controller-fixtures';
import { defaultInstrument, instrumentForProgram } from '../../src/audio/instruments';

describe('default instruments', () => {
  it('voice a track after the program it states, by General MIDI family, else by its place', () => {
    expect([0, 12, 19, 25, 33, 42, 48, 52, 56, 73, 81, 89].map(instrumentForProgram)).toEqual([
      'piano',
      'marimba',
      'organ',
      'piano',
      'bass',
      'strings',
      'strings',
      'choir',
      'strings',
      'flute',
      'organ',
      'strings',
    ]);
    expect(defaultInstrument(2, { program: 33 })).toBe('bass');
    expect(defaultInstrument(2)).toBe('organ');
  });
});

describe('Controller playback', () => {
  it('exports what is heard: mixer programs, the tempo in use, muted tracks left out and named', () => {
    let written: { options: unknown; name: string } | null = null;
    const { store, controller } = setup(undefined, {
      rollToMidi: (_roll, options) => {
        written = { options, name: '' };
        return new Uint8Array([1]);
      },
      download: (name) => {
        if (written) written.name = name;
      },
    });
    controller.loadSample('twinkle');
    const roll = createRoll(store.get().melody!.steps, [
      { name: 'Melody', program: 0, isDrum: false },
      { name: 'Alto', program: 52, isDrum: false },
      { name: 'Tenor', program: 52, isDrum: false },
    ]);
    controller.listenTo(roll, 'test');
    controller.setTrackInstrument(0, 'flute');
    controller.setTrackInstrument(1, 'organ');
    controller.setTrackMix(2, { muted: true });
    controller.setTempo(106);
    expect(controller.exportPlan()?.leftOut).toEqual(['Tenor']);
    controller.exportMidi();
    // The tenor, left on the instrument nearest its own program (52, choir), keeps that program.
    expect(written!.options).toMatchObject({ tempoBpm: 106, programs: [73, 19, 52], include: [true, true, false] });
    expect(written!.name).toBe('Twinkle, Twinkle, Little Star - melody, alto - 106 bpm.mid');
    // Every track muted: a message, no file.
    controller.setTrackMix(0, { muted: true });
    controller.setTrackMix(1, { muted: true });
    written = null;
    controller.exportMidi();
    expect(written).toBeNull();
    expect(store.get().error?.message).toMatch(/Every track is muted/);
  });

  it('exports MusicXML as heard: the sounding tracks, their instruments, the tempo in use, named as the MIDI file', () => {
    const files: { name: string; text: string; type: string }[] = [];
    const { store, controller } = setup(undefined, {
      download: (name, bytes, type) => files.push({ name, text: String(bytes), type }),
    });
    controller.loadSample('twinkle');
    const melody = store.get().melody!;
    controller.listenTo({ ...melody, tracks: [{ name: 'Melody', program: 0, isDrum: false }] }, 'test');
    controller.setTrackInstrument(0, 'flute');
    controller.setTempo(96);
    controller.exportMusicXml();
    expect(files).toHaveLength(1);
    expect(files[0].name).toBe('Twinkle, Twinkle, Little Star - melody only - 96 bpm.musicxml');
    expect(files[0].type).toBe('application/vnd.recordare.musicxml+xml');
    expect(files[0].text).toContain('<part-name>Melody</part-name>');
    expect(files[0].text).toContain('<midi-program>74</midi-program>');
    expect(files[0].text).toContain('<sound tempo="96"/>');
    controller.setTrackMix(0, { muted: true });
    controller.exportMusicXml();
    expect(files).toHaveLength(1);
    expect(store.get().error?.message).toMatch(/Every track is muted/);
  });

  it('goes back to a new tune’s own tempo and whole-piece loop, and loops a bar range as steps', async () => {
    const { store, player, controller } = setup();
    await controller.start();
    controller.setTempo(150);
    controller.setLoop(true);
    controller.setLoopBars({ from: 2, to: 3 });
    const barSteps = store.get().listening!.roll.beatsPerBar * store.get().listening!.roll.stepsPerBeat;
    expect(player.loops.at(-1)).toBe(`${barSteps}-${3 * barSteps}`);
    controller.setLoopBars({ from: 3, to: 2 });
    expect(store.get().error?.message).toMatch(/end at or after bar 3/);
    controller.loadSample('twinkle');
    expect(store.get().tempoBpm).toBeNull();
    expect(store.get().loopBars).toBeNull();
    expect(player.tempos.at(-1)).toBe(store.get().melody!.tempoBpm);
    expect(player.loops.at(-1)).toBe('all');
  });

  it('plays a training snapshot with every voice sounding, then puts the accompaniment back', async () => {
    const { store, player, controller } = setup();
    await controller.start();
    const melody = store.get().listening!.roll;
    const snapshot = createRoll(32, [melody.tracks[0], { name: 'Alto', program: 0, isDrum: false }]);
    store.set({ snapshots: [{ epoch: 2, rolls: [snapshot] }] });
    controller.setTrackMix(0, { muted: true });
    await controller.playSnapshot(2);
    expect(store.get().audition?.epoch).toBe(2);
    expect(player.roll).toBe(snapshot);
    expect(player.mix.map((m) => m.muted)).toEqual([false, false]);
    controller.backToAccompaniment();
    expect(store.get().audition).toBeNull();
    expect(player.roll).toBe(melody);
    expect(player.mix.map((m) => m.muted)).toEqual([true]);
  });
});

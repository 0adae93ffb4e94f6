/** The melody's actions and the error message: a refused file's message goes when the next action works. */
import { describe, expect, it } from 'vitest';
import { parseMidi } from '../../src/music/midiIn';
import { sampleMelodyRoll } from '../../src/music/samples';
import { file, oneTrackMidi, ownController, setup, twoTrackMidi } from './ui-controller-fixtures';

/** A started controller whose last MIDI file was refused (its message shown in the melody region). */
async function withRefusedFile() {
  const context = setup();
  await context.controller.start();
  await context.controller.openMidiFile(file('bad.mid', 'MThd this is not MIDI'));
  expect(context.store.get().error?.region).toBe('melody');
  return context;
}

describe('Controller messages after a refused file', () => {
  it("clears a refused file's message when the next upload works", async () => {
    const { store, controller } = await withRefusedFile();
    await controller.openMidiFile(file('good.mid', oneTrackMidi()));
    expect(store.get().melodyName).toBe('good');
    expect(store.get().error).toBeNull();
  });

  it('clears it when a file with several tracks opens its track choice', async () => {
    const { store, controller } = await withRefusedFile();
    await controller.openMidiFile(file('two.mid', twoTrackMidi()));
    expect(store.get().pendingMidi?.tracks).toHaveLength(2);
    expect(store.get().error).toBeNull();
  });

  it('clears it when a sample becomes the melody', async () => {
    const { store, controller } = await withRefusedFile();
    controller.loadSample('twinkle');
    expect(store.get().error).toBeNull();
  });

  it('clears it when a recording becomes the melody', async () => {
    const { store, controller } = await withRefusedFile();
    controller.setMelody(sampleMelodyRoll('greensleeves'), 'Recorded melody');
    expect(store.get().error).toBeNull();
  });

  it('clears it when an accompaniment is written', async () => {
    const { store, controller } = await withRefusedFile();
    // A model in use (how it came does not matter here): the accompaniment can be written.
    store.set({ model: { origin: 'default', label: 'pretrained default' } });
    await controller.generate();
    expect(store.get().error?.message ?? null).toBeNull();
    expect(store.get().result).not.toBeNull();
  });

  it('keeps the message when the next action fails too', async () => {
    const { store, controller } = await withRefusedFile();
    const count = store.get().errorCount;
    await controller.openMidiFile(file('empty.mid', new Uint8Array(0)));
    expect(store.get().errorCount).toBe(count + 1);
    expect(store.get().error?.message).toMatch(/empty/);
  });

  it('reads through the given MIDI reader', async () => {
    const read: number[] = [];
    const own = setup();
    const controller = ownController(own, {
      readMidi: async (bytes) => {
        read.push(bytes.length);
        return parseMidi(bytes);
      },
    });
    await controller.openMidiFile(file('good.mid', oneTrackMidi()));
    expect(read).toEqual([oneTrackMidi().length]);
    expect(own.store.get().melodyName).toBe('good');
  });

  it('keeps a message that appeared while the action ran: it is newer than the action', async () => {
    const context = await withRefusedFile();
    const controller = ownController(context, {
      readMidi: async (bytes) => {
        context.controller.report('player', new Error('Playback could not start: newer'));
        return parseMidi(bytes);
      },
    });
    await controller.openMidiFile(file('good.mid', oneTrackMidi()));
    expect(context.store.get().melodyName).toBe('good');
    expect(context.store.get().error?.message).toMatch(/newer/);
  });
});

describe('Controller track choice', () => {
  it('takes the chosen track of a file with several as the melody, named after it, and forgets the file', async () => {
    const { store, controller } = setup();
    await controller.openMidiFile(file('two.mid', twoTrackMidi()));
    const lead = store.get().pendingMidi!.tracks.find((t) => t.name === 'Lead')!;
    controller.chooseTrack(lead.index);
    expect(store.get().melodyName).toBe('two: Lead');
    expect(store.get().melody?.tracks).toHaveLength(1);
    expect(store.get().pendingMidi).toBeNull();
  });
});

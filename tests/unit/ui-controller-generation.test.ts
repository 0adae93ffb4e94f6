/** The accompany panel's generation options: kept in the page, sent with every accompaniment, saved and restored. */
import { describe, expect, it, vi } from 'vitest';
import { sampleMelodyRoll } from '../../src/music/samples';
import type { PianoRoll } from '../../src/music/pianoRoll';
import { DEFAULT_GENERATION_OPTIONS, type GenerationOptionsInput } from '../../src/protocol/generation';
import { setup } from './ui-controller-fixtures';

/** Lets the page's save (400 ms after a change) run. */
const afterSave = () => new Promise((resolve) => setTimeout(resolve, 450));

describe('Controller generation options', () => {
  it('sends them with every accompaniment, writes it again when they change, and ignores invalid ones', async () => {
    const { store, trainer, controller, memory } = setup();
    await controller.start();
    // The fake worker client answers any options; what the page sends is its third argument.
    const calls = vi.spyOn(trainer, 'generate').mock.calls as unknown as [PianoRoll, number, GenerationOptionsInput?][];
    const sentOptions = () => calls.map((call) => call[2]);
    store.set({ model: { origin: 'default', label: 'pretrained default' } });
    controller.setMelody(sampleMelodyRoll('twinkle'), 'Twinkle');
    await controller.generate();
    expect(sentOptions()).toEqual([DEFAULT_GENERATION_OPTIONS]);
    expect(store.get().announcement).toMatch(/variation 1, written in \d+\.\d s\./);

    await controller.setGenerationOptions({ decodeMode: 'single' });
    expect(store.get().generation).toEqual({ ...DEFAULT_GENERATION_OPTIONS, decodeMode: 'single' });
    expect(sentOptions().at(-1)).toEqual({ ...DEFAULT_GENERATION_OPTIONS, decodeMode: 'single' });

    await controller.setGenerationOptions({ decodeMode: 'jazz' as never });
    expect(store.get().generation.decodeMode).toBe('single');
    expect(sentOptions()).toHaveLength(2);
    await afterSave();
    expect(memory.page?.generation).toEqual({ ...DEFAULT_GENERATION_OPTIONS, decodeMode: 'single' });
  });

  it('restores saved options, and the decoding of a page saved before them', async () => {
    const saved = setup({ generation: { ...DEFAULT_GENERATION_OPTIONS, decodeMode: 'chords' } });
    await saved.controller.start();
    expect(saved.store.get().generation.decodeMode).toBe('chords');
    const older = setup({ voicing: 'single' });
    await older.controller.start();
    expect(older.store.get().generation).toEqual({ ...DEFAULT_GENERATION_OPTIONS, decodeMode: 'single' });
    // 'chorale' was the default before 'auto': a page of then reads as 'auto'; one saved since keeps a chosen 'chorale'.
    const beforeAuto = setup({ generation: { ...DEFAULT_GENERATION_OPTIONS, decodeMode: 'chorale' } });
    await beforeAuto.controller.start();
    expect(beforeAuto.store.get().generation.decodeMode).toBe('auto');
    const chosen = setup({ generation: { ...DEFAULT_GENERATION_OPTIONS, decodeMode: 'chorale' }, generationVersion: 2 });
    await chosen.controller.start();
    expect(chosen.store.get().generation.decodeMode).toBe('chorale');
    // 1 candidate was the default before 'auto': a page of then reads as 'auto'; other numbers, and a 1 chosen since, stay.
    for (const [version, candidates, restored] of [
      [2, 1, 'auto'],
      [2, 4, 4],
      [3, 1, 1],
    ] as const) {
      const page = setup({ generation: { ...DEFAULT_GENERATION_OPTIONS, candidates }, generationVersion: version });
      await page.controller.start();
      expect(page.store.get().generation.candidates).toBe(restored);
    }
  });
});

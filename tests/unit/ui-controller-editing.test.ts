/** The note editor's actions: the roll shown is edited, heard, saved and exported as edited; undo and redo; the melody of an accompaniment. */
import { describe, expect, it } from 'vitest';
import { lockedNoteCount, type AccompanimentLock } from '../../src/music/locks';
import { trackNotes } from '../../src/music/notes';
import type { PianoRoll } from '../../src/music/pianoRoll';
import type { Trainer } from '../../src/ui/controller';
import { resultLock } from '../../src/ui/state';
import { press, setup, tick } from './ui-controller-fixtures';

/** A started page with a sample melody and the editor on. */
async function editing() {
  const context = setup();
  await context.controller.start();
  context.controller.loadSample('twinkle');
  context.controller.setEditing(true);
  return context;
}

describe('Controller note editing', () => {
  it('starts on the first note of the melody and says where it is', async () => {
    const { store } = await editing();
    const first = trackNotes(store.get().melody!, 0)[0];
    expect(store.get().editing.on).toBe(true);
    expect(store.get().editing.cursor).toEqual({ step: first.startStep, pitch: first.pitch });
    expect(store.get().editing.said).toMatch(/^Editing the melody\. C4, bar 1 beat 1: a note of/);
  });

  it('edits the melody shown: the store, the player and the saved page get the edited roll', async () => {
    const { store, controller, player, memory } = await editing();
    const before = trackNotes(store.get().melody!, 0).length;
    expect(controller.editNote({ kind: 'add', track: 0, note: { pitch: 84, startStep: 1, steps: 1, velocity: 90 } })).toBe(true);
    const s = store.get();
    expect(trackNotes(s.melody!, 0)).toHaveLength(before + 1);
    expect(s.listening?.roll).toBe(s.melody);
    expect(player.roll).toBe(s.melody);
    expect(s.editing.said).toBe('Added C6 at bar 1 beat 1¼');
    expect(s.editing.cursor).toEqual({ step: 1, pitch: 84 });
    await new Promise((r) => setTimeout(r, 450));
    expect(trackNotes(memory.page!.melody!, 0)).toHaveLength(before + 1);
  });

  it('undoes and redoes by key, saying what, and says when there is nothing left', async () => {
    const { store, controller } = await editing();
    const original = trackNotes(store.get().melody!, 0);
    controller.moveEditCursor({ step: 1, pitch: 84 });
    expect(controller.pressEditKey(press('Enter'))).toBe(true);
    expect(controller.pressEditKey(press('ArrowUp', { altKey: true }))).toBe(true);
    expect(store.get().editing.said).toBe('Moved C6 at bar 1 beat 1¼ to C♯6 at bar 1 beat 1¼');
    controller.pressEditKey(press('z', { ctrlKey: true }));
    expect(store.get().editing.said).toBe('Undone: Moved C6 at bar 1 beat 1¼ to C♯6 at bar 1 beat 1¼');
    controller.undoEdit();
    expect(trackNotes(store.get().melody!, 0)).toEqual(original);
    controller.undoEdit();
    expect(store.get().editing.said).toBe('Nothing to undo.');
    controller.pressEditKey(press('Z', { metaKey: true, shiftKey: true }));
    expect(store.get().editing.said).toBe('Redone: Added C6 at bar 1 beat 1¼');
    expect(store.get().editing.cursor).toEqual({ step: 1, pitch: 84 });
    // Keys that are not the editor's are left to the page.
    expect(controller.pressEditKey(press(' '))).toBe(false);
  });

  it('says why an edit cannot be made, without an error message', async () => {
    const { store, controller } = await editing();
    controller.moveEditCursor({ step: 0, pitch: 100 });
    controller.pressEditKey(press('Delete'));
    expect(store.get().editing.said).toMatch(/^No note at the cursor/);
    expect(store.get().error).toBeNull();
  });

  it('keeps the accompaniment when its melody is edited, and edits its voices too', async () => {
    const { store, controller, memory } = await editing();
    store.set({ model: { origin: 'default', label: 'pretrained default' } });
    await controller.generate();
    const result = store.get().result!;
    controller.setEditTrack(0);
    controller.editNote({ kind: 'add', track: 0, note: { pitch: 84, startStep: 2, steps: 1, velocity: 90 } });
    let s = store.get();
    expect(s.result).not.toBe(result);
    expect(s.listening?.roll).toBe(s.result);
    expect(trackNotes(s.result!, 1)).toEqual(trackNotes(result, 1));
    // Accompany writes under the edited melody; the page says the voices may no longer fit.
    expect(trackNotes(s.melody!, 0)).toEqual(trackNotes(s.result!, 0));
    expect(s.editing.melodyEditedResult).toBe(s.result);
    controller.setEditTrack(1);
    expect(store.get().editing.said).toMatch(/^Editing Alto\./);
    controller.editNote({ kind: 'add', track: 1, note: { pitch: 50, startStep: 4, steps: 2, velocity: 90 } });
    s = store.get();
    expect(trackNotes(s.result!, 1)).toHaveLength(trackNotes(result, 1).length + 1);
    expect(s.editing.melodyEditedResult).toBe(s.result);
    // Saved with the page, the note that the voices may no longer fit comes back after a reload.
    await new Promise((r) => setTimeout(r, 450));
    expect(memory.page?.melodyEdited).toBe(true);
    const reloaded = setup(memory.page);
    await reloaded.controller.start();
    expect(reloaded.store.get().editing.melodyEditedResult).toBe(reloaded.store.get().result);
    expect(trackNotes(reloaded.store.get().result!, 1)).toEqual(trackNotes(s.result!, 1));
    // A new accompaniment fits the melody again, and starts a history of its own.
    await controller.generate();
    await tick();
    s = store.get();
    expect(s.editing.melodyEditedResult).not.toBe(s.result);
    controller.undoEdit();
    expect(store.get().editing.said).toBe('Nothing to undo.');
  });

  it('locks the accompaniment notes the user edits, and re-harmonizes the rest around the locks', async () => {
    const { store, controller, trainer } = await editing();
    store.set({ model: { origin: 'default', label: 'pretrained default' } });
    const asked: { seed: number; lock: AccompanimentLock | null | undefined }[] = [];
    const generate = trainer.generate.bind(trainer);
    (trainer as unknown as Trainer).generate = (melody: PianoRoll, seed: number, _options?: unknown, lock?: AccompanimentLock | null) => {
      asked.push({ seed, lock });
      return generate(melody);
    };
    await controller.generate(4);
    expect(lockedNoteCount(resultLock(store.get())!)).toBe(0);
    controller.setEditTrack(1);
    controller.editNote({ kind: 'add', track: 1, note: { pitch: 50, startStep: 4, steps: 2, velocity: 90 } });
    const lock = resultLock(store.get())!;
    expect(lockedNoteCount(lock)).toBe(1);
    expect(Array.from(lock.cells.slice(3, 7))).toEqual([0, 1, 1, 0]);
    // Undoing the edit takes its lock back with it; redoing it locks again.
    controller.undoEdit();
    expect(lockedNoteCount(resultLock(store.get())!)).toBe(0);
    expect(resultLock(store.get())!.cells.every((c) => c === 0)).toBe(true);
    controller.redoEdit();
    expect(Array.from(resultLock(store.get())!.cells)).toEqual(Array.from(lock.cells));
    await controller.reharmonize();
    expect(asked.at(-1)?.seed).toBe(5);
    expect(Array.from(asked.at(-1)!.lock!.cells)).toEqual(Array.from(lock.cells));
    expect(store.get().announcement).toMatch(/variation 5 \(kept 1 note locked\)/);
    // The same cells stay locked on the new accompaniment; bars are written again with everything else locked.
    expect(Array.from(store.get().lockedCells!)).toEqual(Array.from(lock.cells));
    await controller.regenerateBars(1, 1);
    const bars = asked.at(-1)!.lock!;
    expect(asked.at(-1)?.seed).toBe(6);
    expect(bars.cells[3]).toBe(0);
    expect(bars.cells[16]).toBe(1);
    controller.lockVoice(1);
    expect(lockedNoteCount(resultLock(store.get())!)).toBe(trackNotes(store.get().result!, 1).length);
    controller.unlockAll();
    expect(lockedNoteCount(resultLock(store.get())!)).toBe(0);
    controller.lockBars(1, 1);
    expect(store.get().lockedCells![0]).toBe(1);
    // Accompany writes a new accompaniment, which locks nothing.
    await controller.generate(7);
    expect(asked.at(-1)?.lock ?? null).toBeNull();
    expect(store.get().lockedCells).toBeNull();
  });
});

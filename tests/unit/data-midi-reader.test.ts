/**
 * The page's off-thread MIDI reader, with stand-in workers (Node has no browser workers): answers are
 * passed on, a reader that overruns its budget is terminated and the file refused as damaged.
 */
import { describe, expect, it } from 'vitest';
import { readMidiOffThread, type MidiParseReply, type MidiParseRequest, type MidiWorkerLike } from '../../src/data/midiReader';
import { MidiInputError } from '../../src/music/errors';
import { parseMidi } from '../../src/music/midiIn';
import { buildMidi } from './music-midi-helpers';

/**
 * A worker that starts after `startMs` (never when null), says so, and parses like the real one `delayMs`
 * later, or never answers when `delayMs` is null.
 */
class StandInWorker implements MidiWorkerLike {
  onmessage: ((event: MessageEvent<MidiParseReply>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  terminated = false;
  received: MidiParseRequest[] = [];
  constructor(
    private readonly delayMs: number | null,
    private readonly startMs: number | null = 0,
  ) {}
  postMessage(message: MidiParseRequest): void {
    this.received.push(message);
    if (this.startMs === null) return;
    setTimeout(() => {
      if (this.terminated) return;
      this.onmessage?.({ data: { started: true } } as MessageEvent<MidiParseReply>);
      this.parseLater(message);
    }, this.startMs);
  }
  private parseLater(message: MidiParseRequest): void {
    if (this.delayMs === null) return;
    setTimeout(() => {
      if (this.terminated) return;
      let reply: MidiParseReply;
      try {
        reply = { ok: true, parsed: parseMidi(new Uint8Array(message.bytes)) };
      } catch (error) {
        const e = error as MidiInputError;
        reply = { ok: false, code: e.code, message: e.message };
      }
      this.onmessage?.({ data: reply } as MessageEvent<MidiParseReply>);
    }, this.delayMs);
  }
  terminate(): void {
    this.terminated = true;
  }
}

const song = buildMidi([
  {
    name: 'Tune',
    notes: [
      { pitch: 60, start: 0, steps: 4 },
      { pitch: 64, start: 4, steps: 4 },
    ],
  },
]);

describe('readMidiOffThread', () => {
  it("hands back what the worker read, leaves the caller's bytes intact and ends the worker", async () => {
    const worker = new StandInWorker(5);
    const bytes = song.slice();
    const parsed = await readMidiOffThread(bytes, { createWorker: () => worker });
    expect(parsed.tracks[0].name).toBe('Tune');
    expect(parsed.tracks[0].noteCount).toBe(2);
    expect(bytes).toEqual(song);
    expect(worker.terminated).toBe(true);
  });

  it("passes on the reader's refusal as a MidiInputError with its code", async () => {
    const error = await readMidiOffThread(new TextEncoder().encode('<html>'), { createWorker: () => new StandInWorker(1) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MidiInputError);
    expect((error as MidiInputError).code).toBe('not-midi');
  });

  it('terminates a reader that overruns its budget and refuses the file as damaged', async () => {
    const worker = new StandInWorker(null);
    const started = performance.now();
    const error = await readMidiOffThread(song, { createWorker: () => worker, budgetMs: 200 }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(MidiInputError);
    expect((error as MidiInputError).code).toBe('damaged');
    expect((error as Error).message).toMatch(/could not be read within 0.2 seconds/);
    expect(worker.terminated).toBe(true);
  });

  it('does not count a slow start against the file: the budget runs from when the worker has it', async () => {
    const worker = new StandInWorker(5, 400);
    const parsed = await readMidiOffThread(song, { createWorker: () => worker, budgetMs: 200 });
    expect(parsed.tracks[0].noteCount).toBe(2);
  });

  it('gives up on a worker that never starts with a try-again message, not as a damaged file', async () => {
    const worker = new StandInWorker(5, null);
    const error = await readMidiOffThread(song, { createWorker: () => worker, budgetMs: 50, startMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(MidiInputError);
    expect((error as Error).message).toMatch(/did not start within 0.3 seconds.*Try the file again/);
    expect(worker.terminated).toBe(true);
  });

  it('reads on this thread where no worker can be made', async () => {
    const parsed = await readMidiOffThread(song, {
      createWorker: () => {
        throw new ReferenceError('Worker is not defined');
      },
    });
    expect(parsed.tracks[0].noteCount).toBe(2);
  });
});

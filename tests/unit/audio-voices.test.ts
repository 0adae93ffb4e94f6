/**
 * The voices fetch only the samples their notes play from: `samplesFor` picks the sample Tone.Sampler would (checked
 * against Tone.js's own search), a voice fetches each sample once and plays a note only once its sample is in, and
 * the player waits for a piece's samples before it plays. Tone.js is faked: Node has no audio context.
 */
import type * as ToneModule from 'tone';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Player } from '../../src/audio/player';
import { bankVoice, type BankVoiceName } from '../../src/audio/soundBank';
import { sampleFailure, samplesFor, Voice } from '../../src/audio/voices';
import { addNote } from '../../src/music/notes';
import { createRoll, type PianoRoll } from '../../src/music/pianoRoll';

/**
 * What the fake Tone.js saw: each sample URL fetched (pending until `arrive`), each note a sampler started, each
 * callback put on the transport. The piano's URLs carry the test's number, so each test starts with none decoded.
 */
const fake = vi.hoisted(() => ({
  test: 0,
  fetches: new Map<string, { resolve: () => void; reject: (error: Error) => void }>(),
  fetched: [] as string[],
  started: [] as number[],
  scheduled: [] as ((time: number) => void)[],
  /** The Salamander samples as the Vite plugin names them: A0, C, D#, F# and A of octaves 1..7, C8. */
  pianoNotes: ['A0', ...[1, 2, 3, 4, 5, 6, 7].flatMap((octave) => ['C', 'D#', 'F#', 'A'].map((n) => `${n}${octave}`)), 'C8'],
  pianoUrl(note: string) {
    return `/test-${this.test}/piano-samples/${note.replace('#', 's')}v10.mp3`;
  },
}));
const pianoUrl = (note: string) => fake.pianoUrl(note);
/** The piano samples' MIDI keys, A0 = 21 to C8 = 108, every three semitones. */
const PIANO_KEYS = Array.from({ length: 30 }, (_, i) => 21 + 3 * i);

vi.mock('../../src/audio/pianoSamples', () => ({
  pianoSampleUrls: () => Object.fromEntries(fake.pianoNotes.map((note) => [note, fake.pianoUrl(note)])),
}));

vi.mock('tone', async (importOriginal) => {
  const actual = await importOriginal<typeof ToneModule>();
  const toMidi = (hz: number) => Math.round(69 + 12 * Math.log2(hz / 440));
  class Sampler {
    add() {
      return this;
    }
    connect() {
      return this;
    }
    triggerAttack(hz: number) {
      fake.started.push(toMidi(hz));
    }
    triggerAttackRelease(hz: number) {
      fake.started.push(toMidi(hz));
    }
    triggerRelease() {}
    releaseAll() {}
    dispose() {}
  }
  class Channel {
    mute = false;
    volume = { value: 0 };
    connect() {
      return this;
    }
    dispose() {}
  }
  const transport = {
    seconds: 0,
    loop: false,
    loopStart: 0,
    loopEnd: 0,
    schedule: (callback: (time: number) => void) => fake.scheduled.push(callback),
    clear() {},
    start() {},
    stop() {},
    pause() {},
  };
  const context = { transport, destination: {}, draw: { schedule() {} }, now: () => 0 };
  const ToneAudioBuffer = {
    fromUrl: (url: string) =>
      new Promise((resolve, reject) => {
        fake.fetched.push(url);
        fake.fetches.set(url, { resolve: () => resolve({ get: () => ({ url }) }), reject });
      }),
  };
  return { ...actual, Sampler, Channel, ToneAudioBuffer, getContext: () => context, start: () => Promise.resolve() };
});

beforeEach(() => {
  fake.test++;
  fake.fetches.clear();
  fake.fetched.length = 0;
  fake.started.length = 0;
  fake.scheduled.length = 0;
});

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Delivers every sample fetched so far. */
function arrive(): void {
  for (const { resolve } of fake.fetches.values()) resolve();
}

/** The key Tone.Sampler itself plays `pitch` from when it holds `keys` (its `_findClosest`), or undefined when it throws. */
function toneChooses(Sampler: typeof ToneModule.Sampler, keys: readonly number[], pitch: number): number | undefined {
  const findClosest = (Sampler.prototype as unknown as { _findClosest(midi: number): number })._findClosest;
  const held = new Set(keys.map(String));
  try {
    return pitch - findClosest.call({ _buffers: { has: (key: number) => held.has(String(key)) } }, pitch);
  } catch {
    return undefined;
  }
}

describe('samplesFor', () => {
  it('picks, for every pitch, the sample Tone.Sampler plays it from', async () => {
    const { Sampler } = await vi.importActual<typeof ToneModule>('tone');
    const bank = (['strings', 'organ', 'choir', 'marimba', 'bass', 'flute'] as BankVoiceName[]).map((name) =>
      Object.keys(bankVoice(name).urls).map(Number),
    );
    for (const keys of [PIANO_KEYS, ...bank, [60, 64], [100], [0, 127]]) {
      for (let pitch = 0; pitch < 128; pitch++) {
        const chosen = toneChooses(Sampler, keys, pitch);
        expect(samplesFor(keys, [pitch]), `pitch ${pitch} of ${keys.join(',')}`).toEqual(chosen === undefined ? [] : [chosen]);
      }
    }
  });

  it('takes the upper of two samples as near, the nearest end outside the range, and none beyond the reach', () => {
    expect(samplesFor([60, 64], [62])).toEqual([64]);
    expect(samplesFor([60, 64], [61])).toEqual([60]);
    expect(samplesFor(PIANO_KEYS, [0])).toEqual([21]);
    expect(samplesFor(PIANO_KEYS, [127])).toEqual([108]);
    // Tone.Sampler looks 95 semitones each way and no further.
    expect(samplesFor([100], [5])).toEqual([100]);
    expect(samplesFor([100], [4])).toEqual([]);
  });

  it('lists each sample once, ascending, whatever the order and repeats of the pitches', () => {
    expect(samplesFor(PIANO_KEYS, [67, 60, 61, 60, 62, 64, 65])).toEqual([60, 63, 66]);
    expect(samplesFor(PIANO_KEYS, [])).toEqual([]);
  });
});

describe('Voice', () => {
  it('fetches only the samples of the pitches asked for, once, and plays a pitch only once its sample is in', async () => {
    const voice = new Voice('piano');
    const first = voice.need([60, 61]);
    expect(fake.fetched).toEqual([pianoUrl('C4')]);
    voice.play(60, 1, 0, 0.5);
    expect(fake.started).toEqual([]);
    arrive();
    await first;
    const second = voice.need([60, 72, 73]);
    expect(fake.fetched).toEqual([pianoUrl('C4'), pianoUrl('C5')]);
    voice.play(61, 1, 0, 0.5);
    voice.play(72, 1, 0, 0.5);
    expect(fake.started).toEqual([61]);
    arrive();
    await second;
    voice.play(73, 1, 0, 0.5);
    expect(fake.started).toEqual([61, 73]);
  });

  it('asks again for a sample that failed, and shares decoded samples between voices', async () => {
    const voice = new Voice('piano');
    const failing = voice.need([60]);
    fake.fetches.get(pianoUrl('C4'))!.reject(new Error('net::ERR_FAILED'));
    // Node's navigator reads as online: the message asks to check the connection, and keeps the cause.
    await expect(failing).rejects.toThrow("The grand piano's samples could not be fetched; check the connection and press Play again.");
    await expect(failing).rejects.toMatchObject({ cause: new Error('net::ERR_FAILED') });
    const retry = voice.need([60]);
    expect(fake.fetched).toEqual([pianoUrl('C4'), pianoUrl('C4')]);
    arrive();
    await retry;
    voice.play(60, 1, 0, 0.5);
    expect(fake.started).toEqual([60]);
    await new Voice('piano').need([59, 60]);
    expect(fake.fetched).toEqual([pianoUrl('C4'), pianoUrl('C4')]);
  });

  it('says offline that an instrument plays offline once it has played with a connection', () => {
    expect(sampleFailure('strings', true)).toBe(
      'The strings cannot play offline yet: an instrument is kept for offline use once it has played with a connection. Choose another instrument, or play once online.',
    );
    expect(sampleFailure('drums', true)).toMatch(/^The drum kit cannot play offline yet/);
  });

  it('fetches a drum sound only for the keys played, and keys without one stay silent', async () => {
    const kit = bankVoice('drums').urls;
    const voice = new Voice('drums');
    const needed = voice.need([36, 38, 36, 20]);
    expect(fake.fetched).toEqual([kit[36], kit[38]]);
    arrive();
    await needed;
    for (const pitch of [20, 36, 37, 38]) voice.play(pitch, 0.1, 0, 1);
    expect(fake.started).toEqual([36, 38]);
  });

  it('fetches every sample when asked for all', () => {
    void new Voice('piano').needAll();
    expect(fake.fetched.sort()).toEqual(fake.pianoNotes.map(pianoUrl).sort());
  });
});

describe('Player', () => {
  /** A piano melody on `pitches`, one step each. */
  function melody(pitches: number[]): PianoRoll {
    const roll = createRoll(pitches.length, [{ name: 'melody', program: 0, isDrum: false }]);
    pitches.forEach((pitch, step) => addNote(roll, 0, { pitch, startStep: step, steps: 1, velocity: 100 }));
    return roll;
  }

  it('fetches only the samples of the piece, and plays once they have arrived', async () => {
    const player = new Player();
    player.setRoll(melody([60, 62, 64, 65, 67]));
    let playing = false;
    const played = player.play().then(() => (playing = true));
    await settle();
    expect(fake.fetched).toEqual([pianoUrl('C4'), pianoUrl('D#4'), pianoUrl('F#4')]);
    expect(playing).toBe(false);
    expect(player.snapshot()).toMatchObject({ loading: true, state: 'stopped' });
    arrive();
    await played;
    expect(player.snapshot()).toMatchObject({ loading: false, state: 'playing' });
    for (const event of fake.scheduled) event(0);
    expect(fake.started).toEqual([60, 62, 64, 65, 67]);

    // A new piece waits for the samples it adds, and only those.
    player.setRoll(melody([60, 72]));
    playing = false;
    const again = player.play().then(() => (playing = true));
    await settle();
    expect(fake.fetched.slice(3)).toEqual([pianoUrl('C5')]);
    expect(playing).toBe(false);
    expect(player.snapshot().loading).toBe(true);
    arrive();
    await again;
    expect(player.snapshot()).toMatchObject({ loading: false, state: 'playing' });
    player.dispose();
  });

  it('fetches every piano sample for the keyboard preview, and sounds a key once its sample is in', async () => {
    const player = new Player();
    player.preview(60, true);
    expect(fake.fetched.sort()).toEqual(fake.pianoNotes.map(pianoUrl).sort());
    expect(fake.started).toEqual([]);
    arrive();
    await settle();
    player.preview(60, false);
    player.preview(100, true);
    expect(fake.started).toEqual([100]);
    player.dispose();
  });

  it('fetches the samples of a voice chosen while playing at once', async () => {
    const player = new Player();
    player.setRoll(melody([60]));
    const played = player.play();
    await settle();
    arrive();
    await played;
    player.setInstruments(['flute']);
    expect(fake.fetched).toEqual([pianoUrl('C4'), bankVoice('flute').urls[60]]);
    player.dispose();
  });
});

/**
 * The player's voices, one per track: the Salamander grand piano, and every other instrument and the drum kit
 * from the General MIDI sound bank (soundBank.ts). A voice fetches its samples when it is made, that is when a
 * track first plays it; decoded samples are kept for the page's life, so choosing an instrument again (or
 * rendering offline) costs nothing.
 */
import * as Tone from 'tone';
import type { VoiceName } from './instruments';
import { pianoSampleUrls } from './pianoSamples';
import { bankVoice, SOUND_BANK_VOLUME_DB } from './soundBank';

/** Equal-tempered frequency of a MIDI pitch (A4 = 69 = 440 Hz). */
export function midiToFrequency(pitch: number): number {
  return 440 * 2 ** ((pitch - 69) / 12);
}

/** Release of the piano samples, in seconds. */
const PIANO_RELEASE = 1;

/** Decoded samples by URL; a failed download is forgotten, so the next voice that needs it tries again. */
const decoded = new Map<string, Promise<AudioBuffer>>();

function sample(url: string): Promise<AudioBuffer> {
  let buffer = decoded.get(url);
  if (!buffer) {
    buffer = Tone.ToneAudioBuffer.fromUrl(url).then((b) => {
      const audio = b.get();
      if (!audio) throw new Error(`the sample ${url} could not be decoded`);
      return audio;
    });
    decoded.set(url, buffer);
    buffer.catch(() => decoded.delete(url));
  }
  return buffer;
}

/** One instrument of one track: a sampler that plays MIDI pitches; `dispose()` it when done. */
export class Voice {
  readonly name: VoiceName;
  private readonly sampler: Tone.Sampler;
  /** For one-shot voices (the drum kit), the keys that have a sound: other keys stay silent, as in a General MIDI kit. */
  private readonly oneShotKeys: ReadonlySet<number> | null;
  private disposed = false;

  /** Resolves once every sample has arrived (rejects when one cannot be fetched or decoded). */
  readonly ready: Promise<void>;
  private isReady = false;

  constructor(name: VoiceName, context: Tone.BaseContext = Tone.getContext()) {
    this.name = name;
    const bank = name === 'piano' ? null : bankVoice(name);
    const urls: Record<string, string> = bank ? bank.urls : pianoSampleUrls();
    this.sampler = new Tone.Sampler({
      context,
      release: bank ? bank.release : PIANO_RELEASE,
      volume: bank ? SOUND_BANK_VOLUME_DB : 0,
    });
    this.oneShotKeys = bank?.oneShot ? new Set(Object.keys(bank.urls).map(Number)) : null;
    this.ready = Promise.all(
      Object.entries(urls).map(async ([note, url]) => {
        const buffer = await sample(url);
        // A note name ("C4") or a MIDI key ("60").
        if (!this.disposed) this.sampler.add((/^\d+$/.test(note) ? Number(note) : note) as Tone.Unit.Note, buffer);
      }),
    ).then(() => {
      this.isReady = true;
    });
    // Whoever plays the voice hears of a failure through `ready`; a voice nobody waits for stays silent instead.
    this.ready.catch(() => undefined);
  }

  /** True once every sample has arrived. */
  get loaded(): boolean {
    return this.isReady;
  }

  /** Sends the voice's sound to `node`. */
  connect(node: Tone.InputNode): this {
    this.sampler.connect(node);
    return this;
  }

  /** Plays `pitch` at `time` for `duration` seconds (a one-shot voice plays its whole sample); velocity in 0..1. */
  play(pitch: number, duration: number, time: number, velocity: number): void {
    // A note due before the samples arrive (an instrument changed while playing) is left out.
    if (!this.isReady) return;
    if (this.oneShotKeys) {
      if (this.oneShotKeys.has(pitch)) this.sampler.triggerAttack(midiToFrequency(pitch), time, velocity);
    } else {
      this.sampler.triggerAttackRelease(midiToFrequency(pitch), duration, time, velocity);
    }
  }

  /** Starts `pitch` at `time`, held until `up` (playing on a keyboard). */
  down(pitch: number, time: number, velocity: number): void {
    if (!this.isReady) return;
    if (!this.oneShotKeys || this.oneShotKeys.has(pitch)) this.sampler.triggerAttack(midiToFrequency(pitch), time, velocity);
  }

  /** Ends `pitch` at `time` (a one-shot voice rings on). */
  up(pitch: number, time: number): void {
    if (this.isReady && !this.oneShotKeys) this.sampler.triggerRelease(midiToFrequency(pitch), time);
  }

  /** Ends every sounding note. */
  releaseAll(): void {
    this.sampler.releaseAll();
  }

  dispose(): void {
    this.disposed = true;
    this.sampler.dispose();
  }
}

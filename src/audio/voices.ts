/**
 * The player's voices, one per track: the Salamander grand piano, and every other instrument and the drum kit
 * from the General MIDI sound bank (soundBank.ts). A voice fetches only the samples it is asked for (`need`): the
 * player asks, when it plays a piece or a track's instrument changes, for those the notes of the voice's track play
 * from; the keyboard preview asks for every sample. Decoded samples are kept for the page's life, so choosing an
 * instrument again (or rendering offline) costs nothing.
 */
import * as Tone from 'tone';
import { pitchOfName } from '../music/spelling';
import { INSTRUMENTS, type VoiceName } from './instruments';
import { pianoSampleUrls } from './pianoSamples';
import { bankVoice, SOUND_BANK_VOLUME_DB } from './soundBank';

/** Equal-tempered frequency of a MIDI pitch (A4 = 69 = 440 Hz). */
export function midiToFrequency(pitch: number): number {
  return 440 * 2 ** ((pitch - 69) / 12);
}

/** How far, in semitones, Tone.Sampler looks for a sample to shift (`_findClosest`): a note with none nearer is not played. */
const SAMPLER_REACH = 96;

/**
 * The key of the sample Tone.Sampler plays `pitch` from when it holds the samples `keys`: the nearest one, the
 * upper of two as near; undefined when none is within its reach.
 */
function sampleFor(keys: { has(key: number): boolean }, pitch: number): number | undefined {
  for (let interval = 0; interval < SAMPLER_REACH; interval++) {
    if (keys.has(pitch + interval)) return pitch + interval;
    if (keys.has(pitch - interval)) return pitch - interval;
  }
  return undefined;
}

/**
 * The samples, of an instrument sampled at `keys`, that `pitches` play from, ascending. A sampler that holds just
 * these plays each pitch from the same sample as one that holds them all: the nearest sample of all is also the
 * nearest of any few that include it.
 */
export function samplesFor(keys: Iterable<number>, pitches: Iterable<number>): number[] {
  const all = new Set(keys);
  const needed = new Set<number>();
  for (const pitch of pitches) {
    const key = sampleFor(all, pitch);
    if (key !== undefined) needed.add(key);
  }
  return [...needed].sort((a, b) => a - b);
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

/**
 * What a listener is told when a voice's samples cannot be fetched. Offline, that is an instrument that never played
 * with a connection: the service worker keeps the piano and the choir from the first visit, the other instruments of
 * the sound bank once they have played (src/app/viteOffline.ts).
 */
export function sampleFailure(name: VoiceName, offline: boolean): string {
  const instrument = name === 'drums' ? 'drum kit' : INSTRUMENTS[name].toLowerCase();
  return offline
    ? `The ${instrument} cannot play offline yet: an instrument is kept for offline use once it has played with a connection. Choose another instrument, or play once online.`
    : `The ${instrument}'s samples could not be fetched; check the connection and press Play again.`;
}

/** One instrument of one track: a sampler that plays MIDI pitches; `dispose()` it when done. */
export class Voice {
  readonly name: VoiceName;
  private readonly sampler: Tone.Sampler;
  /** MIDI key -> URL of each sample the instrument has. */
  private readonly urls: ReadonlyMap<number, string>;
  /** True for the drum kit: a key plays its own sample or nothing, as in a General MIDI kit. */
  private readonly oneShot: boolean;
  /** The samples asked for, each settling once it is in the sampler; a failed one is forgotten, so the next ask retries. */
  private readonly fetches = new Map<number, Promise<void>>();
  /** The samples in the sampler. */
  private readonly arrived = new Set<number>();
  private disposed = false;

  constructor(name: VoiceName, context: Tone.BaseContext = Tone.getContext()) {
    this.name = name;
    const bank = name === 'piano' ? null : bankVoice(name);
    this.urls = bank
      ? new Map(Object.entries(bank.urls).map(([key, url]) => [Number(key), url]))
      : new Map(Object.entries(pianoSampleUrls()).map(([note, url]) => [pitchOfName(note), url]));
    this.oneShot = bank?.oneShot ?? false;
    this.sampler = new Tone.Sampler({
      context,
      release: bank ? bank.release : PIANO_RELEASE,
      volume: bank ? SOUND_BANK_VOLUME_DB : 0,
    });
  }

  /**
   * Fetches the samples `pitches` play from that the voice does not have yet; resolves once they are all in the
   * sampler (rejects when one cannot be fetched or decoded).
   */
  need(pitches: Iterable<number>): Promise<void> {
    const keys = this.oneShot ? new Set([...pitches].filter((pitch) => this.urls.has(pitch))) : samplesFor(this.urls.keys(), pitches);
    return Promise.all([...keys].map((key) => this.fetch(key))).then(() => undefined);
  }

  /** Fetches every sample, so that any pitch can play (a keyboard). */
  needAll(): Promise<void> {
    return this.need(this.urls.keys());
  }

  private fetch(key: number): Promise<void> {
    let done = this.fetches.get(key);
    if (!done) {
      done = sample(this.urls.get(key)!).then(
        (buffer) => {
          if (this.disposed) return;
          this.sampler.add(key as Tone.Unit.MidiNote, buffer);
          this.arrived.add(key);
        },
        (cause: unknown) => {
          throw new Error(sampleFailure(this.name, typeof navigator !== 'undefined' && navigator.onLine === false), { cause });
        },
      );
      this.fetches.set(key, done);
      done.catch(() => this.fetches.delete(key));
    }
    return done;
  }

  /** True once the sample `pitch` plays from is in the sampler (never for a key of the drum kit without a sound). */
  private canPlay(pitch: number): boolean {
    const key = this.oneShot ? pitch : sampleFor(this.urls, pitch);
    return key !== undefined && this.arrived.has(key);
  }

  /** Sends the voice's sound to `node`. */
  connect(node: Tone.InputNode): this {
    this.sampler.connect(node);
    return this;
  }

  /**
   * Plays `pitch` at `time` for `duration` seconds (a one-shot voice plays its whole sample); velocity in 0..1.
   * A note due before its sample arrives (an instrument changed while playing) is left out.
   */
  play(pitch: number, duration: number, time: number, velocity: number): void {
    if (!this.canPlay(pitch)) return;
    if (this.oneShot) this.sampler.triggerAttack(midiToFrequency(pitch), time, velocity);
    else this.sampler.triggerAttackRelease(midiToFrequency(pitch), duration, time, velocity);
  }

  /** Starts `pitch` at `time`, held until `up` (playing on a keyboard); a key whose sample has not arrived stays silent. */
  down(pitch: number, time: number, velocity: number): void {
    if (this.canPlay(pitch)) this.sampler.triggerAttack(midiToFrequency(pitch), time, velocity);
  }

  /** Ends `pitch` at `time` (a one-shot voice rings on). */
  up(pitch: number, time: number): void {
    if (!this.oneShot) this.sampler.triggerRelease(midiToFrequency(pitch), time);
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

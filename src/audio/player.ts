/**
 * The player: plays a multi-track piano roll with Tone.js 15, one instrument and one mixer channel per track.
 * It plays the events `scheduleRoll` computes; the UI drives it and reads its state, never Tone.js itself.
 */
import * as Tone from 'tone';
import type { PianoRoll } from '../music/pianoRoll';
import { defaultInstrument, type InstrumentName } from './instruments';
import { pianoSampleUrls } from './pianoSamples';
import { audibleTracks, countByTrack, DEFAULT_TRACK_MIX, rollDuration, scheduleRoll, type Seconds, type TrackMix } from './schedule';

export { INSTRUMENTS, defaultInstrument, type InstrumentName } from './instruments';

/** What the player is doing. */
export type TransportState = 'stopped' | 'playing' | 'paused';

/** A snapshot of the player, for the UI. */
export interface PlayerSnapshot {
  state: TransportState;
  /** Length of the loaded piece at the current tempo. */
  duration: Seconds;
  tempoBpm: number;
  loop: boolean;
  /** Notes scheduled for each track on the last play (0 for silent tracks). */
  scheduledPerTrack: number[];
  /** True while the piano samples are still loading. */
  loading: boolean;
}

/** Options of a player, all optional. */
export interface PlayerOptions {
  /** Seconds of extra time after the last note before playback stops by itself. */
  tailSeconds: Seconds;
}

const DEFAULT_OPTIONS: PlayerOptions = { tailSeconds: 0.5 };

/** Stops two instruments' attack envelopes from clicking on every note. */
const SYNTH_ENVELOPES = {
  strings: { attack: 0.12, decay: 0.2, sustain: 0.7, release: 0.6 },
  organ: { attack: 0.01, decay: 0.1, sustain: 0.9, release: 0.15 },
  marimba: { attack: 0.002, decay: 0.5, sustain: 0, release: 0.3 },
  bass: { attack: 0.01, decay: 0.3, sustain: 0.6, release: 0.2 },
  flute: { attack: 0.06, decay: 0.1, sustain: 0.8, release: 0.25 },
} as const;

type Voice = Tone.Sampler | Tone.PolySynth;

/** Equal-tempered frequency of a MIDI pitch (A4 = 69 = 440 Hz). */
export function midiToFrequency(pitch: number): number {
  return 440 * 2 ** ((pitch - 69) / 12);
}

function createVoice(name: InstrumentName): Voice {
  switch (name) {
    case 'piano':
      return new Tone.Sampler({ urls: pianoSampleUrls(), release: 1 });
    case 'strings':
      return new Tone.PolySynth(Tone.Synth, { oscillator: { type: 'fatsawtooth', count: 3, spread: 20 }, envelope: SYNTH_ENVELOPES.strings, volume: -14 });
    case 'organ':
      return new Tone.PolySynth(Tone.AMSynth, { envelope: SYNTH_ENVELOPES.organ, volume: -10 });
    case 'marimba':
      return new Tone.PolySynth(Tone.FMSynth, { modulationIndex: 4, harmonicity: 3, envelope: SYNTH_ENVELOPES.marimba, volume: -8 });
    case 'bass':
      return new Tone.PolySynth(Tone.Synth, { oscillator: { type: 'triangle' }, envelope: SYNTH_ENVELOPES.bass, volume: -6 });
    case 'flute':
      return new Tone.PolySynth(Tone.Synth, { oscillator: { type: 'sine' }, envelope: SYNTH_ENVELOPES.flute, volume: -8 });
    default: {
      const unknown: never = name;
      throw new RangeError(`unknown instrument ${String(unknown)}`);
    }
  }
}

interface TrackStrip {
  instrument: InstrumentName;
  voice: Voice;
  channel: Tone.Channel;
}

/** Plays a roll through Tone.js; create one per page and `dispose()` it when done. */
export class Player {
  private readonly options: PlayerOptions;
  private roll: PianoRoll | null = null;
  private mix: TrackMix[] = [];
  private instruments: InstrumentName[] = [];
  private strips: TrackStrip[] = [];
  private tempoBpm = 120;
  private tempoOverride: number | null = null;
  private loop = false;
  private state: TransportState = 'stopped';
  private scheduledPerTrack: number[] = [];
  private loading = false;
  private readonly listeners = new Set<(snapshot: PlayerSnapshot) => void>();
  private eventIds: number[] = [];
  private snapshotCache: PlayerSnapshot | null = null;
  private previewVoice: Tone.Sampler | null = null;

  constructor(options: Partial<PlayerOptions> = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  /** Loads a piece (melody and accompaniment tracks); stops what was playing. */
  setRoll(roll: PianoRoll | null): void {
    this.stop();
    this.roll = roll;
    if (roll && this.tempoOverride === null) this.tempoBpm = roll.tempoBpm;
    const count = roll?.tracks.length ?? 0;
    this.mix = Array.from({ length: count }, (_, i) => this.mix[i] ?? { ...DEFAULT_TRACK_MIX });
    this.instruments = Array.from({ length: count }, (_, i) => this.instruments[i] ?? defaultInstrument(i));
    this.scheduledPerTrack = new Array<number>(count).fill(0);
    this.emit();
  }

  /** Sets mute, solo and volume of every track; takes effect at once, also while playing. */
  setMix(mix: readonly TrackMix[]): void {
    this.mix = mix.map((m) => ({ ...m }));
    this.applyMix();
    if (this.state !== 'stopped') this.reschedule();
    this.emit();
  }

  /** Chooses each track's instrument. */
  setInstruments(instruments: readonly InstrumentName[]): void {
    this.instruments = [...instruments];
    if (this.strips.length) {
      this.buildStrips();
      if (this.state !== 'stopped') this.reschedule();
    }
    this.emit();
  }

  /** Plays at this tempo (beats per minute) instead of the piece's own; keeps the musical position. */
  setTempo(bpm: number): void {
    if (!(bpm >= 20 && bpm <= 300)) throw new RangeError(`tempo must be between 20 and 300 beats per minute, got ${bpm}`);
    const transport = Tone.getTransport();
    const ratio = this.tempoBpm / bpm;
    const position = transport.seconds * ratio;
    this.tempoBpm = bpm;
    this.tempoOverride = bpm;
    if (this.state !== 'stopped') {
      this.reschedule();
      transport.seconds = position;
    }
    this.emit();
  }

  /** Turns looping of the whole piece on or off. */
  setLoop(loop: boolean): void {
    this.loop = loop;
    this.applyLoop();
    if (this.state !== 'stopped') this.reschedule();
    this.emit();
  }

  /** Starts or resumes playback. Must be called from a user gesture the first time (Tone.start). */
  async play(): Promise<void> {
    if (!this.roll) return;
    await Tone.start();
    if (!this.strips.length || this.strips.length !== this.roll.tracks.length) this.buildStrips();
    this.loading = true;
    this.emit();
    try {
      await Tone.loaded();
    } finally {
      this.loading = false;
    }
    const transport = Tone.getTransport();
    if (this.state === 'stopped') {
      this.reschedule();
      transport.start('+0.05', 0);
    } else if (this.state === 'paused') {
      transport.start();
    }
    this.state = 'playing';
    this.emit();
  }

  /** Pauses, keeping the position. */
  pause(): void {
    if (this.state !== 'playing') return;
    Tone.getTransport().pause();
    this.releaseAll();
    this.state = 'paused';
    this.emit();
  }

  /** Stops and rewinds to the start. */
  stop(): void {
    if (this.state === 'stopped') return;
    const transport = Tone.getTransport();
    transport.stop();
    this.clearEvents();
    this.releaseAll();
    this.state = 'stopped';
    this.emit();
  }

  /** Current playback position in seconds (0 when stopped). */
  get position(): Seconds {
    if (this.state === 'stopped') return 0;
    return Tone.getTransport().seconds;
  }

  /** The player's state now. */
  snapshot(): PlayerSnapshot {
    this.snapshotCache ??= {
      state: this.state,
      duration: this.roll ? rollDuration(this.roll, this.tempoBpm) : 0,
      tempoBpm: this.tempoBpm,
      loop: this.loop,
      scheduledPerTrack: [...this.scheduledPerTrack],
      loading: this.loading,
    };
    return this.snapshotCache;
  }

  /** Calls `listener` whenever the snapshot changes; returns the unsubscribe function. */
  subscribe(listener: (snapshot: PlayerSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sounds (down) or releases (up) one piano note at once, for playing on a keyboard.
   * The first call must come from a user gesture, like `play`.
   */
  preview(pitch: number, down: boolean): void {
    if (down) {
      void Tone.start();
      this.previewVoice ??= new Tone.Sampler({ urls: pianoSampleUrls(), release: 1 }).toDestination();
      // A key pressed before the samples arrive stays silent rather than throwing.
      if (this.previewVoice.loaded) this.previewVoice.triggerAttack(midiToFrequency(pitch), Tone.now(), 0.7);
    } else if (this.previewVoice?.loaded) {
      this.previewVoice.triggerRelease(midiToFrequency(pitch), Tone.now());
    }
  }

  /** Frees every audio node. */
  dispose(): void {
    this.previewVoice?.dispose();
    this.previewVoice = null;
    this.stop();
    for (const strip of this.strips) {
      strip.voice.dispose();
      strip.channel.dispose();
    }
    this.strips = [];
    this.listeners.clear();
  }

  private emit(): void {
    this.snapshotCache = null;
    const snap = this.snapshot();
    for (const listener of this.listeners) listener(snap);
  }

  private buildStrips(): void {
    const count = this.roll?.tracks.length ?? 0;
    const kept: TrackStrip[] = [];
    for (let i = 0; i < count; i++) {
      const wanted = this.instruments[i] ?? defaultInstrument(i);
      const old = this.strips[i];
      if (old && old.instrument === wanted) {
        kept.push(old);
        continue;
      }
      old?.voice.dispose();
      const channel = old?.channel ?? new Tone.Channel().toDestination();
      const voice = createVoice(wanted);
      voice.connect(channel);
      kept.push({ instrument: wanted, voice, channel });
    }
    for (const extra of this.strips.slice(count)) {
      extra.voice.dispose();
      extra.channel.dispose();
    }
    this.strips = kept;
    this.applyMix();
  }

  private applyMix(): void {
    const audible = audibleTracks(this.strips.length, this.mix);
    this.strips.forEach((strip, i) => {
      strip.channel.mute = !audible[i];
      strip.channel.volume.value = this.mix[i]?.volumeDb ?? 0;
    });
  }

  private applyLoop(): void {
    const transport = Tone.getTransport();
    const duration = this.roll ? rollDuration(this.roll, this.tempoBpm) : 0;
    transport.loop = this.loop && duration > 0;
    transport.loopStart = 0;
    transport.loopEnd = Math.max(duration, 0.001);
  }

  private clearEvents(): void {
    const transport = Tone.getTransport();
    for (const id of this.eventIds) transport.clear(id);
    this.eventIds = [];
  }

  private releaseAll(): void {
    for (const strip of this.strips) strip.voice.releaseAll();
  }

  private reschedule(): void {
    const roll = this.roll;
    if (!roll) return;
    this.clearEvents();
    this.applyLoop();
    const transport = Tone.getTransport();
    const audible = audibleTracks(roll.tracks.length, this.mix);
    const events = scheduleRoll(roll, { tempoBpm: this.tempoBpm, audible });
    for (const event of events) {
      const strip = this.strips[event.track];
      if (!strip) continue;
      const frequency = midiToFrequency(event.pitch);
      this.eventIds.push(
        transport.schedule((time) => strip.voice.triggerAttackRelease(frequency, event.duration, time, event.velocity), event.time),
      );
    }
    this.scheduledPerTrack = countByTrack(events, roll.tracks.length);
    if (!this.loop) {
      const end = rollDuration(roll, this.tempoBpm) + this.options.tailSeconds;
      // The stop is drawn on the main thread's clock so the UI state changes with the sound.
      this.eventIds.push(transport.schedule((time) => Tone.getDraw().schedule(() => this.stop(), time), end));
    }
    this.emit();
  }
}

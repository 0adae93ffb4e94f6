/**
 * The player: plays a multi-track piano roll with Tone.js 15, one instrument and one mixer channel per track.
 * It plays the events `scheduleRoll` computes; the UI drives it and reads its state, never Tone.js itself.
 */
import * as Tone from 'tone';
import { DEFAULT_TEMPO_BPM } from '../music/constants';
import { trackNotes } from '../music/notes';
import type { PianoRoll } from '../music/pianoRoll';
import { defaultInstrument, type InstrumentName, type VoiceName } from './instruments';
import { audibleTracks, countByTrack, defaultTrackMix, rollDuration, scheduleRoll, type Seconds, type TrackMix } from './schedule';
import { Voice } from './voices';

export { INSTRUMENTS, defaultInstrument, type InstrumentName, type VoiceName } from './instruments';
export { midiToFrequency } from './voices';

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
  /** True while `play` waits for the samples the piece's notes play from. */
  loading: boolean;
  /** Position in seconds when the snapshot was taken (read `Player.position` for the live one while playing). */
  position: Seconds;
  /** The looped stretch in grid steps, or null for the whole piece. */
  loopRange: StepRange | null;
}

/** A stretch of the piece in grid steps: `start` inclusive, `end` exclusive. */
export interface StepRange {
  start: number;
  end: number;
}

/** Options of a player, all optional. */
export interface PlayerOptions {
  /** Seconds of extra time after the last note before playback stops by itself. */
  tailSeconds: Seconds;
}

const DEFAULT_OPTIONS: PlayerOptions = { tailSeconds: 0.5 };

interface TrackStrip {
  voice: Voice;
  channel: Tone.Channel;
}

/**
 * Plays a roll through Tone.js; create one per page and `dispose()` it when done. It plays in the Tone.js context
 * current when it first needs one (an offline one renders, see offlineRender.ts). Drum tracks play the General MIDI drum
 * kit whatever instrument is chosen for them.
 */
export class Player {
  private readonly options: PlayerOptions;
  private boundContext: Tone.BaseContext | null = null;
  private roll: PianoRoll | null = null;
  private mix: TrackMix[] = [];
  private instruments: InstrumentName[] = [];
  private strips: TrackStrip[] = [];
  private tempoBpm = DEFAULT_TEMPO_BPM;
  private tempoOverride: number | null = null;
  private loop = false;
  private loopRange: StepRange | null = null;
  /** Where playback starts from when stopped (a seek while stopped moves it). */
  private cue: Seconds = 0;
  private state: TransportState = 'stopped';
  private scheduledPerTrack: number[] = [];
  private loading = false;
  private readonly listeners = new Set<(snapshot: PlayerSnapshot) => void>();
  private eventIds: number[] = [];
  private snapshotCache: PlayerSnapshot | null = null;
  private previewVoice: Voice | null = null;

  constructor(options: Partial<PlayerOptions> = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  /** The Tone.js context current at the player's first sound or transport use, kept from then on. */
  private get context(): Tone.BaseContext {
    this.boundContext ??= Tone.getContext();
    return this.boundContext;
  }

  /** Loads a piece (melody and accompaniment tracks); stops what was playing. */
  setRoll(roll: PianoRoll | null): void {
    this.stop();
    this.cue = 0;
    this.roll = roll;
    if (roll && this.tempoOverride === null) this.tempoBpm = roll.tempoBpm;
    const count = roll?.tracks.length ?? 0;
    this.mix = Array.from({ length: count }, (_, i) => this.mix[i] ?? defaultTrackMix(i));
    this.instruments = Array.from({ length: count }, (_, i) => this.instruments[i] ?? defaultInstrument(i, roll?.tracks[i]));
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
      // A voice changed while playing plays its notes once their samples arrive; whoever plays next hears of a failure.
      this.buildStrips().catch(() => undefined);
      if (this.state !== 'stopped') this.reschedule();
    }
    this.emit();
  }

  /** Plays at this tempo (beats per minute) instead of the piece's own; keeps the musical position. */
  setTempo(bpm: number): void {
    if (!(bpm >= 20 && bpm <= 300)) throw new RangeError(`tempo must be between 20 and 300 beats per minute, got ${bpm}`);
    const transport = this.context.transport;
    const ratio = this.tempoBpm / bpm;
    const position = transport.seconds * ratio;
    this.cue *= ratio;
    this.tempoBpm = bpm;
    this.tempoOverride = bpm;
    if (this.state !== 'stopped') {
      this.reschedule();
      transport.seconds = position;
    }
    this.emit();
  }

  /**
   * Turns looping on or off; `range` (grid steps) loops that stretch, null the whole piece.
   * A range is clamped to the piece and must hold at least one step.
   */
  setLoop(loop: boolean, range: StepRange | null = this.loopRange): void {
    if (range && !(Number.isFinite(range.start) && Number.isFinite(range.end) && range.end > range.start && range.start >= 0)) {
      throw new RangeError(`a loop must end after it starts, got steps ${range.start} to ${range.end}`);
    }
    this.loop = loop;
    this.loopRange = range ? { ...range } : null;
    this.applyLoop();
    if (this.state !== 'stopped') this.reschedule();
    this.emit();
  }

  /** Starts or resumes playback. Must be called from a user gesture the first time (Tone.start). */
  async play(): Promise<void> {
    if (!this.roll) return;
    await Tone.start();
    // Keeps the voices in use, makes those a new piece (a drum track, more tracks) needs, and waits for the samples
    // its notes play from.
    const samples = this.buildStrips();
    this.loading = true;
    this.emit();
    try {
      await samples;
    } finally {
      this.loading = false;
    }
    const transport = this.context.transport;
    if (this.state === 'stopped') {
      this.reschedule();
      let from = this.cue;
      // Looping a stretch starts inside it, so the first thing heard is what loops.
      const bounds = this.loopBounds();
      if (this.loop && (from < bounds.start || from >= bounds.end)) from = bounds.start;
      transport.start('+0.05', from);
    } else if (this.state === 'paused') {
      const bounds = this.loopBounds();
      const at = transport.seconds;
      if (this.loop && (at < bounds.start || at >= bounds.end)) transport.start(undefined, bounds.start);
      else transport.start();
    }
    this.state = 'playing';
    this.emit();
  }

  /** Pauses, keeping the position. */
  pause(): void {
    if (this.state !== 'playing') return;
    this.context.transport.pause();
    this.releaseAll();
    this.state = 'paused';
    this.emit();
  }

  /** Stops and rewinds to the start. */
  stop(): void {
    if (this.state === 'stopped') {
      // Stop when stopped rewinds a position chosen by seeking.
      if (this.cue !== 0) {
        this.cue = 0;
        this.emit();
      }
      return;
    }
    const transport = this.context.transport;
    transport.stop();
    this.clearEvents();
    this.releaseAll();
    this.state = 'stopped';
    this.cue = 0;
    this.emit();
  }

  /**
   * Moves playback to `seconds` from the start (clamped to the piece); playing goes on from there,
   * a paused or stopped player starts there next.
   */
  seek(seconds: Seconds): void {
    if (!Number.isFinite(seconds)) throw new RangeError(`a position must be a number of seconds, got ${seconds}`);
    const duration = this.roll ? rollDuration(this.roll, this.tempoBpm) : 0;
    const to = Math.min(Math.max(0, seconds), duration);
    if (this.state === 'stopped') this.cue = to;
    else {
      this.releaseAll();
      this.context.transport.seconds = to;
    }
    this.emit();
  }

  /** Current playback position in seconds (where the next play starts when stopped). */
  get position(): Seconds {
    if (this.state === 'stopped') return this.cue;
    return this.context.transport.seconds;
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
      position: this.position,
      loopRange: this.loopRange,
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
      if (!this.previewVoice) {
        // Any key may come next, so the preview fetches every sample; a key pressed before its sample arrives stays silent.
        this.previewVoice = new Voice('piano', this.context).connect(this.context.destination);
        this.previewVoice.needAll().catch(() => undefined);
      }
      this.previewVoice.down(pitch, this.context.now(), 0.7);
    } else {
      this.previewVoice?.up(pitch, this.context.now());
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

  /**
   * Gives each track of the roll its voice, keeping those in use, and asks each voice for the samples its track's
   * notes play from; resolves once they have all arrived.
   */
  private buildStrips(): Promise<void> {
    const roll = this.roll;
    const count = roll?.tracks.length ?? 0;
    const kept: TrackStrip[] = [];
    const samples: Promise<void>[] = [];
    for (let i = 0; roll && i < count; i++) {
      const wanted = this.voiceOf(i);
      let strip: TrackStrip | undefined = this.strips[i];
      if (strip?.voice.name !== wanted) {
        strip?.voice.dispose();
        const channel = strip?.channel ?? new Tone.Channel({ context: this.context }).connect(this.context.destination);
        strip = { voice: new Voice(wanted, this.context).connect(channel), channel };
      }
      kept.push(strip);
      samples.push(strip.voice.need(trackNotes(roll, i).map((note) => note.pitch)));
    }
    for (const extra of this.strips.slice(count)) {
      extra.voice.dispose();
      extra.channel.dispose();
    }
    this.strips = kept;
    this.applyMix();
    return Promise.all(samples).then(() => undefined);
  }

  /** Track i's voice: the drum kit for a drum track, else the instrument chosen for it. */
  private voiceOf(track: number): VoiceName {
    if (this.roll?.tracks[track]?.isDrum) return 'drums';
    return this.instruments[track] ?? defaultInstrument(track, this.roll?.tracks[track]);
  }

  private applyMix(): void {
    const audible = audibleTracks(this.strips.length, this.mix);
    this.strips.forEach((strip, i) => {
      strip.channel.mute = !audible[i];
      strip.channel.volume.value = this.mix[i]?.volumeDb ?? 0;
    });
  }

  /** The looped stretch in seconds at the tempo in use: the loop range, else the whole piece. */
  private loopBounds(): { start: Seconds; end: Seconds } {
    const duration = this.roll ? rollDuration(this.roll, this.tempoBpm) : 0;
    const secondsPerStep = this.roll ? 60 / (this.tempoBpm * this.roll.stepsPerBeat) : 0;
    if (!this.loopRange) return { start: 0, end: duration };
    return {
      start: Math.min(this.loopRange.start * secondsPerStep, duration),
      end: Math.min(this.loopRange.end * secondsPerStep, duration),
    };
  }

  private applyLoop(): void {
    const transport = this.context.transport;
    const { start, end } = this.loopBounds();
    transport.loop = this.loop && end > start;
    // Tone refuses a loop end at or before its start, so an empty stretch becomes a tiny one (and does not loop).
    transport.loopStart = start;
    transport.loopEnd = Math.max(end, start + 0.001);
  }

  private clearEvents(): void {
    const transport = this.context.transport;
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
    const transport = this.context.transport;
    const audible = audibleTracks(roll.tracks.length, this.mix);
    const events = scheduleRoll(roll, { tempoBpm: this.tempoBpm, audible });
    for (const event of events) {
      const strip = this.strips[event.track];
      if (!strip) continue;
      this.eventIds.push(transport.schedule((time) => strip.voice.play(event.pitch, event.duration, time, event.velocity), event.time));
    }
    this.scheduledPerTrack = countByTrack(events, roll.tracks.length);
    if (!this.loop) {
      const end = rollDuration(roll, this.tempoBpm) + this.options.tailSeconds;
      // The stop is drawn on the main thread's clock so the UI state changes with the sound.
      this.eventIds.push(transport.schedule((time) => this.context.draw.schedule(() => this.stop(), time), end));
    }
    this.emit();
  }
}

/** Listening: what the player holds, the transport, the mixer, tempo and loop, and Export MIDI as heard. */
import { DEFAULT_TEMPO_BPM } from '../../music/constants';
import type { PianoRoll } from '../../music/pianoRoll';
import type { RollToMidiOptions } from '../../music/midiOut';
import { defaultTrackMix, type TrackMix } from '../../audio/schedule';
import { defaultInstrument, INSTRUMENTS, type InstrumentName } from '../../audio/instruments';
import type { Store } from '../store';
import type { AppState, LoopBars } from '../state';
import { planExport, type ExportPlan } from '../exportPlan';
import { layoutScore } from '../../music/score';
import { layoutToMusicXml } from '../../music/musicXml';
import { barCount, loopSteps } from '../rollRanges';
import type { PlayerControl } from './deps';
import { messageOf, PageActionError, type Messages } from './messages';

/** What playback is built from. */
export interface PlaybackDeps {
  store: Store<AppState>;
  player: PlayerControl;
  messages: Messages;
  rollToMidi: (roll: PianoRoll, options: RollToMidiOptions) => Uint8Array;
  download: (name: string, bytes: Uint8Array | string, mimeType: string) => void;
}

/** The player's side of the page; the other areas put what is to be heard here with `listenTo`. */
export class Playback {
  constructor(private readonly deps: PlaybackDeps) {}

  private get store(): Store<AppState> {
    return this.deps.store;
  }

  private get player(): PlayerControl {
    return this.deps.player;
  }

  /** What Export MIDI would write now (null with nothing to export). */
  exportPlan(): ExportPlan | null {
    const s = this.store.get();
    if (!s.listening) return null;
    const roll = s.listening.roll;
    return planExport(roll, s.mix, s.instruments, s.tempoBpm ?? roll.tempoBpm, s.melodyName);
  }

  /** What an export writes, with the page state and roll it is planned from; throws a message when there is nothing to write. */
  private exportable(): { plan: ExportPlan; s: AppState; roll: PianoRoll } {
    const plan = this.exportPlan();
    if (!plan) throw new PageActionError('There is nothing to export yet: choose a melody and generate an accompaniment.');
    if (plan.written.length === 0) throw new PageActionError('Every track is muted: unmute at least one track to export it.');
    const s = this.store.get();
    return { plan, s, roll: s.listening!.roll };
  }

  /** Downloads what is being listened to (melody and accompaniment) as a multi-track MIDI file. */
  exportMidi(): void {
    try {
      const { plan, s, roll } = this.exportable();
      const bytes = this.deps.rollToMidi(roll, {
        title: `${s.melodyName} (Cantus)`,
        tempoBpm: plan.tempoBpm,
        programs: plan.programs,
        include: plan.include,
        // The chord symbols travel as marker events, where a sequencer shows them over the timeline.
        markers: layoutScore(roll).chords.map((c) => ({ step: c.startStep, text: c.symbol })),
      });
      this.deps.download(plan.fileName, bytes, 'audio/midi');
    } catch (error) {
      this.deps.messages.report('player', error);
    }
  }

  /**
   * Downloads the piece as the score shows it, as MusicXML: the tracks that sound, named, with the instruments
   * chosen in the mixer, at the tempo in use, with ties, rests and chord symbols.
   */
  exportMusicXml(): void {
    try {
      const { plan, s, roll } = this.exportable();
      const xml = layoutToMusicXml(layoutScore(roll), {
        title: s.melodyName || 'Cantus',
        tempoBpm: plan.tempoBpm,
        programs: plan.programs,
        instrumentNames: roll.tracks.map((track, i) =>
          track.isDrum ? 'Drum kit' : INSTRUMENTS[s.instruments[i] ?? defaultInstrument(i, track)],
        ),
        include: plan.include,
      });
      this.deps.download(plan.fileName.replace(/\.mid$/, '.musicxml'), xml, 'application/vnd.recordare.musicxml+xml');
    } catch (error) {
      this.deps.messages.report('player', error);
    }
  }

  /** Puts a roll on the piano roll view and in the player. */
  listenTo(roll: PianoRoll, label: string): void {
    const s = this.store.get();
    const count = roll.tracks.length;
    // The mixer stays as the user set it while the tracks stay the same (a new variation, a new melody); another
    // model's tracks (other names and instruments) start from their own instruments.
    const before = s.listening?.roll.tracks;
    const sameShape =
      before?.length === count &&
      before.every((t, i) => i === 0 || (t.name === roll.tracks[i].name && t.program === roll.tracks[i].program));
    const mix = sameShape ? s.mix : Array.from({ length: count }, (_, i) => defaultTrackMix(i));
    const instruments =
      sameShape && s.instruments.length === count ? s.instruments : roll.tracks.map((track, i) => defaultInstrument(i, track));
    this.store.set({ listening: { roll, label }, mix, instruments });
    this.loadIntoPlayer(roll);
  }

  /** Hands the roll, mixer, tempo and loop of the page to the player. */
  loadIntoPlayer(roll: PianoRoll): void {
    const s = this.store.get();
    const player = this.player;
    player.setRoll(roll);
    player.setMix(s.mix);
    player.setInstruments(s.instruments);
    player.setTempo(s.tempoBpm ?? roll.tempoBpm);
    player.setLoop(s.loop, loopSteps(roll, s.loopBars));
  }

  /** Plays a training snapshot in the training panel; the accompaniment stays, to go back to. */
  async playSnapshot(epoch: number, index = 0): Promise<void> {
    const snapshot = this.store.get().snapshots.find((s) => s.epoch === epoch);
    const roll = snapshot?.rolls[index];
    if (!roll) return;
    const s = this.store.get();
    this.store.set({ audition: { epoch, roll } });
    const player = this.player;
    player.setRoll(roll);
    // Every voice of the snapshot sounds, on the instruments chosen for the accompaniment where they match.
    player.setMix(roll.tracks.map((_, i) => defaultTrackMix(i)));
    player.setInstruments(roll.tracks.map((track, i) => s.instruments[i] ?? defaultInstrument(i, track)));
    player.setTempo(s.tempoBpm ?? roll.tempoBpm);
    player.setLoop(false, null);
    await this.play();
  }

  /** Leaves the snapshot and puts the accompaniment (or melody) back in the player, as it was. */
  backToAccompaniment(): void {
    const s = this.store.get();
    if (!s.audition) return;
    this.store.set({ audition: null });
    if (s.listening) this.loadIntoPlayer(s.listening.roll);
    else this.player.setRoll(null);
  }

  /** Starts playback (call from the click handler: the browser allows audio only after a gesture). */
  async play(): Promise<void> {
    try {
      await this.player.play();
    } catch (error) {
      this.deps.messages.report('player', new Error(`Playback could not start: ${messageOf(error)}`));
    }
  }

  /**
   * Plays when paused or stopped, pauses when playing: the Space key (whatever is loaded, a snapshot too) and
   * the Listen panel's one button (`leaveSnapshot`: it belongs to the accompaniment, so it goes back to it first).
   */
  async togglePlay(leaveSnapshot = false): Promise<void> {
    if (leaveSnapshot && this.store.get().audition) this.backToAccompaniment();
    if (this.player.snapshot().state === 'playing') this.pause();
    else await this.play();
  }

  /** Moves playback to `seconds` from the start of what is being listened to. */
  seek(seconds: number): void {
    try {
      this.player.seek(seconds);
    } catch (error) {
      this.deps.messages.report('player', error);
    }
  }

  /** Pauses playback. */
  pause(): void {
    this.player.pause();
  }

  /** Stops playback and rewinds. */
  stop(): void {
    this.player.stop();
  }

  /** Changes one track's mute, solo or volume. */
  setTrackMix(track: number, change: Partial<TrackMix>): void {
    const mix = this.store.get().mix.map((m, i) => (i === track ? { ...m, ...change } : m));
    this.store.set({ mix });
    this.player.setMix(mix);
  }

  /** Changes one track's instrument. */
  setTrackInstrument(track: number, instrument: InstrumentName): void {
    const instruments = this.store.get().instruments.map((m, i) => (i === track ? instrument : m));
    this.store.set({ instruments });
    this.player.setInstruments(instruments);
  }

  /** Plays at another tempo; null returns to the piece's own (a new tune also goes back to its own). */
  setTempo(bpm: number | null): void {
    try {
      const own = this.store.get().listening?.roll.tempoBpm ?? DEFAULT_TEMPO_BPM;
      this.player.setTempo(bpm ?? own);
      this.store.set({ tempoBpm: bpm });
    } catch (error) {
      this.deps.messages.report('player', error);
    }
  }

  /** Turns looping on or off. */
  setLoop(loop: boolean): void {
    const s = this.store.get();
    this.store.set({ loop });
    if (!s.audition) this.player.setLoop(loop, s.listening ? loopSteps(s.listening.roll, s.loopBars) : null);
  }

  /**
   * Loops bars `from` to `to` (1-based, inclusive), or the whole piece with null. Bars past the end are
   * clamped to it; a range that ends before it starts is refused with a message.
   */
  setLoopBars(bars: LoopBars | null): void {
    const s = this.store.get();
    try {
      let range = bars;
      if (range) {
        const total = s.listening ? barCount(s.listening.roll) : 1;
        if (!Number.isInteger(range.from) || !Number.isInteger(range.to) || range.from < 1)
          throw new PageActionError('Loop bars must be whole numbers from 1 up.');
        if (range.to < range.from) throw new PageActionError(`The loop must end at or after bar ${range.from}.`);
        range = { from: Math.min(range.from, total), to: Math.min(range.to, total) };
      }
      this.store.set({ loopBars: range });
      if (!s.audition) this.player.setLoop(s.loop, s.listening ? loopSteps(s.listening.roll, range) : null);
    } catch (error) {
      this.deps.messages.report('player', error);
    }
  }
}

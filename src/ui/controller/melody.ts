/** The melody: read from a MIDI file (choosing its track), taken from the samples, or recorded. */
import { selectTracks, type PianoRoll } from '../../music/pianoRoll';
import { parseMidi, summarizeTracks, type ParsedMidi } from '../../music/midiIn';
import { extractMelody, suggestMelodyTrack } from '../../music/melody';
import { sampleMelodyRoll, SAMPLE_MELODIES } from '../../music/samples';
import type { Store } from '../store';
import type { AppState } from '../state';
import type { PlayerControl } from './deps';
import type { Messages } from './messages';
import type { Playback } from './playback';

/** What the melody area is built from. */
export interface MelodyDeps {
  store: Store<AppState>;
  player: PlayerControl;
  messages: Messages;
  /** Where a new melody is heard. */
  playback: Pick<Playback, 'listenTo'>;
  /** Parses a MIDI file the user opened (see ControllerDeps.readMidi); default `parseMidi` on this thread. */
  readMidi?: (bytes: Uint8Array) => Promise<ParsedMidi>;
}

/** The melody's actions. */
export class Melody {
  constructor(private readonly deps: MelodyDeps) {}

  private get store(): Store<AppState> {
    return this.deps.store;
  }

  /** Reads a MIDI file; a file with several usable tracks waits for `chooseTrack`. */
  async openMidiFile(file: File): Promise<void> {
    const errorsBefore = this.store.get().errorCount;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const parsed = await (this.deps.readMidi ?? (async (b: Uint8Array) => parseMidi(b)))(bytes);
      const tracks = summarizeTracks(parsed).filter((t) => !t.isDrum && t.noteCount > 0);
      const name = file.name.replace(/\.(mid|midi)$/i, '');
      if (tracks.length === 1) {
        const extracted = extractMelody(parsed, { track: tracks[0].index });
        this.useMelody(extracted.roll, name, extracted.warnings);
        this.store.set({ pendingMidi: null });
        this.deps.messages.succeeded(errorsBefore);
      } else {
        this.store.set({ pendingMidi: { fileName: name, parsed, tracks, suggested: suggestMelodyTrack(tracks) } });
        this.deps.messages.succeeded(errorsBefore);
      }
    } catch (error) {
      this.store.set({ pendingMidi: null });
      this.deps.messages.report('melody', error);
    }
  }

  /** Takes track `index` of the pending MIDI file as the melody. */
  chooseTrack(index: number): void {
    const pending = this.store.get().pendingMidi;
    if (!pending) return;
    try {
      const track = pending.tracks.find((t) => t.index === index);
      const extracted = extractMelody(pending.parsed, { track: index });
      this.setMelody(extracted.roll, `${pending.fileName}: ${track?.name ?? `track ${index + 1}`}`, extracted.warnings);
      this.store.set({ pendingMidi: null });
    } catch (error) {
      this.deps.messages.report('melody', error);
    }
  }

  /** Forgets the pending file without choosing a track. */
  cancelTrackChoice(): void {
    this.store.set({ pendingMidi: null });
  }

  /** Takes a built-in tune as the melody. */
  loadSample(id: string): void {
    if (this.showSample(id)) this.deps.messages.succeeded();
  }

  /** Puts a built-in tune (the first when none is named) in place without touching the error message, as the page's start-up does. */
  showSample(id: string = SAMPLE_MELODIES[0].id): boolean {
    try {
      const sample = SAMPLE_MELODIES.find((s) => s.id === id);
      this.useMelody(sampleMelodyRoll(id), sample?.title ?? id);
      return true;
    } catch (error) {
      this.deps.messages.report('melody', error);
      return false;
    }
  }

  /** Uses a melody (from a file, a sample or a recording); the old accompaniment no longer fits and goes. */
  setMelody(melody: PianoRoll, name: string, warnings: string[] = []): void {
    this.useMelody(melody, name, warnings);
    this.deps.messages.succeeded();
  }

  private useMelody(melody: PianoRoll, name: string, warnings: string[] = []): void {
    const one = melody.tracks.length === 1 ? melody : selectTracks(melody, [0]);
    this.deps.player.stop();
    // A new tune plays at its own tempo and loops as a whole: the last tune's choices do not fit it.
    this.store.set({
      melody: one,
      melodyName: name,
      melodyWarnings: warnings,
      result: null,
      tempoBpm: null,
      loopBars: null,
      audition: null,
      announcement: '',
    });
    this.deps.playback.listenTo(one, name);
    this.deps.player.setLoop(this.store.get().loop, null);
  }
}

/**
 * Renders a piece offline through the player's own audio graph (the same voices, channels and mix as the page),
 * faster than real time and without a user gesture: for tests, and for anything that needs the page's sound
 * as samples.
 */
import * as Tone from 'tone';
import type { PianoRoll } from '../music/pianoRoll';
import type { InstrumentName } from './instruments';
import { Player } from './player';
import { rollDuration, type Seconds, type TrackMix } from './schedule';

/** What to render, as the mixer would play it. */
export interface OfflineRenderOptions {
  /** Each track's instrument (default the player's defaults); drum tracks play the drum kit. */
  instruments?: readonly InstrumentName[];
  /** Mute, solo and volume per track (default every track at 0 dB). */
  mix?: readonly TrackMix[];
  /** Tempo in beats per minute (default the piece's own). */
  tempoBpm?: number;
  /** Seconds rendered after the piece ends, for the last notes' release. */
  tailSeconds?: Seconds;
  sampleRate?: number;
}

/** Where the player starts its transport after `play()`, in seconds. */
const START_DELAY: Seconds = 0.05;

/** The piece as the page would play it, as stereo samples (one Float32Array per channel). */
export async function renderOffline(roll: PianoRoll, options: OfflineRenderOptions = {}): Promise<Float32Array[]> {
  const tempoBpm = options.tempoBpm ?? roll.tempoBpm;
  const tailSeconds = options.tailSeconds ?? 1;
  if (!(tailSeconds >= 0)) throw new RangeError(`tailSeconds must be 0 or more, got ${tailSeconds}`);
  const seconds = START_DELAY + rollDuration(roll, tempoBpm) + tailSeconds;
  let player: Player | null = null;
  const buffer = await Tone.Offline(
    async () => {
      player = new Player({ tailSeconds });
      player.setRoll(roll);
      if (options.instruments) player.setInstruments(options.instruments);
      if (options.mix) player.setMix(options.mix);
      if (options.tempoBpm !== undefined) player.setTempo(options.tempoBpm);
      await player.play();
    },
    seconds,
    2,
    options.sampleRate ?? 44100,
  );
  (player as Player | null)?.dispose();
  const audio = buffer.get();
  if (!audio) throw new Error('the offline render returned no audio');
  return Array.from({ length: audio.numberOfChannels }, (_, c) => audio.getChannelData(c));
}

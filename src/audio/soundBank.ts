/**
 * The General MIDI sound bank: every instrument of the mixer but the piano, and the drum kit, sampled from a
 * General MIDI SoundFont by scripts/soundbank.ts (which writes soundBank.json and the MP3s under public/soundfont/).
 * The page fetches the samples of a voice that its track's notes play from (voices.ts); the service worker keeps
 * them for offline use.
 */
import bank from './soundBank.json';
import type { VoiceName } from './instruments';

/** A voice of the bank: how the page plays it and where its samples are. */
export interface BankVoice {
  /** The General MIDI program it was sampled from (the drum kit: bank 128, program 0). */
  program: number;
  /** Seconds a note fades over when it ends before its sample does. */
  release: number;
  /** True for drum hits, which ring to their end whatever the note's length, as in General MIDI players. */
  oneShot: boolean;
  /** MIDI key -> URL of its sample; other keys play the nearest one, shifted (never for a one-shot voice). */
  urls: Record<number, string>;
}

/** The attribution the bank's MIT licence asks for, shown on the page. */
export const SOUND_BANK_ATTRIBUTION: string = bank.attribution;
/** The licence text, shipped beside the samples. */
export const SOUND_BANK_LICENSE_URL = `${import.meta.env.BASE_URL}soundfont/LICENSE.txt`;

/** Level of the whole bank, in decibels, matched to the piano samples (one level keeps General MIDI's balance). */
export const SOUND_BANK_VOLUME_DB: number = bank.volumeDb;

/** The voices the bank holds. */
export type BankVoiceName = Exclude<VoiceName, 'piano'>;

/** A voice of the bank, its sample URLs under `base` (the app's base URL). */
export function bankVoice(name: BankVoiceName, base: string = import.meta.env.BASE_URL): BankVoice {
  const voice = bank.voices[name];
  if (!voice) throw new RangeError(`the sound bank has no voice ${String(name)}`);
  const urls: Record<number, string> = {};
  for (const [key, file] of Object.entries(voice.samples)) urls[Number(key)] = `${base}soundfont/${file}`;
  return { program: voice.program, release: voice.release, oneShot: voice.oneShot, urls };
}

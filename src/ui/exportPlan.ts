/**
 * What "Export MIDI" writes: the tracks that sound now (muted ones left out), each with the General MIDI
 * program of the instrument chosen in the mixer (the track's own program where that is the instrument nearest to it), at the tempo in use, under a file name that says so.
 */
import type { PianoRoll } from '../music/pianoRoll';
import { audibleTracks, type TrackMix } from '../audio/schedule';
import { defaultInstrument, GM_PROGRAMS, instrumentForProgram, type InstrumentName } from '../audio/instruments';

/** Everything the export needs, and what the page says about it. */
export interface ExportPlan {
  /** Which tracks go into the file, in track order. */
  include: boolean[];
  /** General MIDI program of each track, in track order. */
  programs: number[];
  tempoBpm: number;
  /** Names of the tracks written and of those left out (muted, or not soloed). */
  written: string[];
  leftOut: string[];
  fileName: string;
}

/** A file-name-safe piece of text (letters, digits, spaces, dashes), or `fallback` when nothing is left. */
function safe(text: string, fallback: string): string {
  const cleaned = text
    .replace(/[^\p{L}\p{N}\-, ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned || fallback;
}

/** The name of track `index` as the page shows it. */
export function trackName(roll: PianoRoll, index: number): string {
  return roll.tracks[index]?.name || `Track ${index + 1}`;
}

/**
 * Plans the export of `roll` as heard: `mix` decides which tracks are written, `instruments` their programs,
 * `tempoBpm` the file's tempo; `title` (the melody's name) and `what` ("snapshot, epoch 3") name the file.
 */
export function planExport(
  roll: PianoRoll,
  mix: readonly TrackMix[],
  instruments: readonly InstrumentName[],
  tempoBpm: number,
  title: string,
  what = '',
): ExportPlan {
  const include = audibleTracks(roll.tracks.length, mix);
  // A track on the instrument its own program suggests keeps that program (the file's exact instrument).
  const programs = roll.tracks.map((track, i) => {
    const chosen = instruments[i] ?? defaultInstrument(i, track);
    return chosen === instrumentForProgram(track.program) ? track.program : GM_PROGRAMS[chosen];
  });
  const written: string[] = [];
  const leftOut: string[] = [];
  roll.tracks.forEach((_, i) => (include[i] ? written : leftOut).push(trackName(roll, i)));
  const tempo = Math.round(tempoBpm);
  // Track 0 is the melody whatever its source called it; the rest are named by their voice.
  const parts = roll.tracks.flatMap((_, i) => (include[i] ? [i === 0 ? 'melody' : trackName(roll, i).toLowerCase()] : []));
  const holds =
    roll.tracks.length === 1 ? 'melody only' : parts.length === roll.tracks.length ? `${parts[0]} and accompaniment` : parts.join(', ');
  const fileName = `${safe(title, 'cantus')} - ${what ? `${safe(what, '')} - ` : ''}${safe(holds, 'tracks')} - ${tempo} bpm.mid`;
  return { include, programs, tempoBpm, written, leftOut, fileName };
}

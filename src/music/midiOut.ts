/**
 * Piano roll out: a MIDI file with one track per voice (its notes as `trackNotes` reads them), each on its
 * own channel with its name and General MIDI program.
 */
import { trackNotes } from './notes';
import type { PianoRoll } from './pianoRoll';
import { DEFAULT_VELOCITY, DRUM_CHANNEL } from './constants';
import { Midi } from './tonejsMidi';

/** Channels for melodic tracks: every channel but the drum channel. */
const MELODIC_CHANNELS = Array.from({ length: 16 }, (_, c) => c).filter((c) => c !== DRUM_CHANNEL);

/** The time signature to write for a bar of `beatsPerBar` quarter beats (3.5 becomes 7/8). */
function timeSignatureOf(beatsPerBar: number): [number, number] {
  for (const denominator of [4, 8, 16]) {
    const numerator = (beatsPerBar * denominator) / 4;
    if (Number.isInteger(numerator) && numerator > 0) return [numerator, denominator];
  }
  return [4, 4];
}

/** Options for `rollToMidi`. */
export interface RollToMidiOptions {
  /** Velocity of notes without one (default DEFAULT_VELOCITY). */
  defaultVelocity?: number;
  /** The song's title, written into the file. */
  title?: string;
  /** Tempo to write, in beats per minute (default the roll's own): the tempo the piece is played at. */
  tempoBpm?: number;
  /** General MIDI program (0..127) of each track, in track order (default each track's own `program`). */
  programs?: readonly number[];
  /** Which tracks to write, in track order (default all); a track left out is not in the file at all. */
  include?: readonly boolean[];
  /** Marker meta events (the chord symbols), each at a step of the roll. */
  markers?: readonly { step: number; text: string }[];
}

/**
 * Writes a roll as a format-1 MIDI file: the roll's tempo and time signature, then one track per
 * roll track with its name and program, melodic tracks on channels 1-9 and 11-16 in order (reused
 * after 15 tracks), drum tracks on channel 10.
 */
export function rollToMidi(roll: PianoRoll, options: RollToMidiOptions = {}): Uint8Array {
  const defaultVelocity = options.defaultVelocity ?? DEFAULT_VELOCITY;
  if (!Number.isInteger(defaultVelocity) || defaultVelocity < 1 || defaultVelocity > 127) {
    throw new RangeError(`defaultVelocity must be a whole number 1..127, got ${defaultVelocity}`);
  }
  const tempoBpm = options.tempoBpm ?? roll.tempoBpm;
  if (!(tempoBpm > 0 && tempoBpm < 1000)) throw new RangeError(`tempoBpm must be above 0 and below 1000, got ${tempoBpm}`);
  const midi = new Midi();
  midi.header.name = options.title ?? '';
  // Tempo and time signature go in before any note, as @tonejs/midi times notes by the tempo map.
  midi.header.setTempo(tempoBpm);
  midi.header.timeSignatures = [{ ticks: 0, timeSignature: timeSignatureOf(roll.beatsPerBar) }];
  midi.header.update();
  for (const marker of options.markers ?? []) {
    midi.header.meta.push({ type: 'marker', text: marker.text, ticks: Math.round((marker.step * midi.header.ppq) / roll.stepsPerBeat) });
  }
  // A new file has 480 ticks per beat, divisible by every usual steps-per-beat.
  const ticksPerStep = midi.header.ppq / roll.stepsPerBeat;
  let melodic = 0;
  roll.tracks.forEach((info, t) => {
    if (options.include && !options.include[t]) return;
    const track = midi.addTrack();
    track.name = info.name;
    track.channel = info.isDrum ? DRUM_CHANNEL : MELODIC_CHANNELS[melodic++ % MELODIC_CHANNELS.length];
    track.instrument.number = Math.min(127, Math.max(0, Math.round(options.programs?.[t] ?? info.program)));
    for (const note of trackNotes(roll, t, defaultVelocity)) {
      track.addNote({
        midi: note.pitch,
        ticks: Math.round(note.startStep * ticksPerStep),
        durationTicks: Math.round(note.steps * ticksPerStep),
        // @tonejs/midi writes floor(velocity * 127), which gives back exactly `note.velocity`.
        velocity: note.velocity / 127,
      });
    }
  });
  return midi.toArray();
}

/**
 * Built-in sample melodies: traditional public-domain tunes, entered by hand, each turned into a
 * one-track piano roll on the model's grid (4 steps per beat).
 */
import { DEFAULT_VELOCITY } from './constants';
import { addNote } from './notes';
import { createRoll, DEFAULT_STEPS_PER_BEAT, type PianoRoll } from './pianoRoll';
import { pitchOfName } from './spelling';

/** A built-in tune as written: notes are "pitch:beats" (e.g. "F#4:1.5"), "r:beats" for a rest. */
export interface SampleMelody {
  id: string;
  title: string;
  tempoBpm: number;
  beatsPerBar: number;
  notes: string;
}

/** Thrown when a sample's note text cannot be read (a bug in the tune table, caught by the unit tests). */
export class SampleMelodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SampleMelodyError';
  }
}

/** The built-in tunes, in the order the page lists them. */
export const SAMPLE_MELODIES: readonly SampleMelody[] = [
  {
    id: 'ode-to-joy',
    title: 'Ode to Joy (Beethoven)',
    tempoBpm: 112,
    beatsPerBar: 4,
    notes:
      'E4:1 E4:1 F4:1 G4:1 G4:1 F4:1 E4:1 D4:1 C4:1 C4:1 D4:1 E4:1 E4:1.5 D4:0.5 D4:2 ' +
      'E4:1 E4:1 F4:1 G4:1 G4:1 F4:1 E4:1 D4:1 C4:1 C4:1 D4:1 E4:1 D4:1.5 C4:0.5 C4:2',
  },
  {
    id: 'twinkle',
    title: 'Twinkle, Twinkle, Little Star',
    tempoBpm: 100,
    beatsPerBar: 4,
    notes:
      'C4:1 C4:1 G4:1 G4:1 A4:1 A4:1 G4:2 F4:1 F4:1 E4:1 E4:1 D4:1 D4:1 C4:2 ' +
      'G4:1 G4:1 F4:1 F4:1 E4:1 E4:1 D4:2 G4:1 G4:1 F4:1 F4:1 E4:1 E4:1 D4:2 ' +
      'C4:1 C4:1 G4:1 G4:1 A4:1 A4:1 G4:2 F4:1 F4:1 E4:1 E4:1 D4:1 D4:1 C4:2',
  },
  {
    id: 'frere-jacques',
    title: 'Frère Jacques',
    tempoBpm: 108,
    beatsPerBar: 4,
    notes:
      'C4:1 D4:1 E4:1 C4:1 C4:1 D4:1 E4:1 C4:1 E4:1 F4:1 G4:2 E4:1 F4:1 G4:2 ' +
      'G4:0.5 A4:0.5 G4:0.5 F4:0.5 E4:1 C4:1 G4:0.5 A4:0.5 G4:0.5 F4:0.5 E4:1 C4:1 ' +
      'C4:1 G3:1 C4:2 C4:1 G3:1 C4:2',
  },
  {
    id: 'greensleeves',
    title: 'Greensleeves',
    tempoBpm: 96,
    beatsPerBar: 3,
    notes:
      'r:2 A4:1 C5:2 D5:1 E5:1.5 F5:0.5 E5:1 D5:2 B4:1 G4:1.5 A4:0.5 B4:1 C5:2 A4:1 ' +
      'A4:1.5 G#4:0.5 A4:1 B4:2 G#4:1 E4:2 A4:1 C5:2 D5:1 E5:1.5 F5:0.5 E5:1 D5:2 B4:1 ' +
      'G4:1.5 A4:0.5 B4:1 C5:1.5 B4:0.5 A4:1 G#4:1.5 F#4:0.5 G#4:1 A4:3',
  },
  {
    id: 'scarborough-fair',
    title: 'Scarborough Fair',
    tempoBpm: 100,
    beatsPerBar: 3,
    notes:
      'D4:2 D4:1 A4:2 A4:1 E4:1.5 F4:0.5 E4:1 D4:3 r:2 A4:1 C5:2 D5:1 C5:2 A4:1 B4:1 G4:1 A4:1 A4:3 ' +
      'r:2 D5:1 D5:2 D5:1 C5:2 A4:1 A4:1 G4:1 F4:1 E4:1 C4:2 D4:2 A4:1 G4:2 F4:1 E4:1 D4:1 C4:1 D4:3',
  },
];

const NOTE_NAME = /^([A-G])(#|b)?(-?\d)$/;

/** MIDI number of a note name such as "C4" (middle C, 60), "F#3" or "Bb5" (read by spelling.ts's pitchOfName). */
export function midiFromNoteName(name: string): number {
  if (!NOTE_NAME.test(name)) throw new SampleMelodyError(`"${name}" is not a note name like C4, F#3 or Bb5`);
  try {
    return pitchOfName(name);
  } catch {
    // Written as a note name, so what Tonal refuses is a pitch beyond the MIDI range (A9, Cb-1).
    throw new SampleMelodyError(`${name} is outside the MIDI range`);
  }
}

/** Turns a sample's note text into a one-track roll named "Melody" (DEFAULT_VELOCITY on every note). */
export function sampleToRoll(sample: SampleMelody, stepsPerBeat = DEFAULT_STEPS_PER_BEAT): PianoRoll {
  const notes = sample.notes
    .trim()
    .split(/\s+/)
    .map((token) => {
      const [name, beatsText] = token.split(':');
      const beats = Number(beatsText);
      const steps = beats * stepsPerBeat;
      if (!Number.isInteger(steps) || steps <= 0) {
        throw new SampleMelodyError(`${sample.title}: "${token}" does not last a whole number of grid steps`);
      }
      return { pitch: name === 'r' ? null : midiFromNoteName(name), steps };
    });
  const total = notes.reduce((sum, n) => sum + n.steps, 0);
  const roll = createRoll(total, [{ name: 'Melody', program: 0, isDrum: false }], {
    stepsPerBeat,
    tempoBpm: sample.tempoBpm,
    beatsPerBar: sample.beatsPerBar,
    withOnsets: true,
    withVelocities: true,
  });
  let step = 0;
  for (const note of notes) {
    if (note.pitch !== null) addNote(roll, 0, { pitch: note.pitch, startStep: step, steps: note.steps, velocity: DEFAULT_VELOCITY });
    step += note.steps;
  }
  return roll;
}

/** The roll of the built-in tune with this id. */
export function sampleMelodyRoll(id: string): PianoRoll {
  const sample = SAMPLE_MELODIES.find((s) => s.id === id);
  if (!sample) throw new SampleMelodyError(`There is no built-in melody called "${id}"`);
  return sampleToRoll(sample);
}

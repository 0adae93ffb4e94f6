/**
 * The data side of the critic test (src/model/criticTest.ts), pure code: a four-voice roll as one line per voice,
 * its two-bar windows, and the windows' feature planes in each view the test can be restricted to.
 *
 * Every system is read the way the JSB data is written (one pitch or a rest per voice and step, a note starting
 * where the pitch changes or after a rest), so that no classifier can tell a system from Bach by a detail of
 * notation that the data does not have (a repeated note, a second pitch in one voice).
 */
import { MODEL_TRACKS, WINDOW_STEPS, PITCHES, type PianoRoll } from './pianoRoll';

/** Steps between window starts: one bar, so every bar is seen in two windows, as the generator sees it. */
export const CRITIC_HOP_STEPS = 16;
/** The window: two bars of 16th notes, the generator's own window. */
export const CRITIC_WINDOW_STEPS = WINDOW_STEPS;
/** The lowest pitch with its own plane; lower pitches share its plane (JSB's voices span 36..81). */
export const CRITIC_LOWEST_PITCH = 28;
/** Pitch planes per voice: MIDI 28..91, room for JSB's range transposed by up to a fifth either way. */
export const CRITIC_PITCH_SPAN = 64;

/**
 * What a classifier is shown of each window:
 * - `full`: each voice's pitch (one plane per pitch) and a rest plane;
 * - `rhythm`: each voice's onsets and rests only, no pitch;
 * - `pitch_classes`: the pitch classes sounding at each step, of all voices together (no voicing, no voice's rhythm);
 * - `bass`: the bass line alone, its pitch and rest planes.
 */
export const CRITIC_VIEWS = ['full', 'rhythm', 'pitch_classes', 'bass'] as const;
export type CriticView = (typeof CRITIC_VIEWS)[number];

/** Feature planes per step of each view. */
export function viewChannels(view: CriticView): number {
  switch (view) {
    case 'full':
      return MODEL_TRACKS * (CRITIC_PITCH_SPAN + 1);
    case 'rhythm':
      return MODEL_TRACKS * 2;
    case 'pitch_classes':
      return 12;
    case 'bass':
      return CRITIC_PITCH_SPAN + 1;
  }
}

/** A chorale read as voice lines: `pitch[step * 4 + voice]` is the voice's pitch at the step, or -1 for a rest. */
export interface VoiceLines {
  steps: number;
  pitch: Int16Array;
}

/** The voice lines of a roll's first four tracks: each track's highest sounding pitch per step, or a rest. */
export function voiceLines(roll: PianoRoll): VoiceLines {
  const tracks = roll.tracks.length;
  if (tracks < MODEL_TRACKS) throw new RangeError(`the critic test reads four voices; this roll has ${tracks} track(s)`);
  const pitch = new Int16Array(roll.steps * MODEL_TRACKS).fill(-1);
  for (let step = 0; step < roll.steps; step++) {
    for (let voice = 0; voice < MODEL_TRACKS; voice++) {
      for (let p = PITCHES - 1; p >= 0; p--) {
        if (roll.active[(step * PITCHES + p) * tracks + voice] === 1) {
          pitch[step * MODEL_TRACKS + voice] = p;
          break;
        }
      }
    }
  }
  return { steps: roll.steps, pitch };
}

/** The window starts of a chorale: every bar, each window whole, leaving out windows where the soprano is silent. */
export function criticWindowStarts(lines: VoiceLines): number[] {
  const starts: number[] = [];
  for (let start = 0; start + CRITIC_WINDOW_STEPS <= lines.steps; start += CRITIC_HOP_STEPS) {
    let sounds = false;
    for (let step = start; step < start + CRITIC_WINDOW_STEPS && !sounds; step++) sounds = lines.pitch[step * MODEL_TRACKS] >= 0;
    if (sounds) starts.push(start);
  }
  return starts;
}

function pitchPlane(pitch: number, shift: number): number {
  return Math.min(CRITIC_PITCH_SPAN - 1, Math.max(0, pitch + shift - CRITIC_LOWEST_PITCH));
}

/**
 * Writes one window's planes into `out` at `offset`: `CRITIC_WINDOW_STEPS` rows of `viewChannels(view)` values
 * (0 or 1), step-major. `shift` transposes every voice by that many semitones (data augmentation; 0 to read the
 * window as it is). `out` must be zero there already.
 */
export function writeWindowFeatures(
  lines: VoiceLines,
  start: number,
  view: CriticView,
  shift: number,
  out: Float32Array,
  offset: number,
): void {
  const channels = viewChannels(view);
  const planes = CRITIC_PITCH_SPAN + 1;
  for (let t = 0; t < CRITIC_WINDOW_STEPS; t++) {
    const step = start + t;
    const row = offset + t * channels;
    for (let voice = 0; voice < MODEL_TRACKS; voice++) {
      const p = lines.pitch[step * MODEL_TRACKS + voice];
      switch (view) {
        case 'full':
          out[row + voice * planes + (p < 0 ? CRITIC_PITCH_SPAN : pitchPlane(p, shift))] = 1;
          break;
        case 'rhythm':
          if (p < 0) out[row + voice * 2 + 1] = 1;
          else if (step === 0 || lines.pitch[(step - 1) * MODEL_TRACKS + voice] !== p) out[row + voice * 2] = 1;
          break;
        case 'pitch_classes':
          if (p >= 0) out[row + ((((p + shift) % 12) + 12) % 12)] = 1;
          break;
        case 'bass':
          if (voice === MODEL_TRACKS - 1) out[row + (p < 0 ? CRITIC_PITCH_SPAN : pitchPlane(p, shift))] = 1;
          break;
      }
    }
  }
}

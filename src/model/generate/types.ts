/** What the generation stages (src/model/generate/) hand each other. */
import type { DataProfile } from '../../music/dataProfile';
import { ACCOMPANIMENT_TRACKS, PITCHES, type PianoRoll } from '../../music/pianoRoll';
import type { StyleCritic } from '../styleCritic';

/** What generation needs of the GAN: the generator's voice scores and the critic's judgement (GanEngine has both). */
export interface GenerationNetworks {
  /**
   * The generator's input planes: 1 (absent: 1) reads the melody alone; CONTEXT_CHANNELS (src/model/voiceContext.ts)
   * also reads the voices, some steps hidden, and generation then samples them (gibbs.ts).
   */
  readonly inputChannels?: number;
  /** Noise channels of the generator's bottleneck. */
  readonly noiseChannels: number;
  /** What the model was trained on; null or absent: the Bach chorales (the chorale decoding and voices). */
  readonly dataProfile?: DataProfile | null;
  /** The critic fitted on the model's decoded candidates that stitches them (styleCritic.ts); null or absent: none. */
  readonly styleCritic?: StyleCritic | null;
  /**
   * The generator's raw tanh outputs [n, 32, 128, 4] for input windows [n, 32, 128, inputChannels] (the melody of
   * -1/+1, or the context planes of voiceContext.ts) and noise [n, 2, 8, noiseChannels].
   */
  generateWindows(melody: Int8Array, noise: Float32Array): Promise<Float32Array>;
  /** The critic's score of each 4-track window [n, 32, 128, 4] of -1/+1, track 0 the melody: higher reads as more real. */
  criticScores(windows: Int8Array): Promise<Float32Array>;
}

/** The user's melody as the network reads it: moved by whole octaves into the model's register. */
export interface ModelMelody {
  /** The melody as the user gave it. */
  melody: PianoRoll;
  /** Its sounding cells (track 0) as a [steps x 128] grid of 0/1, where the user wrote them. */
  active: Uint8Array;
  /** Semitones (a multiple of 12) that move it into the model's register. */
  shift: number;
  /** Its highest sounding pitch per step in the model's register; -1 where it is silent. */
  top: Int16Array;
}

/** One decoded accompaniment, in the model's register. */
export interface Candidate {
  /** The seed of its noise and of its decoding's draws. */
  seed: number;
  /** Sounding cells [steps x 128 x ACCOMPANIMENT_TRACKS] of alto, tenor and bass: (step * 128 + pitch) * ACCOMPANIMENT_TRACKS + voice. */
  voices: Uint8Array;
  /**
   * Attacks, in the same cells: a note that starts again where the one before it ends. Absent: every run of
   * sounding steps of one pitch is one note.
   */
  onsets?: Uint8Array;
}

/** Voice lines (per voice, per step: a pitch, -1 resting) as a candidate's sounding cells: candidatePitches undone. */
export function pitchCells(lines: readonly Int16Array[], steps: number): Uint8Array {
  const voices = new Uint8Array(steps * PITCHES * ACCOMPANIMENT_TRACKS);
  lines.forEach((line, v) => {
    for (let step = 0; step < steps; step++) if (line[step] >= 0) voices[(step * PITCHES + line[step]) * ACCOMPANIMENT_TRACKS + v] = 1;
  });
  return voices;
}

/** Per voice, per step: the highest pitch a candidate's voice sounds (`voices` as in Candidate), -1 where it rests. */
export function candidatePitches(voices: Uint8Array, steps: number): Int16Array[] {
  return Array.from({ length: ACCOMPANIMENT_TRACKS }, (_, v) => {
    const line = new Int16Array(steps).fill(-1);
    for (let step = 0; step < steps; step++) {
      for (let q = PITCHES - 1; q >= 0; q--) {
        if (voices[(step * PITCHES + q) * ACCOMPANIMENT_TRACKS + v]) {
          line[step] = q;
          break;
        }
      }
    }
    return line;
  });
}

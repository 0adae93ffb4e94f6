/**
 * Generation stage 4, placement: the accompanied roll in the user's register. The user's melody is kept exactly
 * as given (track 0: notes, onsets, velocities, register, program); the chosen alto, tenor and bass are moved
 * back from the model's register by the melody's octave shift. A note of a voice lasts while its pitch keeps
 * sounding from step to step, unless the candidate marks an attack. A model of the user's own music names and
 * voices the tracks after its data (its profile's tracks). With a lock (infilling), the locked cells are copied from
 * the lock's roll exactly (notes, onsets, velocities); a note after a locked stretch starts afresh, so no locked note
 * is lengthened.
 */
import type { AccompanimentLock } from '../../music/locks';
import { ACCOMPANIMENT_TRACKS, PITCHES, createRoll, sameGrid, type PianoRoll, type TrackInfo } from '../../music/pianoRoll';
import { ACCOMPANIMENT_PROGRAMS, ACCOMPANIMENT_VOICES, voiceLabel } from '../../music/voices';
import { type Candidate, type ModelMelody } from './types';

/** Names and General MIDI programs of the accompaniment voices (the melody keeps its own program). */
export const CHORALE_TRACKS: readonly TrackInfo[] = ACCOMPANIMENT_VOICES.map((voice) => ({
  name: voiceLabel(voice),
  program: ACCOMPANIMENT_PROGRAMS[voice],
  isDrum: false,
}));
/** Accompaniment velocity relative to the melody's mean velocity, so the melody stays on top. */
const ACCOMPANIMENT_VELOCITY_RATIO = 0.85;

/**
 * The four-track roll: `input`'s melody as the user gave it, and `candidate`'s voices in the user's register, as
 * the `accompaniment` tracks (default alto, tenor and bass); a drum track's keys are not moved; `lock`'s locked
 * cells as its roll has them (the lock fits the melody: the pipeline checked it).
 */
export function placeInUserRegister(
  candidate: Candidate,
  input: ModelMelody,
  accompaniment: readonly TrackInfo[] = CHORALE_TRACKS,
  lock: AccompanimentLock | null = null,
): PianoRoll {
  const { melody, shift } = input;
  const source = melody.tracks[0];
  const tracks: TrackInfo[] = [
    { name: 'Melody', program: source.program, isDrum: source.isDrum },
    ...accompaniment.slice(0, ACCOMPANIMENT_TRACKS).map((t) => ({ name: t.name, program: t.program, isDrum: t.isDrum })),
  ];
  const out = createRoll(melody.steps, tracks, {
    ...sameGrid(melody),
    withOnsets: true,
    withVelocities: melody.velocities !== null,
  });
  const onsets = out.onsets as Uint8Array;
  const inTracks = melody.tracks.length;
  const outTracks = tracks.length;
  let velocitySum = 0;
  let velocityCount = 0;
  for (let step = 0; step < melody.steps; step++) {
    for (let p = 0; p < PITCHES; p++) {
      const from = (step * PITCHES + p) * inTracks;
      const to = (step * PITCHES + p) * outTracks;
      if (!melody.active[from]) continue;
      out.active[to] = 1;
      const onset = melody.onsets ? melody.onsets[from] : step === 0 || !melody.active[from - PITCHES * inTracks] ? 1 : 0;
      onsets[to] = onset ? 1 : 0;
      if (melody.velocities && out.velocities) {
        out.velocities[to] = melody.velocities[from];
        if (onset && melody.velocities[from] > 0) {
          velocitySum += melody.velocities[from];
          velocityCount++;
        }
      }
    }
  }
  const accompanimentVelocity = velocityCount
    ? Math.max(1, Math.min(127, Math.round((ACCOMPANIMENT_VELOCITY_RATIO * velocitySum) / velocityCount)))
    : 0;
  const { voices } = candidate;
  for (let v = 0; v < ACCOMPANIMENT_TRACKS; v++) {
    const move = tracks[v + 1].isDrum ? 0 : shift;
    for (let step = 0; step < melody.steps; step++) {
      for (let q = 0; q < PITCHES; q++) {
        const p = q - move;
        const cell = (step * PITCHES + q) * ACCOMPANIMENT_TRACKS + v;
        if (!voices[cell] || p < 0 || p >= PITCHES) continue;
        const to = (step * PITCHES + p) * outTracks + v + 1;
        out.active[to] = 1;
        const afterLock = lock !== null && step > 0 && lock.cells[(step - 1) * ACCOMPANIMENT_TRACKS + v] === 1;
        if (step === 0 || !voices[cell - PITCHES * ACCOMPANIMENT_TRACKS] || candidate.onsets?.[cell] || afterLock) {
          onsets[to] = 1;
          if (out.velocities && accompanimentVelocity) out.velocities[to] = accompanimentVelocity;
        }
      }
    }
  }
  if (lock) copyLocked(out, lock, accompanimentVelocity);
  return out;
}

/** Writes `lock`'s locked cells of the accompaniment tracks into `out` (of the same shape) as its roll has them. */
function copyLocked(out: PianoRoll, lock: AccompanimentLock, velocity: number): void {
  const { roll } = lock;
  const tracks = out.tracks.length;
  const onsets = out.onsets as Uint8Array;
  for (let step = 0; step < out.steps; step++) {
    for (let v = 0; v < ACCOMPANIMENT_TRACKS; v++) {
      if (!lock.cells[step * ACCOMPANIMENT_TRACKS + v]) continue;
      for (let p = 0; p < PITCHES; p++) {
        const i = (step * PITCHES + p) * tracks + v + 1;
        const sounding = roll.active[i] === 1;
        const onset = sounding && (roll.onsets ? roll.onsets[i] === 1 : step === 0 || !roll.active[i - PITCHES * tracks]);
        out.active[i] = sounding ? 1 : 0;
        onsets[i] = onset ? 1 : 0;
        if (out.velocities) out.velocities[i] = onset ? roll.velocities?.[i] || velocity : 0;
      }
    }
  }
}

/**
 * 16th-note passing and neighbour tones for decoded voices, as Bach writes them: inside an 8th-note slot a
 * voice may move to another pitch for its second half (a descending third filled in by step, a lower
 * neighbour). How often, after which intervals and to which pitch are the counts of the train-split chorales
 * (VoiceStatistics.ornaments and .ornamentOffsets), drawn with the decoding's seed. An ornament stays in the
 * piece's key and in its voice's range, strictly between the voices around it. Pure code.
 */
import { MAX_ORNAMENT, intervalIndex, type VoiceStatistics } from '../music/voiceStatistics';
import type { Uniform } from '../music/random';

/** Where an ornament may go: the voices' ranges and the key's pitch-class mask. */
export interface OrnamentContext {
  ranges: readonly (readonly [number, number])[];
  keyMask: number;
  slotSteps: number;
}

/**
 * Adds ornaments to `voices` (alto, tenor, bass: pitch per step, -1 for a rest) in place, under `melody`
 * (pitch per step, -1 silent). `rate` scales Bach's frequency (1: his; 0: none).
 */
export function addOrnaments(
  voices: Int16Array[],
  melody: Int16Array,
  stats: VoiceStatistics,
  context: OrnamentContext,
  rate: number,
  uniform: Uniform,
): void {
  const { slotSteps, keyMask, ranges } = context;
  if (rate <= 0 || slotSteps < 2) return;
  const steps = melody.length;
  for (let start = 0; start + slotSteps < steps; start += slotSteps) {
    const inner = start + slotSteps - 1;
    if (melody[start] < 0 || melody[inner] < 0) continue;
    for (let v = 0; v < voices.length; v++) {
      const line = voices[v];
      const from = line[start];
      const to = line[start + slotSteps];
      if (from < 0 || to < 0 || line[inner] !== from) continue;
      const interval = intervalIndex(from, to);
      const [slots, ornamented] = stats.ornaments[v][interval];
      if (uniform() >= (rate * ornamented) / (slots + 1)) continue;
      const above = v === 0 ? melody[inner] : voices[v - 1][inner];
      const below = v + 1 < voices.length ? voices[v + 1][start] : -1;
      const [low, high] = ranges[v];
      const counts = stats.ornamentOffsets[v][interval];
      let total = 0;
      const allowed = counts.map((count, k) => {
        const pitch = from + k - MAX_ORNAMENT;
        const ok = k !== MAX_ORNAMENT && pitch >= low && pitch <= high && pitch < above && pitch > below && (keyMask >> (pitch % 12)) & 1;
        total += ok ? count : 0;
        return ok ? count : 0;
      });
      if (total <= 0) continue;
      let target = uniform() * total;
      for (let k = 0; k < allowed.length; k++) {
        target -= allowed[k];
        if (allowed[k] > 0 && target <= 0) {
          for (let step = start + 1; step < start + slotSteps; step++) line[step] = from + k - MAX_ORNAMENT;
          break;
        }
      }
    }
  }
}

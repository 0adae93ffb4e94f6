/** The systems of the chorale evaluation, each writing alto, tenor and bass under Bach's sopranos. */
import { octaveDoubling, randomInKey, ruleHarmonizer } from '../../../src/music/baselines';
import { selectTracks, type PianoRoll } from '../../../src/music/pianoRoll';
import type { GanEngine } from '../../../src/model/gan';
import type { GenerationOptions } from '../../../src/protocol/generation';
import type { SystemName } from './metrics';

/**
 * Every system's four voices under the sopranos of Bach's `bach` chorales: the model's (chorale i accompanied with
 * seed + i), Bach's own, and the baselines'. The same for the evaluated split and the critic test's training split.
 */
export async function systemRolls(
  engine: GanEngine,
  bach: PianoRoll[],
  seed: number,
  generation: GenerationOptions,
): Promise<Record<SystemName, PianoRoll[]>> {
  const melodies = bach.map((roll) => selectTracks(roll, [0]));
  const model: PianoRoll[] = [];
  for (const [i, melody] of melodies.entries()) model.push(await engine.accompany(melody, seed + i, generation));
  return {
    model,
    bach,
    baseline_octave_doubling: melodies.map((m) => octaveDoubling(m)),
    // The baselines, like the model, hear only the melody, so they take the key the melody suggests.
    baseline_random_in_key: melodies.map((m, i) => randomInKey(m, seed + i)),
    baseline_rule_harmonizer: melodies.map((m) => ruleHarmonizer(m)),
  };
}

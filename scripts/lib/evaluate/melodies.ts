/** `npm run evaluate -- --melodies ...`: the model's listener metrics on the page's built-in tunes and on MIDI melodies. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';

import { estimateRollKey } from '../../../src/music/keys';
import { keyName } from '../../../src/music/spelling';
import type { PianoRoll } from '../../../src/music/pianoRoll';
import { SAMPLE_MELODIES, sampleToRoll } from '../../../src/music/samples';
import { meanOverRolls, voiceMetrics } from '../../../src/music/metrics';
import { DEFAULT_GENERATION_OPTIONS, type GenerationOptions } from '../../../src/protocol/generation';
import { loadEngine } from './chorales';
import { listenerReport, type ListenerReport } from './metrics';

/** The report of `evaluateMelodies`: the model's listener metrics per melody and their mean. */
export interface MelodyReport {
  melodies: Record<string, ListenerReport>;
  /** The key each melody was judged in (estimated from the melody alone). */
  keys: Record<string, string>;
  mean: ListenerReport;
}

/** A melody to accompany: a name for the report and its one-track roll. */
interface NamedMelody {
  name: string;
  roll: PianoRoll;
}

/** The melodies a `--melodies` list names: "builtin" for the page's tunes, else paths of MIDI files. */
export async function loadMelodies(list: string): Promise<NamedMelody[]> {
  const items = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new Error('--melodies needs "builtin" and/or MIDI file paths, comma-separated');
  const melodies: NamedMelody[] = [];
  for (const item of items) {
    if (item === 'builtin') {
      for (const sample of SAMPLE_MELODIES) melodies.push({ name: sample.id, roll: sampleToRoll(sample) });
      continue;
    }
    const path = resolve(item);
    if (!existsSync(path)) throw new Error(`No MIDI file at ${path}`);
    // Loaded here, not at the top, so that the chorale evaluation never depends on the MIDI reader.
    const { parseMidi } = await import('../../../src/music/midiIn');
    const { extractMelody } = await import('../../../src/music/melody');
    try {
      melodies.push({ name: basename(path), roll: extractMelody(parseMidi(new Uint8Array(readFileSync(path)))).roll });
    } catch (error) {
      throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  const seen = new Set<string>();
  for (const m of melodies) {
    let name = m.name;
    for (let n = 2; seen.has(name); n++) name = `${m.name} (${n})`;
    m.name = name;
    seen.add(name);
  }
  return melodies;
}

/** Accompanies each melody with the model (seed + its index) and measures it in the key of the melody. */
export async function evaluateMelodies(options: {
  model: string;
  melodies: string;
  seed: number;
  generation?: GenerationOptions;
}): Promise<MelodyReport> {
  const melodies = await loadMelodies(options.melodies);
  const generation = options.generation ?? DEFAULT_GENERATION_OPTIONS;
  const engine = await loadEngine(options.model);
  try {
    // The listener metrics read a chorale's alto, tenor and bass: a model of own files writes its data's tracks
    // (drums among them, maybe), which they would misread as voices.
    if (engine.dataProfile?.kind === 'own')
      throw new Error(
        `The model in ${options.model} was trained on your own MIDI files (it writes ${engine.dataProfile.tracks
          .map((t) => t.name)
          .join(', ')}); --melodies measures chorale voices. Judge it against its data with --data FOLDER.`,
      );
    const report: MelodyReport = { melodies: {}, keys: {}, mean: {} as ListenerReport };
    for (const [i, { name, roll }] of melodies.entries()) {
      const key = estimateRollKey(roll, [0]);
      const accompanied = await engine.accompany(roll, options.seed + i, generation);
      report.melodies[name] = listenerReport(voiceMetrics(accompanied, { key }));
      report.keys[name] = key ? keyName(key) : 'none';
    }
    report.mean = meanOverRolls(Object.values(report.melodies));
    return report;
  } finally {
    engine.dispose();
  }
}

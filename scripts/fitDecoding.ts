/**
 * `npm run fit-decoding [-- --data FILE --out FILE]`: counts how Bach's alto, tenor and bass move and sound
 * together on the TRAIN split of the JSB chorales (src/music/voiceStatistics.ts) and writes the counts that the
 * chorale decoding scores its voices with (default src/model/bachStatistics.json). The valid split plays no part.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { parseJsbJson } from '../src/music/jsb';
import { fitVoiceStatistics, type VoiceStatistics } from '../src/music/voiceStatistics';
import { DEFAULT_DATA } from './train';

/** Where the decoding reads its statistics from. */
export const STATISTICS_FILE = resolve(import.meta.dirname, '../src/model/bachStatistics.json');

/** The statistics of the train split of a JSB-format file. */
export function fitTrainSplit(dataFile: string): VoiceStatistics {
  const dataset = parseJsbJson(readFileSync(dataFile, 'utf8'));
  return fitVoiceStatistics(dataset.train);
}

/** The statistics file's text: one table row a line, so a change reads well in a diff. */
export function statisticsJson(stats: VoiceStatistics): string {
  const rows = (rows: unknown[], indent: string) => rows.map((r) => `${indent}${JSON.stringify(r)}`).join(',\n');
  return [
    '{',
    `  "slotSteps": ${stats.slotSteps},`,
    `  "stepsPerBeat": ${stats.stepsPerBeat},`,
    `  "chorales": ${stats.chorales},`,
    `  "slots": ${stats.slots},`,
    `  "intervals": [\n${stats.intervals.map((voice) => `    [\n${rows(voice, '      ')}\n    ]`).join(',\n')}\n  ],`,
    `  "motion": [\n${rows(stats.motion, '    ')}\n  ],`,
    `  "sonorities": [\n${rows(stats.sonorities, '    ')}\n  ],`,
    `  "ornaments": [\n${rows(stats.ornaments, '    ')}\n  ],`,
    `  "ornamentOffsets": [\n${stats.ornamentOffsets.map((voice) => `    [\n${rows(voice, '      ')}\n    ]`).join(',\n')}\n  ]`,
    '}',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' } } });
  const stats = fitTrainSplit(resolve(values.data ?? DEFAULT_DATA));
  const out = resolve(values.out ?? STATISTICS_FILE);
  writeFileSync(out, statisticsJson(stats));
  console.log(`${stats.chorales} train chorales, ${stats.slots} four-voice slots, ${stats.sonorities.length} sonorities -> ${out}`);
}

if (process.argv[1]?.endsWith('scripts/fitDecoding.ts')) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

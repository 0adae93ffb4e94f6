/**
 * `npm run fit-style-critic -- --model DIR [--out DIR] [--data FILE] [--candidates N] [--chorales N]`: fits the
 * style critic of a chorale model (src/model/styleCritic.ts) and saves the model with it (into --out, or into DIR). The model accompanies the
 * soprano of every chorale of the data's TRAIN split with N candidates (chorale i with the candidate seeds of seed
 * 1 + i, as a generation of seed 1 + i decodes them, one whole candidate each); the style critic's classifier then
 * learns Bach's own two-bar windows against the candidates'. The evaluated splits play no part. Other files in the
 * folder written (a model card, an evaluation) are left as they are; model.json and model.weights.bin are replaced
 * each by a complete new file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { jsbChoraleToRoll, parseJsbJson } from '../src/music/jsb';
import { selectTracks } from '../src/music/pianoRoll';
import { balancedAccuracy } from '../src/model/criticTest';
import { candidateSeeds } from '../src/model/generate/choice';
import { exportModel } from '../src/model/io';
import { STYLE_CANDIDATES, STYLE_CRITIC_DESIGN, STYLE_CRITIC_SEED, STYLE_CRITIC_VIEW } from '../src/model/styleCritic';
import { rollWindows, WindowClassifier, type ClassifierWindow } from '../src/model/windowClassifier';
import { loadEngine } from './lib/evaluate/chorales';
import { MODEL_JSON, WEIGHTS_BIN } from './lib/modelDir';
import { startNodeBackend } from './lib/tfNode';
import { DEFAULT_DATA } from './train';

const USAGE = `Usage: npm run fit-style-critic -- --model DIR [--out DIR] [--data FILE] [--candidates N] [--chorales N]
  --model DIR       the chorale model to fit it for
  --out DIR         where to save the model with its style critic (default: DIR itself, its model files rewritten)
  --data FILE       JSB chorales JSON with a "train" split (default ${DEFAULT_DATA})
  --candidates N    candidates per melody, 2 to 16 (default ${STYLE_CANDIDATES}): what a generation decodes by default
  --chorales N      learn on the first N train chorales only (default all)`;

function wholeNumber(text: string | undefined, flag: string, low: number, high: number, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < low || value > high)
    throw new Error(`--${flag} takes a whole number from ${low} to ${high}, got "${text}"`);
  return value;
}

/** Writes `data` to `path` through a temporary file, so a killed run leaves the old file whole. */
function replaceFile(path: string, data: string | Uint8Array): void {
  writeFileSync(`${path}.writing`, data);
  renameSync(`${path}.writing`, path);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      out: { type: 'string' },
      data: { type: 'string' },
      candidates: { type: 'string' },
      chorales: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log(USAGE);
  if (!values.model) throw new Error(`--model is required\n${USAGE}`);
  const candidates = wholeNumber(values.candidates, 'candidates', 2, 16, STYLE_CANDIDATES);
  const dataset = parseJsbJson(readFileSync(resolve(values.data ?? DEFAULT_DATA), 'utf8'));
  const train = dataset.train;
  const count = wholeNumber(values.chorales, 'chorales', 1, train.length, train.length);
  await startNodeBackend('wasm');
  const dir = resolve(values.model);
  const engine = await loadEngine(dir);
  try {
    if (engine.dataProfile?.kind === 'own')
      throw new Error('The style critic learns on the Bach chorales; this model was trained on own MIDI files.');
    const started = Date.now();
    const windows: ClassifierWindow[] = [];
    for (let i = 0; i < count; i++) {
      const bach = jsbChoraleToRoll(train[i]);
      windows.push(...rollWindows(bach, 0));
      const melody = selectTracks(bach, [0]);
      for (const seed of candidateSeeds(1 + i, candidates))
        windows.push(...rollWindows(await engine.accompany(melody, seed, { candidates: 1 }), 1));
      if ((i + 1) % 50 === 0) console.error(`${i + 1} of ${count} chorales accompanied (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
    console.error(`learning on ${windows.length} windows`);
    const classifier = WindowClassifier.initial(STYLE_CRITIC_DESIGN, STYLE_CRITIC_VIEW, STYLE_CRITIC_SEED);
    await classifier.train(windows, STYLE_CRITIC_SEED);
    const accuracy = balancedAccuracy(
      await classifier.scores(windows),
      Int8Array.from(windows, (w) => w.label),
    );
    engine.styleCritic?.classifier.dispose();
    engine.styleCritic = { classifier, fittedAtIteration: engine.iteration, candidates };
    const files = await exportModel(engine);
    const out = resolve(values.out ?? dir);
    mkdirSync(out, { recursive: true });
    replaceFile(join(out, WEIGHTS_BIN), new Uint8Array(files.weights));
    replaceFile(join(out, MODEL_JSON), files.modelJson);
    console.log(
      `style critic fitted on ${count} train chorales x ${candidates} candidates in ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
        `training-window accuracy ${accuracy.toFixed(3)}; saved in ${out}`,
    );
  } finally {
    engine.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

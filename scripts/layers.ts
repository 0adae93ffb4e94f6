/**
 * `npm run layers -- export --model DIR --out DIR` writes both networks of a Cantus model in TensorFlow.js's
 * standard Layers format (OUT/generator/model.json + generator.weights.bin, OUT/critic/...), ready for
 * tensorflowjs_converter; `npm run layers -- import --model DIR --layers DIR --out DIR` builds a Cantus model from
 * such networks (for example trained elsewhere and converted back), with the settings of the model in --model.
 * docs/scaling.md has the whole round trip.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { exportLayersModels, exportModel, importLayersModels, importModel, type LayersModelFiles } from '../src/model/io';
import { readModelDir, writeModelDir } from './lib/modelDir';
import { startNodeBackend } from './lib/tfNode';

const USAGE = `Usage: npm run layers -- export --model DIR --out DIR
       npm run layers -- import --model DIR --layers DIR --out DIR`;

const NETWORKS = ['generator', 'critic'] as const;

function readLayers(dir: string, name: string): LayersModelFiles {
  const modelJson = readFileSync(join(dir, name, 'model.json'), 'utf8');
  const manifest = JSON.parse(modelJson) as { weightsManifest?: { paths: string[] }[] };
  const paths = manifest.weightsManifest?.flatMap((group) => group.paths) ?? [];
  const parts = paths.map((path) => readFileSync(join(dir, name, path)));
  const joined = Buffer.concat(parts);
  const weights = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
  return { modelJson, weights, weightsFileName: paths[0] ?? `${name}.weights.bin` };
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { model: { type: 'string' }, out: { type: 'string' }, layers: { type: 'string' } },
  });
  const [command] = positionals;
  if ((command !== 'export' && command !== 'import') || !values.model || !values.out || (command === 'import' && !values.layers)) {
    console.error(USAGE);
    process.exit(2);
  }
  const out = resolve(values.out);
  await startNodeBackend('wasm');
  const engine = await importModel(readModelDir(resolve(values.model)));
  if (command === 'export') {
    const layers = await exportLayersModels(engine);
    for (const name of NETWORKS) {
      const dir = join(out, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'model.json'), layers[name].modelJson);
      writeFileSync(join(dir, layers[name].weightsFileName), new Uint8Array(layers[name].weights));
    }
    console.log(`wrote ${NETWORKS.map((n) => join(out, n, 'model.json')).join(' and ')}`);
  } else {
    const layersDir = resolve(values.layers ?? '');
    const imported = await importLayersModels(
      { generator: readLayers(layersDir, 'generator'), critic: readLayers(layersDir, 'critic') },
      engine.config,
    );
    imported.epoch = engine.epoch;
    imported.iteration = engine.iteration;
    writeModelDir(out, await exportModel(imported));
    console.log(`wrote a Cantus model to ${out}`);
    imported.dispose();
  }
  engine.dispose();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exitCode = 1;
});

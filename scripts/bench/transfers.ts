/**
 * What a visit to the built app transfers: every response the preview server sends (the page's, its workers' and
 * the service worker's), each counted as the file a static host would serve compressed (brotli and gzip of its
 * body, computed from the built file) and as it went over the wire from `vite preview`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** One response the server sent. */
export interface Transfer {
  path: string;
  status: number;
  /** Bytes of the body as sent (vite preview sends files uncompressed). */
  sentBytes: number;
  /** The body compressed as a static host serves it: brotli (quality 11) for text and binaries, as is for media. */
  brotliBytes: number;
  /** The same with gzip (level 9). */
  gzipBytes: number;
}

/** Kinds of file the report adds up separately. */
export type TransferKind = 'script' | 'wasm' | 'model' | 'piano-samples' | 'other';

/** Audio is already compressed: hosts send it as it is. */
const UNCOMPRESSED = new Set(['.mp3', '.png', '.ico']);

/** What kind of file `path` is. */
export function transferKind(path: string): TransferKind {
  if (path.startsWith('/piano-samples/')) return 'piano-samples';
  if (path.startsWith('/models/')) return 'model';
  if (path.endsWith('.wasm')) return 'wasm';
  if (path.endsWith('.js') || path.endsWith('.mjs')) return 'script';
  return 'other';
}

/** Records every response the preview server sends, with the compressed size of its file. */
export class TransferLog {
  private readonly entries: Transfer[] = [];
  private readonly sizes = new Map<string, { brotli: number; gzip: number }>();

  constructor(private readonly outDir: string) {}

  /**
   * Compresses every file of the build now, before any visit: done while a response is being sent, brotli at
   * quality 11 held up the server (and the bench's own process, which shares the cores with the browser) for
   * seconds on the larger bundles, so a visit was timed against a server slower than any static host.
   */
  measureAll(dir: string = this.outDir): void {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) this.measureAll(file);
      else if (entry.isFile())
        this.compressedSize(
          `/${file
            .slice(this.outDir.length + 1)
            .split('\\')
            .join('/')}`,
          statSync(file).size,
        );
    }
  }

  /** A Vite plugin that counts the preview server's responses into this log. */
  plugin(): Plugin {
    return {
      name: 'cantus-bench-transfers',
      configurePreviewServer: (server) => {
        server.middlewares.use((request, response, next) => {
          const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
          let sent = 0;
          const write = response.write.bind(response) as (chunk: unknown, ...rest: unknown[]) => boolean;
          const end = response.end.bind(response) as (chunk?: unknown, ...rest: unknown[]) => typeof response;
          const count = (chunk: unknown): void => {
            if (typeof chunk === 'string') sent += Buffer.byteLength(chunk);
            else if (chunk instanceof Uint8Array) sent += chunk.byteLength;
          };
          response.write = ((chunk: unknown, ...rest: unknown[]) => {
            count(chunk);
            return write(chunk, ...rest);
          }) as typeof response.write;
          response.end = ((chunk?: unknown, ...rest: unknown[]) => {
            if (typeof chunk !== 'function') count(chunk);
            this.record(path === '/' ? '/index.html' : path, response.statusCode, sent);
            return end(chunk, ...rest);
          }) as typeof response.end;
          next();
        });
      },
    };
  }

  /** Entries recorded so far. */
  get count(): number {
    return this.entries.length;
  }

  /** The entries recorded since `start` (an earlier `count`). */
  since(start: number): Transfer[] {
    return this.entries.slice(start);
  }

  private record(path: string, status: number, sentBytes: number): void {
    const compressed = status === 200 ? this.compressedSize(path, sentBytes) : { brotli: sentBytes, gzip: sentBytes };
    this.entries.push({ path, status, sentBytes, brotliBytes: compressed.brotli, gzipBytes: compressed.gzip });
  }

  private compressedSize(path: string, sentBytes: number): { brotli: number; gzip: number } {
    const known = this.sizes.get(path);
    if (known) return known;
    const file = join(this.outDir, path);
    let size = { brotli: sentBytes, gzip: sentBytes };
    if (existsSync(file) && statSync(file).isFile() && !UNCOMPRESSED.has(extname(file))) {
      const body = readFileSync(file);
      size = {
        brotli: Math.min(body.length, brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length),
        gzip: Math.min(body.length, gzipSync(body, { level: 9 }).length),
      };
    }
    this.sizes.set(path, size);
    return size;
  }
}

/** Byte totals of a list of transfers, by kind and in all, with how often each script was fetched. */
export interface TransferSummary {
  responses: number;
  sentBytes: number;
  brotliBytes: number;
  gzipBytes: number;
  /** Brotli bytes of everything but the piano samples. */
  brotliBytesBeforeSamples: number;
  byKind: Record<TransferKind, { responses: number; sentBytes: number; brotliBytes: number }>;
  /** Each script file with a body sent, and how many times it was sent. */
  scripts: { path: string; times: number; sentBytes: number; brotliBytes: number }[];
}

export function summarise(transfers: readonly Transfer[]): TransferSummary {
  const kinds: TransferKind[] = ['script', 'wasm', 'model', 'piano-samples', 'other'];
  const byKind = Object.fromEntries(kinds.map((k) => [k, { responses: 0, sentBytes: 0, brotliBytes: 0 }])) as TransferSummary['byKind'];
  const scripts = new Map<string, TransferSummary['scripts'][number]>();
  let sentBytes = 0;
  let brotliBytes = 0;
  let gzipBytes = 0;
  for (const t of transfers) {
    const kind = transferKind(t.path);
    byKind[kind].responses++;
    byKind[kind].sentBytes += t.sentBytes;
    byKind[kind].brotliBytes += t.brotliBytes;
    sentBytes += t.sentBytes;
    brotliBytes += t.brotliBytes;
    gzipBytes += t.gzipBytes;
    if (kind === 'script' && t.status === 200) {
      const s = scripts.get(t.path) ?? { path: t.path, times: 0, sentBytes: 0, brotliBytes: 0 };
      s.times++;
      s.sentBytes += t.sentBytes;
      s.brotliBytes += t.brotliBytes;
      scripts.set(t.path, s);
    }
  }
  return {
    responses: transfers.length,
    sentBytes,
    brotliBytes,
    gzipBytes,
    brotliBytesBeforeSamples: brotliBytes - byKind['piano-samples'].brotliBytes,
    byKind,
    scripts: [...scripts.values()].sort((a, b) => b.sentBytes - a.sentBytes),
  };
}

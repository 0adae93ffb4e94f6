/**
 * The built app as users get it: `vite build` into a folder, served by `vite preview` under the app's strict
 * Content-Security-Policy. The preview server's logger appends each violation report it receives (from pages and
 * their workers) to a file, so that a test file in another process can read the reports its own pages caused. Vite
 * is loaded only by the set-up that builds and serves: a test file that reads the reports does not load it.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { CSP_VIOLATION_WARNING } from '../../src/app/viteOffline';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Builds the app into `outDir`, as `npm run build` does, in a process of its own: under vitest NODE_ENV is 'test',
 * and a build made in that process would be a development build (React's development code, no service worker).
 */
export async function buildApp(outDir: string): Promise<void> {
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  const args = [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'];
  await promisify(execFile)(process.execPath, args, { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' } });
}

/** A running `vite preview` of a build: its address and how to stop it. */
export interface BuiltApp {
  url: string;
  close(): Promise<void>;
}

/** Vite's logger, appending the preview server's violation reports to `reportsFile` (one JSON string a line). */
async function reportWritingLogger(reportsFile: string) {
  const { createLogger } = await import('vite');
  const logger = createLogger('error');
  const warn = logger.warn.bind(logger);
  logger.warn = (message, options) => {
    if (message.startsWith(CSP_VIOLATION_WARNING)) appendFileSync(reportsFile, `${JSON.stringify(message)}\n`);
    else warn(message, options);
  };
  return logger;
}

/** Serves the build in `outDir` with `vite preview` on a free loopback port; violation reports go to `reportsFile`. */
export async function previewApp(outDir: string, reportsFile: string): Promise<BuiltApp> {
  writeFileSync(reportsFile, '');
  const { preview } = await import('vite');
  const server: PreviewServer = await preview({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    customLogger: await reportWritingLogger(reportsFile),
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('vite preview did not report a port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((done) => server.httpServer.close(() => done())),
  };
}

/** The violation reports in `reportsFile`, from the `from`-th on (a count read earlier marks where a test began). */
export function violationReports(reportsFile: string, from = 0): string[] {
  if (!existsSync(reportsFile)) return [];
  const lines = readFileSync(reportsFile, 'utf8').split('\n').filter(Boolean);
  return lines.slice(from).map((line) => JSON.parse(line) as string);
}

/**
 * True for the report of page-built.test.ts's probe of the policy: an inline script, added to the page on purpose to
 * see it refused and reported. The app itself has no inline script (page-built checks its own page for any).
 */
export function isInlineScriptProbe(report: string): boolean {
  try {
    const body = JSON.parse(report.slice(report.indexOf('{'))) as { 'csp-report'?: Record<string, string> };
    const csp = body['csp-report'] ?? {};
    return csp['blocked-uri'] === 'inline' && /^script-src/.test(csp['effective-directive'] ?? csp['violated-directive'] ?? '');
  } catch {
    return false;
  }
}

/** Keeps every CSP violation a page of `context` sees in the page's own list (cspViolations reads it), across reloads. */
export async function recordCspViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const list: string[] = [];
    (window as unknown as { cantusCspViolations: string[] }).cantusCspViolations = list;
    document.addEventListener('securitypolicyviolation', (e) =>
      list.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`),
    );
  });
}

/** Violations of the CSP so far: seen in `page` (recordCspViolations), reported to the server (`reports`), or logged in `errors`. */
export async function cspViolations(page: Page, errors: string[], reports: string[]): Promise<string[]> {
  const seen = await page.evaluate(() => (window as unknown as { cantusCspViolations?: string[] }).cantusCspViolations ?? []);
  return [...seen, ...reports, ...errors.filter((e) => /Content Security Policy|Refused to/i.test(e))];
}

/**
 * The browser the end-to-end tests drive: Debian's Chromium at /usr/bin/chromium (or CHROMIUM_PATH). Run as a
 * script (`npm test` runs it first, as its `pretest` step) it makes sure the browser is there: as root it
 * installs Debian's package, otherwise it stops at once with one line naming the command to run.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The command that installs the browser, as the README gives it. */
export const INSTALL_COMMAND = 'apt-get update -qq && apt-get install -y -qq chromium';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns when Chromium is there; installs it when it is missing and this process runs as root; otherwise
 * throws an Error whose message is the one line to show.
 */
export function ensureChromium(log: (line: string) => void = console.log): void {
  if (isExecutable(CHROMIUM_PATH)) return;
  const missing = `Chromium is missing at ${CHROMIUM_PATH} (the browser tests drive it)`;
  if (process.env.CHROMIUM_PATH || process.getuid?.() !== 0) {
    throw new Error(`${missing}: install it with \`sudo sh -c '${INSTALL_COMMAND}'\` (or set CHROMIUM_PATH), then run the tests again.`);
  }
  log(`${missing}; installing Debian's package: ${INSTALL_COMMAND}`);
  const run = spawnSync('sh', ['-c', INSTALL_COMMAND], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (run.status !== 0 || !isExecutable(CHROMIUM_PATH)) {
    throw new Error(`${missing}, and \`${INSTALL_COMMAND}\` did not install it (exit ${run.status}).`);
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  try {
    ensureChromium();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

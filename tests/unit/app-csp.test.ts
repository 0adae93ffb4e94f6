/** The built app's Content-Security-Policy: strict, and in step with what the app loads. */
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, contentSecurityPolicy, DATA_DOWNLOAD_ORIGIN } from '../../src/app/viteOffline';
import { JSB_DATASET_URL } from '../../src/data/jsbDownload';

describe('the Content-Security-Policy', () => {
  it('lets the page download the data set from its one host, and nothing else from elsewhere', () => {
    expect(new URL(JSB_DATASET_URL).origin).toBe(DATA_DOWNLOAD_ORIGIN);
    expect(CONTENT_SECURITY_POLICY['connect-src'].split(' ')).toEqual(["'self'", DATA_DOWNLOAD_ORIGIN]);
    for (const [directive, sources] of Object.entries(CONTENT_SECURITY_POLICY)) {
      if (directive !== 'connect-src') expect(sources, directive).not.toMatch(/https?:|\*/);
    }
  });

  it('allows no JavaScript eval and no inline script, only WebAssembly compilation and blob loaders made by the app', () => {
    const script = CONTENT_SECURITY_POLICY['script-src'];
    expect(script).toBe("'self' 'wasm-unsafe-eval' blob:");
    expect(contentSecurityPolicy()).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
    expect(CONTENT_SECURITY_POLICY['object-src']).toBe("'none'");
  });
});

/** The built app's Content-Security-Policy: strict, and in step with what the app loads. */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ABCJS_STYLE_HASH, CONTENT_SECURITY_POLICY, contentSecurityPolicy, DATA_DOWNLOAD_ORIGIN } from '../../src/app/viteOffline';
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

  it("admits no inline style but the score engraver's one fixed rule, by its hash", () => {
    const selectors = '.abcjs-dragging-in-progress text, .abcjs-dragging-in-progress tspan {';
    const rules = [
      '-webkit-touch-callout: none;',
      '-webkit-user-select: none;',
      '-khtml-user-select: none;',
      '-moz-user-select: none;',
      '-ms-user-select: none;',
      'user-select: none;',
    ];
    // The rule as the installed abcjs writes it: if an update changes it, this fails and the hash must follow.
    const source = readFileSync(createRequire(import.meta.url).resolve('abcjs/dist/abcjs-basic.js'), 'utf8');
    expect(source).toContain(`var styles = [${rules.map((r) => `"${r}"`).join(', ')}];`);
    expect(source).toContain(`renderer.paper.insertStyles("${selectors}" + styles.join(" ") + "}")`);
    const hash = createHash('sha256')
      .update(`${selectors}${rules.join(' ')}}`)
      .digest('base64');
    expect(ABCJS_STYLE_HASH).toBe(`'sha256-${hash}'`);
    expect(CONTENT_SECURITY_POLICY['style-src']).toBe(`'self' ${ABCJS_STYLE_HASH}`);
  });
});

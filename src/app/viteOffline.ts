/**
 * Build-time pieces for a safe, installable, offline app: the Content-Security-Policy of the built page
 * and the service worker (Workbox, through vite-plugin-pwa) that caches everything the app needs.
 * vite.config.ts adds both; they apply to `vite build` and `vite preview` only (the dev server keeps its
 * inline scripts and hot reload).
 */
import type { Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { instrumentForProgram } from '../audio/instruments';
import { ACCOMPANIMENT_PROGRAMS } from '../music/voices';

/** The one host the page downloads from: the JSB chorales data set (src/data/jsbDownload.ts). */
export const DATA_DOWNLOAD_ORIGIN = 'https://raw.githubusercontent.com';

/**
 * The built app's Content-Security-Policy, directive by directive. Scripts and workers come only from
 * the app itself; 'wasm-unsafe-eval' lets the WebAssembly backends compile their binaries (it allows
 * no JavaScript eval); blob: covers tfjs's worker and audio buffers; data: images are the favicon's
 * and the charts'. Scripts also allow blob: because the threaded WebAssembly backend (used when the page is
 * cross-origin isolated) starts its thread workers from a blob of its own loader script, which each worker
 * then imports; a blob URL can only be made by a script the page already runs, so this admits no script
 * from elsewhere. Styles come from the app's stylesheet, plus the one fixed rule that the score's engraver
 * (abcjs) writes into each score it draws, admitted by its hash (ABCJS_STYLE_HASH) and nothing else inline.
 */
/**
 * The one style element abcjs puts in every score it draws (it keeps text from being selected while a note is
 * dragged): its SHA-256, so the policy admits exactly this rule (tests/unit/app-csp.test.ts recomputes it).
 */
export const ABCJS_STYLE_HASH = "'sha256-BCpnf71gZdCsSCHDzyB1RsBbZ0qQdqseK6v+yJsgg30='";

export const CONTENT_SECURITY_POLICY: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'script-src': "'self' 'wasm-unsafe-eval' blob:",
  'worker-src': "'self' blob:",
  'connect-src': `'self' ${DATA_DOWNLOAD_ORIGIN}`,
  'img-src': "'self' data: blob:",
  'media-src': "'self' blob:",
  'style-src': `'self' ${ABCJS_STYLE_HASH}`,
  'font-src': "'self'",
  'manifest-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'self'",
  'form-action': "'none'",
};

/** The policy as one header value. */
export function contentSecurityPolicy(): string {
  return Object.entries(CONTENT_SECURITY_POLICY)
    .map(([directive, sources]) => `${directive} ${sources}`)
    .join('; ');
}

/** Where `vite preview` takes violation reports (logged as warnings, so tests and developers see them). */
export const CSP_REPORT_PATH = '/__csp-report';

/** The policy `vite preview` sends as a header: the same, with violations reported to CSP_REPORT_PATH. */
export function previewContentSecurityPolicy(): string {
  return `${contentSecurityPolicy()}; report-uri ${CSP_REPORT_PATH}`;
}

/** Start of the warning `vite preview` logs for each violation report. */
export const CSP_VIOLATION_WARNING = 'Content-Security-Policy violation:';

/**
 * Puts the policy in the built index.html (a <meta> element, so it holds on any static host) and sends
 * it as a header from `vite preview`, so workers, which a page's <meta> does not cover, get it too;
 * there the browser reports every violation, of the page or of a worker, and preview logs it.
 */
export function contentSecurityPolicyPlugin(): Plugin {
  return {
    name: 'cantus-content-security-policy',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        if (context.server) return undefined;
        return [
          { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy() }, injectTo: 'head-prepend' },
        ];
      },
    },
    configurePreviewServer(server) {
      server.middlewares.use((request, response, next) => {
        if (request.method === 'POST' && request.url === CSP_REPORT_PATH) {
          let body = '';
          request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          request.on('end', () => {
            server.config.logger.warn(`${CSP_VIOLATION_WARNING} ${body}`);
            response.statusCode = 204;
            response.end();
          });
          return;
        }
        response.setHeader('Content-Security-Policy', previewContentSecurityPolicy());
        next();
      });
    },
  };
}

/**
 * The service worker: precaches the app shell and scripts, the wasm binaries, the pretrained models under models/,
 * the piano samples and, of the General MIDI sound bank under soundfont/, the instruments the chorale accompaniment
 * plays by default (choir and strings), so a second visit accompanies and plays without a connection. The bank's other
 * instruments (1.4 MB of MP3s) are kept the first time they play (cache first), not fetched by every first visit: an instrument that never
 * played online says so when it cannot be fetched offline (src/audio/voices.ts). The JSB data set stays out of it:
 * the page downloads it on first use and keeps it itself (src/data/datasetStore.ts).
 */
/** The sound bank's voices every first visit keeps: those the chorale accompaniment plays by default (choir, strings). */
const PRECACHED_BANK_VOICES = [...new Set(Object.values(ACCOMPANIMENT_PROGRAMS).map(instrumentForProgram))];
/** Where the service worker keeps the sound bank's other voices once they have played. */
const SOUND_BANK_CACHE = 'cantus-sound-bank';

export function offlineAppPlugin(): Plugin[] {
  return VitePWA({
    registerType: 'autoUpdate',
    // Registered by the page itself (src/app/serviceWorker.ts), which answers a refusal instead of throwing.
    injectRegister: false,
    manifest: {
      name: 'Cantus: accompaniment GAN in your browser',
      short_name: 'Cantus',
      description: 'Give it a melody; a GAN trained in your browser writes the other voices.',
      start_url: '.',
      scope: '.',
      display: 'standalone',
      background_color: '#ffffff',
      theme_color: '#1d3557',
      // PNGs rendered from favicon.svg: browsers ask for 192 and 512 pixel icons to offer installing.
      icons: [
        { src: 'icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
        { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
        { src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      ],
    },
    workbox: {
      // The web manifest is added by the plugin itself.
      globPatterns: [
        '**/*.{html,js,css,svg,png,ico,wasm,json,bin}',
        'piano-samples/*.mp3',
        ...PRECACHED_BANK_VOICES.map((voice) => `soundfont/${voice}-*.mp3`),
      ],
      runtimeCaching: [
        {
          urlPattern: ({ url }) => url.pathname.includes('/soundfont/') && url.pathname.endsWith('.mp3'),
          handler: 'CacheFirst',
          options: { cacheName: SOUND_BANK_CACHE },
        },
      ],
      // The TensorFlow.js bundle and the wasm binaries are several megabytes each.
      maximumFileSizeToCacheInBytes: 48 * 1024 * 1024,
      navigateFallback: 'index.html',
      cleanupOutdatedCaches: true,
      clientsClaim: true,
      skipWaiting: true,
    },
  });
}

/**
 * Build-time pieces for a safe, installable, offline app: the Content-Security-Policy of the built page
 * and the service worker (Workbox, through vite-plugin-pwa) that caches everything the app needs.
 * vite.config.ts adds both; they apply to `vite build` and `vite preview` only (the dev server keeps its
 * inline scripts and hot reload).
 */
import type { Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** The one host the page downloads from: the JSB chorales data set (src/data/jsbDownload.ts). */
export const DATA_DOWNLOAD_ORIGIN = 'https://raw.githubusercontent.com';

/**
 * The built app's Content-Security-Policy, directive by directive. Scripts and workers come only from
 * the app itself; 'wasm-unsafe-eval' lets the WebAssembly backends compile their binaries (it allows
 * no JavaScript eval); blob: covers tfjs's worker and audio buffers; data: images are the favicon's
 * and the charts'.
 */
export const CONTENT_SECURITY_POLICY: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'script-src': "'self' 'wasm-unsafe-eval'",
  'worker-src': "'self' blob:",
  'connect-src': `'self' ${DATA_DOWNLOAD_ORIGIN}`,
  'img-src': "'self' data: blob:",
  'media-src': "'self' blob:",
  'style-src': "'self'",
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

/**
 * Puts the policy in the built index.html (a <meta> element, so it holds on any static host) and sends
 * it as a header from `vite preview` (so workers, which a page's <meta> does not cover, get it too).
 */
export function contentSecurityPolicyPlugin(): Plugin {
  const policy = contentSecurityPolicy();
  return {
    name: 'cantus-content-security-policy',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        if (context.server) return undefined;
        return [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: policy }, injectTo: 'head-prepend' }];
      },
    },
    configurePreviewServer(server) {
      server.middlewares.use((_request, response, next) => {
        response.setHeader('Content-Security-Policy', policy);
        next();
      });
    },
  };
}

/**
 * The service worker: precaches the app shell and scripts, the wasm binaries, the pretrained models
 * under models/ and the piano samples, so a second visit works without a connection. The JSB data set
 * stays out of it: the page downloads it on first use and keeps it itself (src/data/datasetStore.ts).
 */
export function offlineAppPlugin(): Plugin[] {
  return VitePWA({
    registerType: 'autoUpdate',
    injectRegister: 'script',
    manifest: {
      name: 'Cantus: accompaniment GAN in your browser',
      short_name: 'Cantus',
      description: 'Give it a melody; a GAN trained in your browser writes the other voices.',
      start_url: '.',
      scope: '.',
      display: 'standalone',
      background_color: '#ffffff',
      theme_color: '#1d3557',
      icons: [{ src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
    },
    workbox: {
      // The web manifest is added by the plugin itself.
      globPatterns: ['**/*.{html,js,css,svg,png,ico,wasm,mp3,json,bin}'],
      // The TensorFlow.js bundle and the wasm binaries are several megabytes each.
      maximumFileSizeToCacheInBytes: 48 * 1024 * 1024,
      navigateFallback: 'index.html',
      cleanupOutdatedCaches: true,
      clientsClaim: true,
      skipWaiting: true,
    },
  });
}

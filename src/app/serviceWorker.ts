/**
 * Registers the built app's service worker (made by vite-plugin-pwa, src/app/viteOffline.ts), which keeps the app
 * usable offline after one visit. A browser that refuses it (site data blocked, a private window) keeps the page
 * working online: the refusal is noted in the console, not thrown, and the page says elsewhere what it cannot keep.
 * The dev server has no service worker, so nothing is registered there.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const base = import.meta.env.BASE_URL;
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register(`${base}sw.js`, { scope: base })
      .catch((error: Error) => console.warn(`Cantus will not work offline in this browser: ${error.message}`));
  });
}

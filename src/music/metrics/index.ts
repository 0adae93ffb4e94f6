/**
 * The metrics family of Cantus, one definition per measure, grouped by what they measure: analysis.ts (the roll
 * reading and tallies they share), voices.ts (the voices as lines), harmony.ts (chords, consonance, key,
 * tonal distance, harmony agreement), rhythm.ts (bars and note lengths). Two sets are built from them: the
 * pooled MuseGAN-style metrics (musegan.ts) of the training dashboard and of the evaluation's MuseGAN columns, and
 * the per-roll listener metrics of the evaluation (listener.ts).
 */
export { analyzeRoll, barCount, finiteMean, meanOf, meanOverRolls, tally, type Tally, type TrackAnalysis } from './analysis';
export {
  beatChroma,
  beatConsonance,
  cellConsonance,
  cellConsonanceRate,
  chordBeats,
  harmonyAgreement,
  notesInKey,
  pitchClassesPerBar,
  tonalCentroid,
  tonalDistances,
} from './harmony';
export { voiceMetrics, type VoiceMetricOptions, type VoiceMetrics } from './listener';
export { computeMetrics, type MetricOptions, type MetricSet } from './musegan';
export { emptyBars, noteLengths, qualifiedNotes } from './rhythm';
export { crossings, meanLeap, notesInRange, parallelCount, polyphonicSteps, voiceRests, wideSpacing } from './voices';

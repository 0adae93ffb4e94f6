/**
 * The four voices of a chorale and their ranges, named once: the data set, the model, the chorale decoding, the
 * baselines and the metrics all read them from here. A four-voice roll holds them as tracks 0..3, soprano (the
 * melody) first.
 */

/** The voices, top down; a four-voice roll's track i is voice i. */
export const VOICES = ['soprano', 'alto', 'tenor', 'bass'] as const;
export type Voice = (typeof VOICES)[number];

/** The voices under the melody, top down: what an accompaniment sings (tracks 1..3). */
export const ACCOMPANIMENT_VOICES = ['alto', 'tenor', 'bass'] as const satisfies readonly Voice[];

/**
 * The General MIDI program each accompaniment voice is written for: choir for the alto, strings for the tenor, cello
 * for the bass, a chorale-like blend that plays well in GM (the melody keeps its own program).
 */
export const ACCOMPANIMENT_PROGRAMS: Record<(typeof ACCOMPANIMENT_VOICES)[number], number> = { alto: 52, tenor: 48, bass: 42 };

/** A pitch range, MIDI, inclusive. */
export interface PitchRange {
  low: number;
  high: number;
}

/** Each voice's range over the JSB chorales: the register the model learns and the decoding keeps its voices in. */
export const VOICE_RANGES: Readonly<Record<Voice, PitchRange>> = {
  soprano: { low: 60, high: 81 },
  alto: { low: 52, high: 74 },
  tenor: { low: 46, high: 69 },
  bass: { low: 36, high: 66 },
};

/** A voice's name as a track is labelled ("Alto"). */
export function voiceLabel(voice: Voice): string {
  return voice.charAt(0).toUpperCase() + voice.slice(1);
}

/** The four voices' track labels, soprano first. */
export const VOICE_LABELS: readonly string[] = VOICES.map(voiceLabel);

/** The ranges of `voices` as [low, high] pairs, in their order (the shape the decoding and the windows take). */
export function rangePairs(voices: readonly Voice[]): [number, number][] {
  return voices.map((voice) => [VOICE_RANGES[voice].low, VOICE_RANGES[voice].high]);
}

/** Whether a pitch lies in a voice's range. */
export function inVoiceRange(voice: Voice, pitch: number): boolean {
  return pitch >= VOICE_RANGES[voice].low && pitch <= VOICE_RANGES[voice].high;
}

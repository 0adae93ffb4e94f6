/** The critic test's data side (src/music/criticWindows.ts): voice lines, windows, feature planes, harmony agreement. */
import { describe, expect, it } from 'vitest';

import {
  CRITIC_LOWEST_PITCH,
  CRITIC_PITCH_SPAN,
  type CriticView,
  CRITIC_WINDOW_STEPS,
  criticWindowStarts,
  harmonyAgreement,
  viewChannels,
  voiceLines,
  writeWindowFeatures,
} from '../../src/music/criticWindows';
import { cellIndex } from '../../src/music/pianoRoll';
import { rollFromVoices } from './music-fixtures';

/** Four voices of `steps` steps: soprano 72, alto 67, tenor 64, bass 48, each held; `edit` changes them. */
function chorale(steps: number, edit: (voices: number[][]) => void = () => {}): number[][] {
  const voices = [72, 67, 64, 48].map((p) => new Array<number>(steps).fill(p));
  edit(voices);
  return voices;
}

describe('voiceLines', () => {
  it('reads each track as one line, its highest pitch or a rest per step, and needs four tracks', () => {
    const roll = rollFromVoices(chorale(8, (v) => v[2].fill(-1, 4)));
    // A second pitch in the alto: the line keeps the higher one.
    roll.active[cellIndex(roll, 1, 70, 1)] = 1;
    const lines = voiceLines(roll);
    expect(lines.steps).toBe(8);
    expect(Array.from(lines.pitch.slice(0, 8))).toEqual([72, 67, 64, 48, 72, 70, 64, 48]);
    expect(lines.pitch[5 * 4 + 2]).toBe(-1);
    expect(() => voiceLines(rollFromVoices([[60], [55], [52]]))).toThrow(/four voices/);
  });
});

describe('criticWindowStarts', () => {
  it('starts a whole two-bar window every bar, leaving out windows where the soprano is silent', () => {
    expect(criticWindowStarts(voiceLines(rollFromVoices(chorale(80))))).toEqual([0, 16, 32, 48]);
    expect(criticWindowStarts(voiceLines(rollFromVoices(chorale(31))))).toEqual([]);
    // Soprano silent over steps 32..79: the windows from 32 on hear no melody.
    const silent = rollFromVoices(chorale(80, (v) => v[0].fill(-1, 32)));
    expect(criticWindowStarts(voiceLines(silent))).toEqual([0, 16]);
  });
});

describe('writeWindowFeatures', () => {
  const roll = rollFromVoices(
    chorale(CRITIC_WINDOW_STEPS, (v) => {
      v[3].fill(50, 8); // the bass moves to 50 at step 8
      v[1].fill(-1, 16, 20); // the alto rests over steps 16..19
    }),
  );
  const lines = voiceLines(roll);
  function planes(view: CriticView, shift = 0): Float32Array {
    const out = new Float32Array(CRITIC_WINDOW_STEPS * viewChannels(view));
    writeWindowFeatures(lines, 0, view, shift, out, 0);
    return out;
  }
  const span = CRITIC_PITCH_SPAN + 1;

  it('full: one pitch plane or the rest plane per voice and step, transposed by the shift', () => {
    const out = planes('full');
    const channels = viewChannels('full');
    expect(channels).toBe(4 * span);
    for (let t = 0; t < CRITIC_WINDOW_STEPS; t++) expect(out.slice(t * channels, (t + 1) * channels).reduce((a, b) => a + b)).toBe(4);
    expect(out[0 * channels + 3 * span + (48 - CRITIC_LOWEST_PITCH)]).toBe(1);
    expect(out[8 * channels + 3 * span + (50 - CRITIC_LOWEST_PITCH)]).toBe(1);
    expect(out[16 * channels + 1 * span + CRITIC_PITCH_SPAN]).toBe(1);
    const up = planes('full', 2);
    expect(up[0 * channels + 0 * span + (74 - CRITIC_LOWEST_PITCH)]).toBe(1);
  });

  it('rhythm: onsets where a pitch changes or follows a rest, and rests; no pitch', () => {
    const out = planes('rhythm');
    const onsets = (voice: number) => Array.from({ length: CRITIC_WINDOW_STEPS }, (_, t) => out[t * 8 + voice * 2]);
    const rests = (voice: number) => Array.from({ length: CRITIC_WINDOW_STEPS }, (_, t) => out[t * 8 + voice * 2 + 1]);
    expect(onsets(3).flatMap((v, t) => (v ? [t] : []))).toEqual([0, 8]);
    expect(onsets(1).flatMap((v, t) => (v ? [t] : []))).toEqual([0, 20]);
    expect(rests(1).flatMap((v, t) => (v ? [t] : []))).toEqual([16, 17, 18, 19]);
    expect(planes('rhythm', 5)).toEqual(out);
  });

  it('pitch classes: the classes sounding at each step, of all voices, rotated by the shift', () => {
    const out = planes('pitch_classes');
    // Step 0: C, G, E, C; step 8 on: the bass on D.
    expect(Array.from(out.slice(0, 12))).toEqual([1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0]);
    expect(Array.from(out.slice(8 * 12, 9 * 12))).toEqual([1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0]);
    expect(Array.from(planes('pitch_classes', -1).slice(0, 12))).toEqual([0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('bass: the bass line alone', () => {
    const out = planes('bass');
    expect(viewChannels('bass')).toBe(span);
    expect(out.reduce((a, b) => a + b)).toBe(CRITIC_WINDOW_STEPS);
    expect(out[0 * span + (48 - CRITIC_LOWEST_PITCH)]).toBe(1);
    expect(out[8 * span + (50 - CRITIC_LOWEST_PITCH)]).toBe(1);
  });
});

describe('harmonyAgreement', () => {
  it("is the share of Bach's full beats whose pitch classes the system matches, voicing and octave aside", () => {
    const bach = rollFromVoices(chorale(16, (v) => v[3].fill(-1, 12))); // beat 4: the bass rests
    expect(harmonyAgreement(bach, bach)).toBe(1);
    // The same chord voiced otherwise on beat 1, another chord on beat 2, the same on beat 3.
    const system = rollFromVoices(
      chorale(16, (v) => {
        v[1].fill(64, 0, 4);
        v[2].fill(55, 0, 4);
        v[3].fill(53, 4, 8);
      }),
    );
    expect(harmonyAgreement(bach, system)).toBeCloseTo(2 / 3, 12);
    expect(harmonyAgreement(rollFromVoices(chorale(16, (v) => v[0].fill(-1))), system)).toBeNaN();
    expect(() => harmonyAgreement(bach, rollFromVoices(chorale(8)))).toThrow(/length/);
  });
});

/** The critic test's data side (src/music/criticWindows.ts): voice lines, windows, feature planes. */
import { describe, expect, it } from 'vitest';

import {
  CRITIC_LOWEST_PITCH,
  CRITIC_PITCH_SPAN,
  type CriticView,
  CRITIC_WINDOW_STEPS,
  criticWindowStarts,
  viewChannels,
  voiceLines,
  writeWindowFeatures,
} from '../../src/music/criticWindows';
import { cellIndex } from '../../src/music/pianoRoll';
import { heldVoices, rollFromVoices } from './music-fixtures';

describe('voiceLines', () => {
  it('reads each track as one line, its highest pitch or a rest per step, and needs four tracks', () => {
    const roll = rollFromVoices(heldVoices(8, (v) => v[2].fill(-1, 4)));
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
    expect(criticWindowStarts(voiceLines(rollFromVoices(heldVoices(80))))).toEqual([0, 16, 32, 48]);
    expect(criticWindowStarts(voiceLines(rollFromVoices(heldVoices(31))))).toEqual([]);
    // Soprano silent over steps 32..79: the windows from 32 on hear no melody.
    const silent = rollFromVoices(heldVoices(80, (v) => v[0].fill(-1, 32)));
    expect(criticWindowStarts(voiceLines(silent))).toEqual([0, 16]);
  });
});

describe('writeWindowFeatures', () => {
  const roll = rollFromVoices(
    heldVoices(CRITIC_WINDOW_STEPS, (v) => {
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

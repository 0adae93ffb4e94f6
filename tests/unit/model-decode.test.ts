import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_OPTIONS, decodeChorale, voiceChroma } from '../../src/model/decode';
import { ACCOMPANIMENT_VOICES, VOICE_RANGES } from '../../src/music/voices';
import { isChord } from '../../src/music/chords';
import { PITCHES } from '../../src/music/pianoRoll';
import { line, noiseScores, TRACKS } from './decode-fixtures';

const decode = (scores: Float32Array, melody: Int16Array, weights = {}) =>
  decodeChorale(scores, melody, { tracks: TRACKS, stepsPerBeat: 4, key: { tonic: 0, mode: 'major' }, logitScale: 5, weights });

describe('chorale decoding', () => {
  const melody = line([72, 71, 69, -1, -1, 67, 69, 71, 72, 74, 72, 71, 72], 4);

  it('sounds every voice wherever the melody sounds, rests only where it rests, and keeps the voices in range and in order', () => {
    for (const seed of [1, 2, 3]) {
      const voices = decode(noiseScores(melody.length, seed), melody);
      expect(voices).toHaveLength(3);
      voices.forEach((voice, v) => {
        const { low, high } = VOICE_RANGES[ACCOMPANIMENT_VOICES[v]];
        for (let step = 0; step < melody.length; step++) {
          if (melody[step] >= 0) {
            expect(voice[step], `voice ${v} at step ${step}`).toBeGreaterThanOrEqual(low);
            expect(voice[step]).toBeLessThanOrEqual(high);
          } else {
            expect(voice[step]).toBe(-1);
          }
        }
      });
      for (let step = 0; step < melody.length; step++) {
        if (melody[step] < 0) continue;
        expect(voices[0][step]).toBeLessThanOrEqual(melody[step]);
        expect(voices[1][step]).toBeLessThanOrEqual(voices[0][step]);
        expect(voices[2][step]).toBeLessThanOrEqual(voices[1][step]);
      }
    }
  });

  it('writes notes at least an 8th long without ornaments', () => {
    const voices = decode(noiseScores(melody.length, 9), melody, { changeCost: 0, leapCost: 0, bassLeapCost: 0, ornamentRate: 0 });
    for (const voice of voices) {
      let start = 0;
      for (let step = 1; step <= voice.length; step++) {
        if (step < voice.length && voice[step] === voice[step - 1]) continue;
        if (voice[start] >= 0) expect(step - start).toBeGreaterThanOrEqual(DEFAULT_DECODE_OPTIONS.slotSteps);
        start = step;
      }
    }
  });

  it('chooses chords on the beats where the network has no preference', () => {
    const flat = new Float32Array(melody.length * PITCHES * TRACKS);
    const voices = decode(flat, melody);
    for (let step = 0; step < melody.length; step += 4) {
      if (melody[step] < 0) continue;
      expect(isChord([melody[step], voices[0][step], voices[1][step], voices[2][step]]), `beat at step ${step}`).toBe(true);
    }
  });

  it('follows the network where it is sure, and avoids the parallel fifths it asks for when they cost', () => {
    // The network wants the bass a 5th under the tenor on two chords a step apart: C-G then D-A.
    const melody2 = line([76, 77], 4);
    const scores = new Float32Array(melody2.length * PITCHES * TRACKS).fill(-1);
    const want = (step: number, pitch: number, voice: number) => (scores[(step * PITCHES + pitch) * TRACKS + voice] = 1);
    for (let step = 0; step < 8; step++) {
      const [alto, tenor, bass] = step < 4 ? [67, 55, 48] : [69, 57, 50];
      want(step, alto, 1);
      want(step, tenor, 2);
      want(step, bass, 3);
    }
    const followed = decode(scores, melody2, { parallelCost: 0, chordBonus: 0, offbeatChordBonus: 0, dissonanceCost: 0 });
    expect([followed[0][0], followed[1][0], followed[2][0], followed[0][4], followed[1][4], followed[2][4]]).toEqual([
      67, 55, 48, 69, 57, 50,
    ]);
    const avoided = decode(scores, melody2, { parallelCost: 20, chordBonus: 0, offbeatChordBonus: 0, dissonanceCost: 0 });
    const fifths = (x0: number, x1: number, y0: number, y1: number) =>
      x1 !== x0 && Math.sign(x1 - x0) === Math.sign(y1 - y0) && Math.abs(x0 - y0) % 12 === 7 && Math.abs(x1 - y1) % 12 === 7;
    const voices = [line([76, 77], 4), ...avoided];
    for (let x = 0; x < 4; x++) {
      for (let y = x + 1; y < 4; y++) expect(fifths(voices[x][3], voices[x][4], voices[y][3], voices[y][4])).toBe(false);
    }
  });

  it('refuses scores of the wrong size', () => {
    expect(() => decode(new Float32Array(10), melody)).toThrow(RangeError);
  });
});

describe('the key the decoding hears', () => {
  it('sums the pitch classes the network expects of its voices where the melody sounds', () => {
    // Two steps, the second silent; each voice's log-probability is all on one pitch.
    const logp = new Float32Array(2 * 3 * PITCHES).fill(-Infinity);
    const sure = (step: number, voice: number, pitch: number) => (logp[(step * 3 + voice) * PITCHES + pitch] = 0);
    sure(0, 0, 69); // A
    sure(0, 1, 56); // G#
    sure(0, 2, 45); // A
    sure(1, 0, 60); // under a silent melody step: not counted
    const chroma = voiceChroma(logp, 2, Int16Array.from([72, -1]));
    expect(chroma[9]).toBeCloseTo(2, 6);
    expect(chroma[8]).toBeCloseTo(1, 6);
    expect(chroma[0]).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { BaselineError, chooseChord, harmonizerChords, ruleHarmonizer } from '../../src/music/baselines';
import { VOICE_RANGES } from '../../src/music/voices';
import { trackNotes } from '../../src/music/notes';
import { cellIndex, createRoll, type PianoRoll } from '../../src/music/pianoRoll';
import { voiceMetrics } from '../../src/music/metrics';

const C_MAJOR = { tonic: 0, mode: 'major' } as const;
const A_MINOR = { tonic: 9, mode: 'minor' } as const;

/** A melody of quarter notes (4 steps each, -1 a rest), one track, with onsets. */
function quarters(pitches: number[]): PianoRoll {
  const roll = createRoll(pitches.length * 4, [{ name: 'Melody', program: 0, isDrum: false }]);
  pitches.forEach((pitch, beat) => {
    if (pitch < 0) return;
    for (let step = beat * 4; step < beat * 4 + 4; step++) roll.active[cellIndex(roll, step, pitch, 0)] = 1;
    (roll.onsets as Uint8Array)[cellIndex(roll, beat * 4, pitch, 0)] = 1;
  });
  return roll;
}

/** The pitch each track sounds at `step` (its top pitch), -1 when silent. */
function voicesAt(roll: PianoRoll, step: number): number[] {
  return roll.tracks.map((_, track) => {
    for (let pitch = 127; pitch >= 0; pitch--) if (roll.active[cellIndex(roll, step, pitch, track)]) return pitch;
    return -1;
  });
}

describe('rule-based harmonizer: chord choice', () => {
  it('prefers the primary triads, then vi, ii, iii', () => {
    const numeral = (pc: number): string => chooseChord(pc, C_MAJOR, null).numeral;
    expect([0, 2, 4, 5, 7, 9, 11].map(numeral)).toEqual(['I', 'V', 'I', 'IV', 'I', 'IV', 'V']);
    expect(harmonizerChords(C_MAJOR).map((c) => c.numeral)).toEqual(['I', 'IV', 'V', 'vi', 'ii', 'iii']);
    expect(harmonizerChords({ tonic: 7, mode: 'major' })[2].pitchClasses).toEqual([2, 6, 9]); // V of G major: D F# A
  });

  it('uses a major V in a minor key, so the leading tone is harmonized', () => {
    const gSharp = chooseChord(8, A_MINOR, null);
    expect(gSharp.numeral).toBe('V');
    expect(gSharp.pitchClasses).toEqual([4, 8, 11]); // E G# B
    expect(chooseChord(0, A_MINOR, null).numeral).toBe('i');
    expect(chooseChord(7, A_MINOR, null).numeral).toBe('III'); // G natural: C E G
  });

  it('keeps the previous chord under a note that no chord of the key holds', () => {
    const iv = chooseChord(5, C_MAJOR, null);
    expect(chooseChord(6, C_MAJOR, iv)).toBe(iv); // F# after IV
    expect(chooseChord(6, C_MAJOR, null).numeral).toBe('I'); // at the start, the tonic
  });
});

describe('rule-based harmonizer: the four voices', () => {
  // C major: C5 D5 E5 F5 | G5 G5 E5 C5 (I V I IV | I I I I).
  const melody = quarters([72, 74, 76, 77, 79, 79, 76, 72]);

  it('puts the root in the bass and chord tones in the alto and tenor, in order and in range, on every beat', () => {
    const out = ruleHarmonizer(melody, { key: C_MAJOR });
    expect(out.tracks.map((t) => t.name)).toEqual(['Melody', 'Alto', 'Tenor', 'Bass']);
    expect(trackNotes(out, 0)).toEqual(trackNotes(melody, 0));
    const roots = [0, 7, 0, 5, 0, 0, 0, 0];
    for (let beat = 0; beat < 8; beat++) {
      const chord = chooseChord(voicesAt(melody, beat * 4)[0] % 12, C_MAJOR, null).pitchClasses;
      for (let step = beat * 4; step < beat * 4 + 4; step++) {
        const [s, a, t, b] = voicesAt(out, step);
        expect(b % 12, `bass at beat ${beat}`).toBe(roots[beat]);
        expect(chord).toContain(a % 12);
        expect(chord).toContain(t % 12);
        expect(s).toBeGreaterThan(a);
        expect(a).toBeGreaterThan(t);
        expect(t).toBeGreaterThanOrEqual(b);
        expect(a).toBeGreaterThanOrEqual(VOICE_RANGES.alto.low);
        expect(a).toBeLessThanOrEqual(VOICE_RANGES.alto.high);
        expect(t).toBeGreaterThanOrEqual(VOICE_RANGES.tenor.low);
        expect(t).toBeLessThanOrEqual(VOICE_RANGES.tenor.high);
        expect(b).toBeGreaterThanOrEqual(VOICE_RANGES.bass.low);
        expect(b).toBeLessThanOrEqual(VOICE_RANGES.bass.high);
        // The four voices hold the whole triad.
        expect(new Set([s, a, t, b].map((p) => p % 12))).toEqual(new Set(chord));
      }
    }
    const m = voiceMetrics(out, { key: C_MAJOR });
    expect(m).toMatchObject({
      voiceRestRate: 0,
      chordRate: 1,
      beatConsonanceRate: 1,
      parallelsPerBar: 0,
      crossingRate: 0,
      spacingRate: 0,
      inRangeRate: 1,
      inKeyRate: 1,
    });
  });

  it('takes the nearest chord tones below the melody', () => {
    // E5 over a C major chord: C5 and G4 below it (not E4 or C4 further down).
    const [s, a, t] = voicesAt(ruleHarmonizer(quarters([76]), { key: C_MAJOR }), 0);
    expect([s, a, t]).toEqual([76, 72, 67]);
  });

  it('moves the bass to the nearest root, unless that makes parallel octaves or fifths with the melody', () => {
    // E5 -> F5 (I -> IV): the bass C3 -> F3, up a fourth, nearer than F2.
    const near = ruleHarmonizer(quarters([76, 77]), { key: C_MAJOR });
    expect([voicesAt(near, 0)[3], voicesAt(near, 4)[3]]).toEqual([48, 53]);
    // C5 -> F5 (I -> IV): C3 -> F3 would be parallel octaves with the melody, so the bass goes down to F2.
    const avoid = ruleHarmonizer(quarters([72, 77]), { key: C_MAJOR });
    expect([voicesAt(avoid, 0)[3], voicesAt(avoid, 4)[3]]).toEqual([48, 41]);
    expect(voiceMetrics(avoid, { key: C_MAJOR }).parallelsPerBar).toBe(0);
  });

  it('holds each voice for the beat and ties it into the next beat when its pitch repeats', () => {
    // G5 G5 D5 (I I V): every voice holds its note of I for two beats, then moves to its note of V.
    const out = ruleHarmonizer(quarters([79, 79, 74]), { key: C_MAJOR });
    for (let voice = 1; voice <= 3; voice++) {
      const notes = trackNotes(out, voice);
      expect(notes.map((n) => [n.startStep, n.steps])).toEqual([
        [0, 8],
        [8, 4],
      ]);
    }
    // Over G5 the alto takes C5, the nearest chord tone below in its range (at most D5), and the tenor E4 completes the chord.
    expect(voicesAt(out, 0)).toEqual([79, 72, 64, 48]);
  });

  it('falls silent where the melody rests, and harmonizes a beat whose melody starts late', () => {
    const late = quarters([72, -1, 76, 72]);
    late.active[cellIndex(late, 6, 74, 0)] = 1; // a D5 on the second half of beat 2
    const out = ruleHarmonizer(late, { key: C_MAJOR });
    expect(voicesAt(out, 4).slice(1)).not.toContain(-1); // beat 2 follows its D5 (chord V)
    expect(voicesAt(out, 4)[3] % 12).toBe(7);
    const silent = ruleHarmonizer(quarters([72, -1, 72]), { key: C_MAJOR });
    expect(voicesAt(silent, 5)).toEqual([-1, -1, -1, -1]);
    expect(voiceMetrics(silent, { key: C_MAJOR }).voiceRestRate).toBe(0);
  });

  it('keeps the previous chord under a chromatic melody note', () => {
    const out = ruleHarmonizer(quarters([77, 78]), { key: C_MAJOR }); // F5 (IV), then F#5
    const [, a, t, b] = voicesAt(out, 4);
    expect([a, t, b].map((p) => p % 12).every((pc) => [5, 9, 0].includes(pc))).toBe(true);
  });

  it('harmonizes a minor-key melody with the leading tone over a major V', () => {
    // A4 G#4 A4 (i V i) in A minor.
    const out = ruleHarmonizer(quarters([69, 68, 69]), { key: A_MINOR });
    const [s, a, t, b] = voicesAt(out, 4);
    expect(new Set([s, a, t, b].map((p) => p % 12))).toEqual(new Set([4, 8, 11]));
    expect(b % 12).toBe(4);
  });

  it('estimates the key from the melody by default, and refuses an empty melody', () => {
    const out = ruleHarmonizer(melody);
    expect(voiceMetrics(out, { key: C_MAJOR }).chordRate).toBe(1);
    expect(() => ruleHarmonizer(quarters([-1, -1]))).toThrow(BaselineError);
    expect(() => ruleHarmonizer(quarters([-1, -1]))).toThrow(/melody has no notes/);
    expect(() => ruleHarmonizer(melody, { velocity: 0 })).toThrow(RangeError);
  });
});

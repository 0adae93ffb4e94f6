import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BaselineError, DOUBLING_OFFSETS, VOICE_RANGES, octaveDoubling, randomInKey } from '../../src/music/baselines';
import { estimateKey, estimateRollKey, isInScale, keyName, pitchClassHistogram, scalePitchClasses } from '../../src/music/keys';
import {
  computeMetrics,
  consonanceRate,
  emptyBarRate,
  evaluationMetrics,
  inScaleRate,
  parallelsPerBar,
  polyphonicRate,
  qualifiedNoteRate,
  tonalCentroid,
  tonalDistance,
  trackMetrics,
  usedPitchClasses,
  type MetricSet,
} from '../../src/music/metrics';
import { trackNotes } from '../../src/music/notes';
import { PITCHES, cellIndex, createRoll, type PianoRoll, type TrackInfo } from '../../src/music/pianoRoll';
import type { MetricSet as ProtocolMetricSet } from '../../src/protocol/messages';
import { createUniform } from '../../src/music/random';

const C4 = 60;

function tracks(count: number): TrackInfo[] {
  return Array.from({ length: count }, (_, i) => ({ name: `t${i}`, program: 0, isDrum: false }));
}

/** An empty roll at 4 steps per beat, 4/4 (16 steps per bar). */
function roll(steps: number, trackCount: number, withOnsets = true): PianoRoll {
  return createRoll(steps, tracks(trackCount), { withOnsets });
}

/** Writes a note (marking its onset when the roll has onsets). */
function note(r: PianoRoll, track: number, pitch: number, start: number, length: number): void {
  for (let step = start; step < start + length; step++) r.active[cellIndex(r, step, pitch, track)] = 1;
  if (r.onsets) r.onsets[cellIndex(r, start, pitch, track)] = 1;
}

/** A one-voice-per-track roll from per-step pitches (-1 = silent), with no onsets, like the JSB data. */
function rollFromVoices(voices: number[][]): PianoRoll {
  const r = roll(voices[0].length, voices.length, false);
  voices.forEach((voice, track) =>
    voice.forEach((pitch, step) => {
      if (pitch >= 0) r.active[cellIndex(r, step, pitch, track)] = 1;
    }),
  );
  return r;
}

/** A melody of quarter notes (4 steps each), one track, with onsets. */
function quarterMelody(pitches: number[]): PianoRoll {
  const r = roll(pitches.length * 4, 1);
  pitches.forEach((pitch, i) => note(r, 0, pitch, i * 4, 4));
  return r;
}

describe('empty bar rate', () => {
  it('counts EMPTY bars, not non-empty ones', () => {
    const r = roll(64, 1);
    note(r, 0, C4, 0, 4);
    note(r, 0, C4, 16, 4);
    note(r, 0, C4, 47, 1);
    expect(emptyBarRate(r, 0)).toBe(0.25);
  });

  it('is 1 for a silent track and 0 for a track with a note in every bar', () => {
    const r = roll(32, 2);
    note(r, 1, 40, 0, 32);
    expect(emptyBarRate(r, 0)).toBe(1);
    expect(emptyBarRate(r, 1)).toBe(0);
  });

  it('counts a short last bar as a bar', () => {
    const r = roll(20, 1);
    note(r, 0, C4, 0, 4);
    expect(emptyBarRate(r, 0)).toBe(0.5);
  });
});

describe('used pitch classes', () => {
  it('counts the distinct pitch classes of a C major triad as 3', () => {
    const r = roll(16, 1);
    note(r, 0, C4, 0, 4);
    note(r, 0, C4 + 4, 4, 4);
    note(r, 0, C4 + 7, 8, 8);
    expect(usedPitchClasses(r, 0)).toBe(3);
  });

  it('counts pitch classes, not active cells or octaves', () => {
    const r = roll(16, 1);
    note(r, 0, C4, 0, 16);
    note(r, 0, C4 + 12, 0, 16);
    note(r, 0, C4 - 24, 8, 8);
    expect(usedPitchClasses(r, 0)).toBe(1);
  });

  it('tells adjacent pitches apart (not grouped)', () => {
    const r = roll(16, 1);
    note(r, 0, C4, 0, 4);
    note(r, 0, C4 + 1, 4, 4);
    expect(usedPitchClasses(r, 0)).toBe(2);
  });

  it('averages over non-empty bars only', () => {
    const r = roll(48, 1);
    [0, 4, 7].forEach((interval) => note(r, 0, C4 + interval, 0, 4));
    note(r, 0, C4, 32, 4);
    expect(usedPitchClasses(r, 0)).toBe(2);
  });
});

describe('notes and qualified note rate', () => {
  it('qualifies a 2-step note but not a 1-step one', () => {
    const r = roll(16, 1);
    note(r, 0, C4, 0, 1);
    note(r, 0, C4 + 2, 4, 2);
    expect(qualifiedNoteRate(r, 0)).toBe(0.5);
    expect(qualifiedNoteRate(r, 0, 1)).toBe(1);
    expect(qualifiedNoteRate(r, 0, 3)).toBe(0);
  });

  it('splits runs at onsets when the roll has them', () => {
    const r = roll(16, 1);
    for (let step = 0; step < 4; step++) note(r, 0, C4, step, 1);
    expect(trackNotes(r, 0).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([0, 1, 2, 3].map((start) => [C4, start, 1]));
    expect(qualifiedNoteRate(r, 0)).toBe(0);
  });

  it('reads a run as one note when the roll has no onsets', () => {
    const r = rollFromVoices([[C4, C4, C4, C4, -1, 62, -1, -1]]);
    expect(trackNotes(r, 0).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([
      [C4, 0, 4],
      [62, 5, 1],
    ]);
    expect(qualifiedNoteRate(r, 0)).toBe(0.5);
  });

  it('closes notes that last to the end of the roll', () => {
    const r = roll(8, 2);
    note(r, 1, 40, 5, 3);
    expect(trackNotes(r, 1).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([[40, 5, 3]]);
    expect(trackNotes(r, 0)).toEqual([]);
    expect(qualifiedNoteRate(r, 0)).toBeNaN();
  });
});

describe('polyphonic rate', () => {
  it('is the fraction of steps with two or more pitches in the track', () => {
    const r = roll(16, 2);
    note(r, 0, C4, 0, 16);
    note(r, 0, C4 + 4, 0, 4);
    // A second pitch in ANOTHER track does not make track 0 polyphonic.
    note(r, 1, C4 + 7, 4, 12);
    expect(polyphonicRate(r, 0)).toBe(0.25);
    expect(polyphonicRate(r, 1)).toBe(0);
  });
});

describe('keys', () => {
  it('finds C major in a C major scale, and every note in scale', () => {
    const r = quarterMelody([60, 62, 64, 65, 67, 69, 71, 72]);
    expect(estimateRollKey(r)).toEqual({ tonic: 0, mode: 'major' });
    expect(inScaleRate(r, 0)).toBe(1);
  });

  it('finds A minor in an A minor tune with its leading tone', () => {
    // A B C B A G# A E | C B A E A (tonic-heavy, as a minor-key tune is).
    const r = quarterMelody([69, 71, 72, 71, 69, 68, 69, 64, 72, 71, 69, 64, 69, 69]);
    const key = estimateRollKey(r);
    expect(key && keyName(key)).toBe('A minor');
    // The leading tone G# belongs to the minor scale used for in-scale rate.
    expect(inScaleRate(r, 0)).toBe(1);
  });

  it('follows a transposition', () => {
    const r = quarterMelody([66, 68, 70, 71, 73, 75, 77, 78]);
    expect(keyName(estimateRollKey(r)!)).toBe('F# major');
    const minor = quarterMelody([69, 71, 72, 71, 69, 68, 69, 64, 72, 71, 69, 64, 69, 69].map((p) => p - 9));
    expect(keyName(estimateRollKey(minor)!)).toBe('C minor');
  });

  it('gives no key for silence or a flat chromatic histogram', () => {
    expect(estimateRollKey(roll(16, 1))).toBeNull();
    expect(estimateKey(new Array(12).fill(3))).toBeNull();
    expect(() => estimateKey([1, 2, 3])).toThrow(RangeError);
  });

  it('weights the histogram by duration and by the chosen tracks', () => {
    const r = roll(16, 2);
    note(r, 0, C4, 0, 8);
    note(r, 1, C4 + 7, 0, 3);
    expect(Array.from(pitchClassHistogram(r))).toEqual([8, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0]);
    expect(pitchClassHistogram(r, [1])[7]).toBe(3);
    expect(pitchClassHistogram(r, [1])[0]).toBe(0);
  });

  it('builds major and minor scales', () => {
    expect(scalePitchClasses({ tonic: 0, mode: 'major' })).toEqual([0, 2, 4, 5, 7, 9, 11]);
    expect(scalePitchClasses({ tonic: 9, mode: 'minor' })).toEqual([9, 11, 0, 2, 4, 5, 7, 8]);
    expect(isInScale({ tonic: 7, mode: 'major' }, 66)).toBe(true);
    expect(isInScale({ tonic: 0, mode: 'major' }, 66)).toBe(false);
    expect(keyName({ tonic: 3, mode: 'major' })).toBe('Eb major');
  });

  it('counts notes out of the key', () => {
    const r = quarterMelody([60, 62, 64, 65, 67, 69, 71, 61]);
    expect(inScaleRate(r, 0, { tonic: 0, mode: 'major' })).toBe(7 / 8);
    // Counted per note, not per step: a long out-of-key note is still one note.
    const long = roll(32, 1);
    note(long, 0, 60, 0, 2);
    note(long, 0, 61, 2, 30);
    expect(inScaleRate(long, 0, { tonic: 0, mode: 'major' })).toBe(0.5);
  });
});

describe('tonal distance', () => {
  it('is 0 for identical chroma, even in other octaves', () => {
    const r = roll(16, 2);
    [0, 4, 7].forEach((interval) => {
      note(r, 0, C4 + interval, 0, 16);
      note(r, 1, C4 - 12 + interval, 0, 16);
    });
    expect(tonalDistance(r, 0, 1)).toBeCloseTo(0, 12);
  });

  it('puts a tritone farther apart than a fifth', () => {
    const cFs = roll(4, 2);
    note(cFs, 0, C4, 0, 4);
    note(cFs, 1, C4 + 6, 0, 4);
    const cG = roll(4, 2);
    note(cG, 0, C4, 0, 4);
    note(cG, 1, C4 + 7, 0, 4);
    expect(tonalDistance(cFs, 0, 1)).toBeGreaterThan(tonalDistance(cG, 0, 1));
    // C and F# are opposite on the circles of fifths and of minor thirds and meet on the major-thirds circle.
    expect(tonalDistance(cFs, 0, 1)).toBeCloseTo(Math.sqrt(8), 12);
  });

  it('averages over the beats where both tracks sound', () => {
    const r = roll(16, 2);
    note(r, 0, C4, 0, 16);
    note(r, 1, C4, 0, 4);
    note(r, 1, C4 + 6, 8, 4);
    // Beat 0: same pitch (0); beat 1: accompaniment silent (skipped); beat 2: tritone (sqrt 8); beat 3 skipped.
    expect(tonalDistance(r, 0, 1)).toBeCloseTo(Math.sqrt(8) / 2, 12);
    const silent = roll(16, 2);
    note(silent, 0, C4, 0, 16);
    expect(tonalDistance(silent, 0, 1)).toBeNaN();
  });

  it('normalises the centroid by the chroma total', () => {
    const single = tonalCentroid([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const doubled = tonalCentroid([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(doubled)).toEqual(Array.from(single));
    expect(Array.from(single).map((x) => Math.round(x * 1e9) / 1e9)).toEqual([0, 1, 0, 1, 0, 0.5]);
    expect(Array.from(tonalCentroid(new Array(12).fill(0)))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('voice leading', () => {
  it('counts parallel fifths and octaves but not contrary, oblique or fifth-to-octave motion', () => {
    // Upper voice over lower voice, one step each (a bar of 16 steps).
    const cases: { upper: number[]; lower: number[]; parallels: number }[] = [
      { upper: [67, 69], lower: [60, 62], parallels: 1 }, // G/C -> A/D: parallel fifths
      { upper: [72, 74], lower: [60, 62], parallels: 1 }, // C/C -> D/D: parallel octaves
      { upper: [67, 72], lower: [60, 53], parallels: 0 }, // contrary motion to a 12th (5th mod 12)
      { upper: [67, 67], lower: [60, 60], parallels: 0 }, // no motion
      { upper: [67, 69], lower: [60, 60], parallels: 0 }, // oblique motion
      { upper: [67, 69], lower: [60, 57], parallels: 0 }, // fifth to octave in contrary motion
      { upper: [67, 74], lower: [60, 62], parallels: 0 }, // fifth to octave in similar motion (a direct octave)
      { upper: [67, 69], lower: [60, 61], parallels: 0 }, // similar motion, fifth to minor sixth
    ];
    for (const c of cases) {
      const pad = (v: number[]): number[] => [...v, ...new Array(14).fill(v[1])];
      const r = rollFromVoices([pad(c.upper), pad(c.lower)]);
      expect(parallelsPerBar(r), `${c.upper} over ${c.lower}`).toBe(c.parallels);
    }
  });

  it('uses the top pitch of a track as its voice and counts every pair of voices', () => {
    // Three voices moving in parallel octaves and fifths: C5/C4/F3 -> D5/D4/G3. Pairs: 8ve, 5th+8ve, 5th -> 3.
    const r = roll(16, 3);
    note(r, 0, 72, 0, 8);
    note(r, 0, 74, 8, 8);
    note(r, 1, 60, 0, 8);
    note(r, 1, 62, 8, 8);
    note(r, 1, 52, 0, 16); // a lower note in the same track does not change its voice
    note(r, 2, 53, 0, 8);
    note(r, 2, 55, 8, 8);
    expect(parallelsPerBar(r)).toBe(3);
  });

  it('scores a third as consonant and a second as dissonant', () => {
    const third = rollFromVoices([new Array(16).fill(64), new Array(16).fill(60)]);
    expect(consonanceRate(third)).toBe(1);
    const second = rollFromVoices([new Array(16).fill(62), new Array(16).fill(60)]);
    expect(consonanceRate(second)).toBe(0);
  });

  it('does not count the perfect fourth as consonant, and measures from the lower pitch', () => {
    const fourth = rollFromVoices([new Array(16).fill(72), new Array(16).fill(67)]);
    expect(consonanceRate(fourth)).toBe(0);
    // A fifth ABOVE the melody (voice crossing) is still a fifth.
    const crossed = rollFromVoices([new Array(16).fill(60), new Array(16).fill(67)]);
    expect(consonanceRate(crossed)).toBe(1);
    // Compound intervals: a tenth below is a third.
    const tenth = rollFromVoices([new Array(16).fill(76), new Array(16).fill(60)]);
    expect(consonanceRate(tenth)).toBe(1);
  });

  it('weighs consonance by sounding steps and skips steps where the melody rests', () => {
    const r = rollFromVoices([
      [64, 64, 64, 64, 62, 62, -1, -1],
      [60, 60, 60, 60, 60, 60, 61, 61],
    ]);
    expect(consonanceRate(r)).toBe(4 / 6);
  });
});

describe('aggregate metrics', () => {
  it('measures the accompaniment by default, not the melody', () => {
    const r = roll(32, 3);
    for (let step = 0; step < 16; step++) note(r, 0, 60 + (step % 2) * 12, step, 1); // melody: 1-step notes, bar 2 empty
    note(r, 1, 52, 0, 32);
    note(r, 1, 55, 0, 16);
    note(r, 2, 48, 0, 8);
    const m = computeMetrics([r]);
    expect(m.qualifiedNoteRate).toBe(1);
    expect(m.emptyBarRate).toBe(0.25); // track 2's second bar
    expect(m.usedPitchClasses).toBe((2 + 1 + 1) / 3);
    expect(m.polyphonicRate).toBe(16 / 64);
    const withMelody = computeMetrics([r], { tracks: [0, 1, 2] });
    expect(withMelody.qualifiedNoteRate).toBe(3 / 19);
  });

  it('pools counts over rolls, so two rolls give the ratio of sums', () => {
    const a = roll(16, 2);
    note(a, 0, 72, 0, 16);
    note(a, 1, 60, 0, 1);
    const b = roll(16, 2);
    note(b, 0, 72, 0, 16);
    for (let i = 0; i < 4; i++) note(b, 1, 60, i * 4, 4);
    expect(computeMetrics([a, b]).qualifiedNoteRate).toBe(4 / 5);
    expect(computeMetrics([a]).qualifiedNoteRate).toBe(0);
  });

  it('averages tonal distance over each accompaniment track against the melody', () => {
    const r = roll(4, 3);
    note(r, 0, C4, 0, 4);
    note(r, 1, C4 - 12, 0, 4);
    note(r, 2, C4 + 6, 0, 4);
    expect(computeMetrics([r]).tonalDistance).toBeCloseTo(Math.sqrt(8) / 2, 12);
    expect(trackMetrics(r, 2).tonalDistance).toBeCloseTo(Math.sqrt(8), 12);
  });

  it('returns NaN, not 0, where nothing can be measured', () => {
    const m = computeMetrics([roll(16, 2)]);
    expect(m.emptyBarRate).toBe(1);
    expect(m.usedPitchClasses).toBeNaN();
    expect(m.qualifiedNoteRate).toBeNaN();
    expect(m.inScaleRate).toBeNaN();
    expect(m.tonalDistance).toBeNaN();
    expect(computeMetrics([]).emptyBarRate).toBeNaN();
  });

  it('refuses tracks the roll does not have and malformed rolls', () => {
    const r = roll(16, 2);
    expect(() => emptyBarRate(r, 2)).toThrow(RangeError);
    expect(() => computeMetrics([r], { melodyTrack: 5 })).toThrow(/track 5/);
    expect(() => computeMetrics([{ ...r, active: new Uint8Array(10) }])).toThrow(RangeError);
    expect(() => computeMetrics([r], { minQualifiedSteps: 0 })).toThrow(RangeError);
  });

  it('has the same shape as the protocol MetricSet', () => {
    const m: ProtocolMetricSet = computeMetrics([roll(16, 2)]);
    const back: MetricSet = m;
    expect(Object.keys(back).sort()).toEqual(
      ['chordRate', 'emptyBarRate', 'inScaleRate', 'polyphonicRate', 'qualifiedNoteRate', 'tonalDistance', 'usedPitchClasses', 'voiceRestRate'].sort(),
    );
  });
});

describe('baselines', () => {
  const melody = quarterMelody([60, 62, 64, 65, 67, 65, 64, 62, 60, 64, 67, 72, 67, 64, 62, 60]);

  it('doubles the melody an octave, a twelfth and two octaves below', () => {
    const before = melody.active.slice();
    const out = octaveDoubling(melody);
    expect(out.tracks.map((t) => t.name)).toEqual(['t0', 'Alto', 'Tenor', 'Bass']);
    expect(out.steps).toBe(melody.steps);
    for (let voice = 1; voice < 4; voice++) {
      expect(trackNotes(out, voice)).toEqual(trackNotes(melody, 0).map((n) => ({ ...n, pitch: n.pitch - DOUBLING_OFFSETS[voice - 1] })));
    }
    expect(trackNotes(out, 0)).toEqual(trackNotes(melody, 0));
    expect(melody.active).toEqual(before);
    // Doublings move in parallel with the melody: 5 of the 6 voice pairs are octaves or fifths (tenor/bass is a 4th).
    const moves = trackNotes(melody, 0).length - 1;
    expect(parallelsPerBar(out)).toBe((5 * moves) / 4);
  });

  it('draws one in-key note per beat and voice, in range, the same for the same seed', () => {
    const out = randomInKey(melody, 7);
    expect(out.tracks).toHaveLength(4);
    expect(trackNotes(out, 0)).toEqual(trackNotes(melody, 0));
    const ranges = [VOICE_RANGES.alto, VOICE_RANGES.tenor, VOICE_RANGES.bass];
    for (let voice = 1; voice < 4; voice++) {
      const notes = trackNotes(out, voice);
      expect(notes.map((n) => n.startStep)).toEqual(Array.from({ length: 16 }, (_, beat) => beat * 4));
      for (const n of notes) {
        expect(n.steps).toBe(4);
        expect(n.pitch).toBeGreaterThanOrEqual(ranges[voice - 1].low);
        expect(n.pitch).toBeLessThanOrEqual(ranges[voice - 1].high);
      }
    }
    expect(computeMetrics([out], { key: { tonic: 0, mode: 'major' } }).inScaleRate).toBe(1);
    expect(randomInKey(melody, 7).active).toEqual(out.active);
    expect(randomInKey(melody, 8).active).not.toEqual(out.active);
  });

  it('refuses an empty melody with a message a musician understands', () => {
    expect(() => randomInKey(roll(16, 1), 1)).toThrow(BaselineError);
    expect(() => randomInKey(roll(16, 1), 1)).toThrow(/melody has no notes/);
  });

  it('has a seeded generator spread over [0, 1)', () => {
    const random = createUniform(123);
    const values = Array.from({ length: 10_000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(createUniform(123)()).toBe(values[0]);
  });
});

describe('Bach chorales (JSB valid split) as accompaniment of their soprano', () => {
  const file = fileURLToPath(new URL('../../../shared/data/jsb-chorales/Jsb16thSeparated.train-valid.json', import.meta.url));
  /**
   * The valid split's whole chorales and DeepComposer's samples of them (the first 2 bars from the first step
   * where all four voices sound). Read inside each test, not when the file is collected: a missing data file
   * fails these tests with its path, and the other tests of this file still run.
   */
  function validSplit(): { chorales: PianoRoll[]; windows: PianoRoll[] } {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { valid: number[][][] };
    const chorales = data.valid.map((steps) => rollFromVoices([0, 1, 2, 3].map((v) => steps.map((s) => s[v]))));
    const windows = data.valid.map((steps) => {
      const first = steps.findIndex((s) => s.every((p) => p >= 0));
      const window = steps.slice(first, first + 32);
      return rollFromVoices([0, 1, 2, 3].map((v) => window.map((s) => s[v])));
    });
    return { chorales, windows };
  }

  const format = (m: object): string =>
    Object.entries(m)
      .map(([k, v]) => `${k}=${(v as number).toFixed(3)}`)
      .join(' ');

  it('gives sensible figures for Bach', () => {
    const { chorales, windows } = validSplit();
    const started = performance.now();
    const whole = evaluationMetrics(chorales);
    const seconds = (performance.now() - started) / 1000;
    const win = evaluationMetrics(windows);
    console.log(`JSB valid, ${chorales.length} whole chorales (${seconds.toFixed(2)} s): ${format(whole)}`);
    console.log(`JSB valid, ${windows.length} 2-bar windows: ${format(win)}`);
    for (const m of [whole, win]) {
      expect(m.emptyBarRate).toBeLessThan(0.05);
      expect(m.usedPitchClasses).toBeGreaterThan(2);
      expect(m.usedPitchClasses).toBeLessThan(6);
      expect(m.qualifiedNoteRate).toBeGreaterThan(0.8);
      expect(m.polyphonicRate).toBe(0); // each JSB voice sings one note at a time
      expect(m.inScaleRate).toBeGreaterThan(0.85);
      expect(Number.isFinite(m.tonalDistance)).toBe(true);
      expect(m.tonalDistance).toBeGreaterThan(0.3);
      expect(m.tonalDistance).toBeLessThan(2);
      expect(m.consonanceRate).toBeGreaterThan(0.7);
      expect(m.parallelsPerBar).toBeLessThan(0.2);
    }
  });

  it('ranks Bach above the naive baselines', () => {
    const { windows } = validSplit();
    const sopranos = windows.map((w) => {
      const melody = createRoll(w.steps, [w.tracks[0]], { withOnsets: false });
      for (let i = 0; i < w.steps * PITCHES; i++) melody.active[i] = w.active[i * 4];
      return melody;
    });
    const bach = evaluationMetrics(windows);
    const doubled = evaluationMetrics(sopranos.map(octaveDoubling));
    const random = evaluationMetrics(sopranos.map((s, i) => randomInKey(s, i)));
    console.log(`baseline octaveDoubling: ${format(doubled)}`);
    console.log(`baseline randomInKey: ${format(random)}`);
    expect(doubled.parallelsPerBar).toBeGreaterThan(bach.parallelsPerBar + 1);
    expect(doubled.tonalDistance).toBeLessThan(bach.tonalDistance);
    expect(random.consonanceRate).toBeLessThan(bach.consonanceRate);
    expect(random.tonalDistance).toBeGreaterThan(bach.tonalDistance);
    expect(random.qualifiedNoteRate).toBe(1);
  });
});

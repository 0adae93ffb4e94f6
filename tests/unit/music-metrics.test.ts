import { describe, expect, it } from 'vitest';
import {
  analyzeRoll,
  barCount,
  cellConsonanceRate,
  computeMetrics,
  harmonyAgreement,
  parallelCount,
  tonalCentroid,
} from '../../src/music/metrics';
import { trackNotes } from '../../src/music/notes';
import type { PianoRoll } from '../../src/music/pianoRoll';
import {
  C4,
  formatMetrics,
  heldVoices,
  jsbValidSplit,
  note,
  quarterMelody,
  roll,
  rollFromVoices,
  voiceLeadingMeans,
} from './music-fixtures';

/** Parallel fifths and octaves per bar between every pair of a roll's tracks. */
const parallelsPerBar = (r: PianoRoll): number => parallelCount(analyzeRoll(r)) / barCount(r);

describe('empty bar rate', () => {
  it('counts EMPTY bars, not non-empty ones', () => {
    const r = roll(64, 1);
    note(r, 0, C4, 0, 4);
    note(r, 0, C4, 16, 4);
    note(r, 0, C4, 47, 1);
    expect(computeMetrics([r], { tracks: [0] }).emptyBarRate).toBe(0.25);
  });

  it('is 1 for a silent track and 0 for a track with a note in every bar', () => {
    const r = roll(32, 2);
    note(r, 1, 40, 0, 32);
    expect(computeMetrics([r], { tracks: [0] }).emptyBarRate).toBe(1);
    expect(computeMetrics([r], { tracks: [1] }).emptyBarRate).toBe(0);
  });

  it('counts a short last bar as a bar', () => {
    const r = roll(20, 1);
    note(r, 0, C4, 0, 4);
    expect(computeMetrics([r], { tracks: [0] }).emptyBarRate).toBe(0.5);
  });
});

describe('used pitch classes', () => {
  it('counts the distinct pitch classes of a C major triad as 3', () => {
    const r = roll(16, 1);
    note(r, 0, C4, 0, 4);
    note(r, 0, C4 + 4, 4, 4);
    note(r, 0, C4 + 7, 8, 8);
    expect(computeMetrics([r], { tracks: [0] }).usedPitchClasses).toBe(3);
  });

  it('counts pitch classes, not active cells or octaves', () => {
    const r = roll(16, 1);
    note(r, 0, C4, 0, 16);
    note(r, 0, C4 + 12, 0, 16);
    note(r, 0, C4 - 24, 8, 8);
    expect(computeMetrics([r], { tracks: [0] }).usedPitchClasses).toBe(1);
  });

  it('tells adjacent pitches apart (not grouped)', () => {
    const r = roll(16, 1);
    note(r, 0, C4, 0, 4);
    note(r, 0, C4 + 1, 4, 4);
    expect(computeMetrics([r], { tracks: [0] }).usedPitchClasses).toBe(2);
  });

  it('averages over non-empty bars only', () => {
    const r = roll(48, 1);
    [0, 4, 7].forEach((interval) => note(r, 0, C4 + interval, 0, 4));
    note(r, 0, C4, 32, 4);
    expect(computeMetrics([r], { tracks: [0] }).usedPitchClasses).toBe(2);
  });
});

describe('notes and qualified note rate', () => {
  it('qualifies a 2-step note but not a 1-step one', () => {
    const r = roll(16, 1);
    note(r, 0, C4, 0, 1);
    note(r, 0, C4 + 2, 4, 2);
    expect(computeMetrics([r], { tracks: [0] }).qualifiedNoteRate).toBe(0.5);
    expect(computeMetrics([r], { tracks: [0], minQualifiedSteps: 1 }).qualifiedNoteRate).toBe(1);
    expect(computeMetrics([r], { tracks: [0], minQualifiedSteps: 3 }).qualifiedNoteRate).toBe(0);
  });

  it('splits runs at onsets when the roll has them', () => {
    const r = roll(16, 1);
    for (let step = 0; step < 4; step++) note(r, 0, C4, step, 1);
    expect(trackNotes(r, 0).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([0, 1, 2, 3].map((start) => [C4, start, 1]));
    expect(computeMetrics([r], { tracks: [0] }).qualifiedNoteRate).toBe(0);
  });

  it('reads a run as one note when the roll has no onsets', () => {
    const r = rollFromVoices([[C4, C4, C4, C4, -1, 62, -1, -1]]);
    expect(trackNotes(r, 0).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([
      [C4, 0, 4],
      [62, 5, 1],
    ]);
    expect(computeMetrics([r], { tracks: [0] }).qualifiedNoteRate).toBe(0.5);
  });

  it('closes notes that last to the end of the roll', () => {
    const r = roll(8, 2);
    note(r, 1, 40, 5, 3);
    expect(trackNotes(r, 1).map((n) => [n.pitch, n.startStep, n.steps])).toEqual([[40, 5, 3]]);
    expect(trackNotes(r, 0)).toEqual([]);
    expect(computeMetrics([r], { tracks: [0] }).qualifiedNoteRate).toBeNaN();
  });
});

describe('polyphonic rate', () => {
  it('is the fraction of steps with two or more pitches in the track', () => {
    const r = roll(16, 2);
    note(r, 0, C4, 0, 16);
    note(r, 0, C4 + 4, 0, 4);
    // A second pitch in ANOTHER track does not make track 0 polyphonic.
    note(r, 1, C4 + 7, 4, 12);
    expect(computeMetrics([r], { tracks: [0] }).polyphonicRate).toBe(0.25);
    expect(computeMetrics([r], { tracks: [1] }).polyphonicRate).toBe(0);
  });
});

describe('in-scale rate', () => {
  it('is 1 for a major scale in its estimated key', () => {
    expect(computeMetrics([quarterMelody([60, 62, 64, 65, 67, 69, 71, 72])], { tracks: [0] }).inScaleRate).toBe(1);
  });

  it('counts the leading tone of a minor key as in scale', () => {
    // A B C B A G# A E | C B A E A: A minor, with the leading tone G#.
    expect(computeMetrics([quarterMelody([69, 71, 72, 71, 69, 68, 69, 64, 72, 71, 69, 64, 69, 69])], { tracks: [0] }).inScaleRate).toBe(1);
  });

  it('counts notes out of the key', () => {
    const r = quarterMelody([60, 62, 64, 65, 67, 69, 71, 61]);
    expect(computeMetrics([r], { tracks: [0], key: { tonic: 0, mode: 'major' } }).inScaleRate).toBe(7 / 8);
    // Counted per note, not per step: a long out-of-key note is still one note.
    const long = roll(32, 1);
    note(long, 0, 60, 0, 2);
    note(long, 0, 61, 2, 30);
    expect(computeMetrics([long], { tracks: [0], key: { tonic: 0, mode: 'major' } }).inScaleRate).toBe(0.5);
  });
});

describe('tonal distance', () => {
  it('is 0 for identical chroma, even in other octaves', () => {
    const r = roll(16, 2);
    [0, 4, 7].forEach((interval) => {
      note(r, 0, C4 + interval, 0, 16);
      note(r, 1, C4 - 12 + interval, 0, 16);
    });
    expect(computeMetrics([r], { tracks: [1] }).tonalDistance).toBeCloseTo(0, 12);
  });

  it('puts a tritone farther apart than a fifth', () => {
    const cFs = roll(4, 2);
    note(cFs, 0, C4, 0, 4);
    note(cFs, 1, C4 + 6, 0, 4);
    const cG = roll(4, 2);
    note(cG, 0, C4, 0, 4);
    note(cG, 1, C4 + 7, 0, 4);
    expect(computeMetrics([cFs], { tracks: [1] }).tonalDistance).toBeGreaterThan(computeMetrics([cG], { tracks: [1] }).tonalDistance);
    // C and F# are opposite on the circles of fifths and of minor thirds and meet on the major-thirds circle.
    expect(computeMetrics([cFs], { tracks: [1] }).tonalDistance).toBeCloseTo(Math.sqrt(8), 12);
  });

  it('averages over the beats where both tracks sound', () => {
    const r = roll(16, 2);
    note(r, 0, C4, 0, 16);
    note(r, 1, C4, 0, 4);
    note(r, 1, C4 + 6, 8, 4);
    // Beat 0: same pitch (0); beat 1: accompaniment silent (skipped); beat 2: tritone (sqrt 8); beat 3 skipped.
    expect(computeMetrics([r], { tracks: [1] }).tonalDistance).toBeCloseTo(Math.sqrt(8) / 2, 12);
    const silent = roll(16, 2);
    note(silent, 0, C4, 0, 16);
    expect(computeMetrics([silent], { tracks: [1] }).tonalDistance).toBeNaN();
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
    expect(cellConsonanceRate(third)).toBe(1);
    const second = rollFromVoices([new Array(16).fill(62), new Array(16).fill(60)]);
    expect(cellConsonanceRate(second)).toBe(0);
  });

  it('does not count the perfect fourth as consonant, and measures from the lower pitch', () => {
    const fourth = rollFromVoices([new Array(16).fill(72), new Array(16).fill(67)]);
    expect(cellConsonanceRate(fourth)).toBe(0);
    // A fifth ABOVE the melody (voice crossing) is still a fifth.
    const crossed = rollFromVoices([new Array(16).fill(60), new Array(16).fill(67)]);
    expect(cellConsonanceRate(crossed)).toBe(1);
    // Compound intervals: a tenth below is a third.
    const tenth = rollFromVoices([new Array(16).fill(76), new Array(16).fill(60)]);
    expect(cellConsonanceRate(tenth)).toBe(1);
  });

  it('weighs consonance by sounding steps and skips steps where the melody rests', () => {
    const r = rollFromVoices([
      [64, 64, 64, 64, 62, 62, -1, -1],
      [60, 60, 60, 60, 60, 60, 61, 61],
    ]);
    expect(cellConsonanceRate(r)).toBe(4 / 6);
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
    expect(computeMetrics([r], { tracks: [2] }).tonalDistance).toBeCloseTo(Math.sqrt(8), 12);
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
    expect(() => computeMetrics([r], { tracks: [2] }).emptyBarRate).toThrow(RangeError);
    expect(() => computeMetrics([r], { melodyTrack: 5 })).toThrow(/track 5/);
    expect(() => computeMetrics([{ ...r, active: new Uint8Array(10) }])).toThrow(RangeError);
    expect(() => computeMetrics([r], { minQualifiedSteps: 0 })).toThrow(RangeError);
  });

  it('reports exactly the training metrics', () => {
    const training = [
      'chordRate',
      'emptyBarRate',
      'inScaleRate',
      'polyphonicRate',
      'qualifiedNoteRate',
      'tonalDistance',
      'usedPitchClasses',
      'voiceRestRate',
    ];
    const m = computeMetrics([roll(16, 2)]);
    expect(Object.keys(m).sort()).toEqual(training);
    expect(Object.values(m).every((v) => typeof v === 'number')).toBe(true);
  });
});

describe('harmonyAgreement', () => {
  it("is the share of Bach's full beats whose pitch classes the system matches, voicing and octave aside", () => {
    const bach = rollFromVoices(heldVoices(16, (v) => v[3].fill(-1, 12))); // beat 4: the bass rests
    expect(harmonyAgreement(bach, bach)).toBe(1);
    // The same chord voiced otherwise on beat 1, another chord on beat 2, the same on beat 3.
    const system = rollFromVoices(
      heldVoices(16, (v) => {
        v[1].fill(64, 0, 4);
        v[2].fill(55, 0, 4);
        v[3].fill(53, 4, 8);
      }),
    );
    expect(harmonyAgreement(bach, system)).toBeCloseTo(2 / 3, 12);
    expect(harmonyAgreement(rollFromVoices(heldVoices(16, (v) => v[0].fill(-1))), system)).toBeNaN();
    expect(() => harmonyAgreement(bach, rollFromVoices(heldVoices(8)))).toThrow(/length/);
  });
});

describe('Bach chorales (JSB valid split) as accompaniment of their soprano', () => {
  it('gives sensible figures for Bach', () => {
    const { chorales, windows } = jsbValidSplit();
    const started = performance.now();
    const whole = computeMetrics(chorales);
    const seconds = (performance.now() - started) / 1000;
    const win = computeMetrics(windows);
    console.log(`JSB valid, ${chorales.length} whole chorales (${seconds.toFixed(2)} s): ${formatMetrics(whole)}`);
    console.log(`JSB valid, ${windows.length} 2-bar windows: ${formatMetrics(win)}`);
    for (const [m, rolls] of [
      [whole, chorales],
      [win, windows],
    ] as const) {
      expect(m.emptyBarRate).toBeLessThan(0.05);
      expect(m.usedPitchClasses).toBeGreaterThan(2);
      expect(m.usedPitchClasses).toBeLessThan(6);
      expect(m.qualifiedNoteRate).toBeGreaterThan(0.8);
      expect(m.polyphonicRate).toBe(0); // each JSB voice sings one note at a time
      expect(m.inScaleRate).toBeGreaterThan(0.85);
      expect(Number.isFinite(m.tonalDistance)).toBe(true);
      expect(m.tonalDistance).toBeGreaterThan(0.3);
      expect(m.tonalDistance).toBeLessThan(2);
      const voiceLeading = voiceLeadingMeans(rolls);
      expect(voiceLeading.cellConsonance).toBeGreaterThan(0.7);
      expect(voiceLeading.parallelsPerBar).toBeLessThan(0.2);
    }
  });
});

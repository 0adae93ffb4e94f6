import { describe, expect, it } from 'vitest';
import { randomInKey, ruleHarmonizer } from '../../src/music/baselines';
import { jsbChoraleToRoll } from '../../src/music/jsb';
import { estimateRollKey } from '../../src/music/keys';
import { cellIndex, createRoll, selectTracks, type PianoRoll } from '../../src/music/pianoRoll';
import { computeMetrics, meanOverRolls, voiceMetrics, type VoiceMetrics } from '../../src/music/metrics';
import { jsbValidChorales } from './music-fixtures';

const C_MAJOR = { tonic: 0, mode: 'major' } as const;
const SATB = ['Soprano', 'Alto', 'Tenor', 'Bass'].map((name) => ({ name, program: 52, isDrum: false }));

/** A pitch held for `steps` 16th-note steps (-1: a rest). */
const hold = (pitch: number, steps: number): number[] => new Array<number>(steps).fill(pitch);

/** An SATB roll (4 steps per beat, 4/4) from per-step pitches of each voice, -1 for a rest; no onsets, like the JSB data. */
function satb(soprano: number[], alto: number[], tenor: number[], bass: number[]): PianoRoll {
  const voices = [soprano, alto, tenor, bass];
  const roll = createRoll(soprano.length, SATB, { withOnsets: false });
  voices.forEach((voice, track) => {
    expect(voice).toHaveLength(soprano.length);
    voice.forEach((pitch, step) => {
      if (pitch >= 0) roll.active[cellIndex(roll, step, pitch, track)] = 1;
    });
  });
  return roll;
}

/** One bar of a C major triad, close position: C5 / G4 / E4 / C3. */
const fullTriad = (): PianoRoll => satb(hold(72, 16), hold(67, 16), hold(64, 16), hold(48, 16));

describe('voice metrics of hand-written four-voice rolls', () => {
  it('a full triad: no rests, every beat a chord, all consonant, in range, in key, in order', () => {
    const m = voiceMetrics(fullTriad(), { key: C_MAJOR });
    expect(m).toMatchObject({
      voiceRestRate: 0,
      chordRate: 1,
      beatConsonanceRate: 1, // alto a 4th below (allowed above the bass), tenor a 6th, bass two octaves
      parallelsPerBar: 0,
      meanNoteLength: 16,
      crossingRate: 0,
      spacingRate: 0,
      inRangeRate: 1,
      inKeyRate: 1,
    });
    // One note per voice: no interval between successive notes to measure.
    expect(m.meanInterval).toBeNaN();
    expect(m.meanIntervalAlto).toBeNaN();
  });

  it('a bare fifth and a unison are not chords; a root with its third, or a seventh chord without its fifth, is', () => {
    const bareFifth = satb(hold(67, 16), hold(60, 16), hold(55, 16), hold(48, 16));
    expect(voiceMetrics(bareFifth, { key: C_MAJOR }).chordRate).toBe(0);
    expect(voiceMetrics(bareFifth, { key: C_MAJOR }).beatConsonanceRate).toBe(1);
    const unison = satb(hold(72, 16), hold(60, 16), hold(48, 16), hold(36, 16));
    expect(voiceMetrics(unison, { key: C_MAJOR }).chordRate).toBe(0);
    const rootAndThird = satb(hold(76, 16), hold(72, 16), hold(60, 16), hold(48, 16));
    expect(voiceMetrics(rootAndThird, { key: C_MAJOR }).chordRate).toBe(1);
    const seventh = satb(hold(70, 16), hold(64, 16), hold(60, 16), hold(48, 16));
    expect(voiceMetrics(seventh, { key: C_MAJOR }).chordRate).toBe(1);
  });

  it('counts chords on the beats only, and only where all four voices sound', () => {
    // C5 / alto / G3 / C3: with the alto on G the pitch classes are a bare fifth, with the alto on E a triad.
    // The alto sings G at every beat's first step and E after it: no beat is a chord.
    const offBeatThird = satb(hold(72, 16), [67, 64, 64, 64, 67, 64, 64, 64, 67, 64, 64, 64, 67, 64, 64, 64], hold(55, 16), hold(48, 16));
    expect(voiceMetrics(offBeatThird, { key: C_MAJOR }).chordRate).toBe(0);
    const onBeatThird = satb(hold(72, 16), [64, 67, 67, 67, 64, 67, 67, 67, 64, 67, 67, 67, 67, 67, 67, 67], hold(55, 16), hold(48, 16));
    expect(voiceMetrics(onBeatThird, { key: C_MAJOR }).chordRate).toBe(3 / 4);
    // The tenor rests on beat 3: that beat is not counted either way.
    const resting = satb(hold(72, 16), hold(64, 16), [...hold(55, 8), ...hold(-1, 4), ...hold(55, 4)], hold(48, 16));
    expect(voiceMetrics(resting, { key: C_MAJOR }).chordRate).toBe(1);
  });

  it('a rest: the share of (step, voice) pairs under a sounding melody where the voice is silent', () => {
    // The melody rests on the last beat; the alto drops out from step 8, the tenor from step 12.
    const r = satb([...hold(72, 12), ...hold(-1, 4)], [...hold(67, 8), ...hold(-1, 8)], [...hold(64, 12), ...hold(-1, 4)], hold(48, 16));
    const m = voiceMetrics(r, { key: C_MAJOR });
    expect(m.voiceRestRate).toBe(4 / 36); // the alto's steps 8..11; the tenor rests only where the melody does
    expect(m.chordRate).toBe(1); // beats 1 and 2; beat 3 lacks the alto, beat 4 the melody
    expect(m.meanNoteLength).toBe((8 + 12 + 16) / 3);
    expect(computeMetrics([r]).voiceRestRate).toBe(4 / 36);
    expect(computeMetrics([r]).chordRate).toBe(1);
  });

  it('an out-of-key note: the share of accompaniment notes in the given key', () => {
    const r = satb(hold(72, 16), [...hold(67, 8), ...hold(66, 8)], hold(64, 16), hold(48, 16)); // alto G4 then F#4
    expect(voiceMetrics(r, { key: C_MAJOR }).inKeyRate).toBe(3 / 4);
    expect(voiceMetrics(r, { key: { tonic: 7, mode: 'major' } }).inKeyRate).toBe(1); // F# is in G major
    expect(voiceMetrics(r, { key: null }).inKeyRate).toBeNaN();
  });

  it('a parallel fifth with the melody, and parallel octaves between melody and bass, per bar', () => {
    const fifths = satb([...hold(67, 8), ...hold(69, 8)], [...hold(60, 8), ...hold(62, 8)], hold(55, 16), hold(48, 16));
    expect(voiceMetrics(fifths, { key: C_MAJOR }).parallelsPerBar).toBe(1);
    const octaves = satb([...hold(72, 8), ...hold(74, 8)], hold(67, 16), hold(64, 16), [...hold(48, 8), ...hold(50, 8)]);
    expect(voiceMetrics(octaves, { key: C_MAJOR }).parallelsPerBar).toBe(1);
    // The same motion followed by a bar of held notes: one per two bars.
    const longer = satb([...hold(67, 8), ...hold(69, 24)], [...hold(60, 8), ...hold(62, 24)], hold(55, 32), hold(48, 32));
    expect(voiceMetrics(longer, { key: C_MAJOR }).parallelsPerBar).toBe(0.5);
    // Contrary motion into the same fifth is not a parallel.
    const contrary = satb([...hold(67, 8), ...hold(74, 8)], hold(64, 16), hold(60, 16), [...hold(60, 8), ...hold(55, 8)]);
    expect(voiceMetrics(contrary, { key: C_MAJOR }).parallelsPerBar).toBe(0);
  });

  it('a crossing: steps where a lower voice sounds above the voice over it', () => {
    // The alto (C4) under the tenor (E4) for the first half bar; a unison is not a crossing.
    const r = satb(hold(72, 16), [...hold(60, 8), ...hold(64, 8)], hold(64, 16), hold(48, 16));
    expect(voiceMetrics(r, { key: C_MAJOR }).crossingRate).toBe(0.5);
    const bassAbove = satb(hold(72, 16), hold(67, 16), hold(52, 16), hold(55, 16));
    expect(voiceMetrics(bassAbove, { key: C_MAJOR }).crossingRate).toBe(1);
    // Steps where no adjacent pair sounds are not counted.
    const sparse = satb([...hold(72, 8), ...hold(-1, 8)], [...hold(60, 8), ...hold(-1, 8)], hold(64, 16), hold(-1, 16));
    expect(voiceMetrics(sparse, { key: C_MAJOR }).crossingRate).toBe(1);
  });

  it('spacing: soprano-alto or alto-tenor more than an octave apart; the bass may lie further down', () => {
    const wide = satb(hold(84, 16), hold(67, 16), hold(64, 16), hold(48, 16));
    expect(voiceMetrics(wide, { key: C_MAJOR }).spacingRate).toBe(1);
    const octave = satb(hold(79, 16), hold(67, 16), hold(55, 16), hold(36, 16));
    expect(voiceMetrics(octave, { key: C_MAJOR }).spacingRate).toBe(0);
    // C5 over G4 (then B3, 13 semitones down) over G3.
    const half = satb(hold(72, 16), [...hold(67, 8), ...hold(59, 8)], hold(55, 16), hold(36, 16));
    expect(voiceMetrics(half, { key: C_MAJOR }).spacingRate).toBe(0.5);
  });

  it('consonance with the melody on the beats: a fourth is consonant above the bass, not against it', () => {
    // G4 over D4 (alto, a 4th), G3 (tenor, an octave) and D3 (bass, a 4th plus an octave).
    const r = satb(hold(67, 16), hold(62, 16), hold(55, 16), hold(50, 16));
    expect(voiceMetrics(r, { key: C_MAJOR }).beatConsonanceRate).toBe(2 / 3);
    // A second against the alto on every beat.
    const second = satb(hold(74, 16), hold(72, 16), hold(67, 16), hold(43, 16)); // D5 over C5, G4, G2
    expect(voiceMetrics(second, { key: C_MAJOR }).beatConsonanceRate).toBe(2 / 3);
    // Passing dissonances between the beats do not count.
    const passing = satb([72, 74, 74, 74, 72, 74, 74, 74, 72, 74, 74, 74, 72, 74, 74, 74], hold(67, 16), hold(64, 16), hold(48, 16));
    expect(voiceMetrics(passing, { key: C_MAJOR }).beatConsonanceRate).toBe(1);
  });

  it('leaps: mean interval between successive notes per voice, and their mean over the voices', () => {
    const r = satb(hold(72, 16), [...hold(60, 4), ...hold(64, 4), ...hold(62, 8)], hold(55, 16), [...hold(48, 8), ...hold(43, 8)]);
    const m = voiceMetrics(r, { key: C_MAJOR });
    expect(m.meanIntervalAlto).toBe(3); // 4 then 2
    expect(m.meanIntervalTenor).toBeNaN(); // one note
    expect(m.meanIntervalBass).toBe(5);
    expect(m.meanInterval).toBe(4);
    expect(m.meanNoteLength).toBe((4 + 4 + 8 + 16 + 8 + 8) / 6);
  });

  it('range: the share of accompaniment notes inside each voice range', () => {
    const r = satb(hold(72, 16), hold(67, 16), hold(64, 16), hold(30, 16)); // a bass F#1, below its lowest C2 (36)
    expect(voiceMetrics(r, { key: C_MAJOR }).inRangeRate).toBe(2 / 3);
    const highTenor = satb(hold(79, 16), hold(74, 16), hold(70, 16), hold(48, 16)); // tenor Bb4 above its 69
    expect(voiceMetrics(highTenor, { key: C_MAJOR }).inRangeRate).toBe(2 / 3);
  });

  it('is NaN where nothing can be measured, and refuses rolls that are not four voices', () => {
    const silent = satb(hold(-1, 16), hold(-1, 16), hold(-1, 16), hold(-1, 16));
    const m = voiceMetrics(silent, { key: C_MAJOR });
    for (const key of [
      'voiceRestRate',
      'chordRate',
      'beatConsonanceRate',
      'crossingRate',
      'spacingRate',
      'inRangeRate',
      'inKeyRate',
      'meanNoteLength',
    ] as const) {
      expect(m[key], key).toBeNaN();
    }
    expect(m.parallelsPerBar).toBe(0);
    expect(() => voiceMetrics(createRoll(16, SATB.slice(0, 3)), { key: C_MAJOR })).toThrow(/four-voice/);
  });
});

describe('averaging over rolls', () => {
  it('weighs every roll the same (not every step) and skips a roll where a metric is NaN', () => {
    const long = satb(hold(72, 64), hold(67, 64), hold(64, 64), hold(48, 64)); // no rests, one note per voice
    const rests = satb(
      [...hold(72, 12), ...hold(-1, 4)],
      [...hold(67, 8), ...hold(-1, 8)],
      [...hold(64, 12), ...hold(-1, 4)],
      hold(48, 16),
    );
    const moving = satb(hold(72, 16), [...hold(60, 8), ...hold(62, 8)], hold(55, 16), hold(48, 16));
    const perRoll: VoiceMetrics[] = [long, rests, moving].map((r) => voiceMetrics(r, { key: C_MAJOR }));
    const mean = meanOverRolls(perRoll);
    expect(mean.voiceRestRate).toBeCloseTo((0 + 4 / 36 + 0) / 3, 12);
    // Pooled over steps it would be 4 / (64*3 + 12*3 + 16*3): the short roll would hardly count.
    expect(mean.meanIntervalAlto).toBe(2); // only the third roll has two alto notes
    expect(meanOverRolls([perRoll[0]]).meanIntervalAlto).toBeNaN();
    expect(Object.keys(mean).sort()).toEqual(Object.keys(perRoll[0]).sort());
  });
});

describe('dashboard metrics (computeMetrics)', () => {
  it('gives the rest rate and chord rate of any number of accompaniment tracks, pooled over rolls', () => {
    const r = fullTriad();
    expect(computeMetrics([r]).voiceRestRate).toBe(0);
    expect(computeMetrics([r]).chordRate).toBe(1);
    // Two tracks: the melody and one voice a fifth below is never a chord; the voice rests half the time.
    const two = createRoll(16, SATB.slice(0, 2), { withOnsets: false });
    for (let step = 0; step < 16; step++) {
      two.active[cellIndex(two, step, 67, 0)] = 1;
      if (step < 8) two.active[cellIndex(two, step, 60, 1)] = 1;
    }
    expect(computeMetrics([two]).voiceRestRate).toBe(0.5);
    expect(computeMetrics([two]).chordRate).toBe(0);
    // Pooled: 8 resting pairs of 16 + 48 pairs.
    expect(computeMetrics([two, r]).voiceRestRate).toBe(8 / 64);
    expect(computeMetrics([two, r]).chordRate).toBe(4 / 6);
    // A melody alone has no chords to measure.
    expect(computeMetrics([r], { tracks: [] }).chordRate).toBeNaN();
  });
});

describe('Bach chorales (JSB valid split)', () => {
  it("read as a listener hears them: Bach's voices sing under the melody in chords; the rule harmonizer has more chords than random notes", () => {
    // Read here, not when the file is collected, so a missing data file fails this test with its path.
    const chorales = jsbValidChorales().map((c) => jsbChoraleToRoll(c));
    const keys = chorales.map((roll) => estimateRollKey(roll));
    const melodies = chorales.map((roll) => selectTracks(roll, [0]));
    const bach = meanOverRolls(chorales.map((roll, i) => voiceMetrics(roll, { key: keys[i] })));
    const rule = meanOverRolls(melodies.map((m, i) => voiceMetrics(ruleHarmonizer(m), { key: keys[i] })));
    const random = meanOverRolls(melodies.map((m, i) => voiceMetrics(randomInKey(m, i), { key: keys[i] })));
    const format = (m: object): string =>
      Object.entries(m)
        .map(([k, v]) => `${k}=${(v as number).toFixed(3)}`)
        .join(' ');
    console.log(`Bach, ${chorales.length} chorales: ${format(bach)}`);
    console.log(`rule harmonizer: ${format(rule)}`);
    console.log(`random in key: ${format(random)}`);
    expect(bach.voiceRestRate).toBeLessThan(0.02);
    expect(bach.chordRate).toBeGreaterThan(0.85);
    expect(bach.beatConsonanceRate).toBeGreaterThan(0.85);
    expect(bach.crossingRate).toBeLessThan(0.05);
    expect(bach.inRangeRate).toBeGreaterThan(0.97);
    expect(bach.inKeyRate).toBeGreaterThan(0.85);
    expect(bach.meanInterval).toBeGreaterThan(1.5);
    expect(bach.meanInterval).toBeLessThan(4);
    expect(bach.parallelsPerBar).toBeLessThan(0.1);
    expect(rule.voiceRestRate).toBe(0);
    expect(rule.chordRate).toBeGreaterThan(0.95);
    // Not 0: the voices are set under the melody's note at the beat, and a passing note may dip below the alto.
    expect(rule.crossingRate).toBeLessThan(bach.crossingRate);
    expect(rule.inRangeRate).toBe(1);
    expect(random.chordRate).toBeLessThan(0.5);
    expect(random.crossingRate).toBeGreaterThan(bach.crossingRate);
  });
});

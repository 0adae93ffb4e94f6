import { describe, expect, it } from 'vitest';
import { BaselineError, DOUBLING_OFFSETS, octaveDoubling, randomInKey } from '../../src/music/baselines';
import { computeMetrics, voiceMetrics } from '../../src/music/metrics';
import { trackNotes } from '../../src/music/notes';
import { PITCHES, createRoll } from '../../src/music/pianoRoll';
import { ACCOMPANIMENT_VOICES, VOICE_RANGES } from '../../src/music/voices';
import { formatMetrics, jsbValidSplit, quarterMelody, roll, voiceLeadingMeans } from './music-fixtures';

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
    expect(voiceMetrics(out, { key: null }).parallelsPerBar).toBe((5 * moves) / 4);
  });

  it('draws one in-key note per beat and voice, in range, the same for the same seed', () => {
    const out = randomInKey(melody, 7);
    expect(out.tracks).toHaveLength(4);
    expect(trackNotes(out, 0)).toEqual(trackNotes(melody, 0));
    const ranges = ACCOMPANIMENT_VOICES.map((voice) => VOICE_RANGES[voice]);
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
});

describe('baselines against Bach (JSB valid split)', () => {
  it('ranks Bach above the naive baselines', () => {
    const { windows } = jsbValidSplit();
    const sopranos = windows.map((w) => {
      const melody = createRoll(w.steps, [w.tracks[0]], { withOnsets: false });
      for (let i = 0; i < w.steps * PITCHES; i++) melody.active[i] = w.active[i * 4];
      return melody;
    });
    const doubledRolls = sopranos.map(octaveDoubling);
    const randomRolls = sopranos.map((s, i) => randomInKey(s, i));
    const bach = { ...computeMetrics(windows), ...voiceLeadingMeans(windows) };
    const doubled = { ...computeMetrics(doubledRolls), ...voiceLeadingMeans(doubledRolls) };
    const random = { ...computeMetrics(randomRolls), ...voiceLeadingMeans(randomRolls) };
    console.log(`baseline octaveDoubling: ${formatMetrics(doubled)}`);
    console.log(`baseline randomInKey: ${formatMetrics(random)}`);
    expect(doubled.parallelsPerBar).toBeGreaterThan(bach.parallelsPerBar + 1);
    expect(doubled.tonalDistance).toBeLessThan(bach.tonalDistance);
    expect(random.cellConsonance).toBeLessThan(bach.cellConsonance);
    expect(random.tonalDistance).toBeGreaterThan(bach.tonalDistance);
    expect(random.qualifiedNoteRate).toBe(1);
  });
});

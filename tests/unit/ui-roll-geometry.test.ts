/** Where the piano roll view draws notes: the pitch range it shows and each note's rectangle. */
import { describe, expect, it } from 'vitest';
import { cellAt, pitchRange, noteRect, placeChordSymbols, stepAt } from '../../src/ui/rollGeometry';

describe('roll geometry', () => {
  it('shows at least two octaves around the notes and places notes by step and pitch', () => {
    const range = pitchRange([{ track: 0, pitch: 60, step: 0, steps: 4, time: 0, duration: 1, velocity: 1 }]);
    expect(range.high - range.low).toBeGreaterThanOrEqual(24);
    expect(range.low).toBeLessThanOrEqual(58);
    const rect = noteRect({ pitch: range.high, step: 3, steps: 2 }, range, 10, 250);
    expect(rect.x).toBe(30);
    expect(rect.y).toBe(0);
    expect(rect.width).toBe(19);
    expect(stepAt(1, 120, 4)).toBe(8);
  });

  it('finds the step and pitch under a point, the inverse of a note rectangle, kept within the range', () => {
    const range = { low: 60, high: 71 };
    const rect = noteRect({ pitch: 64, step: 5, steps: 1 }, range, 12, 240);
    expect(cellAt(rect.x + 3, rect.y + 1, range, 12, 240)).toEqual({ step: 5.25, pitch: 64 });
    expect(cellAt(-4, 500, range, 12, 240)).toEqual({ step: 0, pitch: 60 });
    expect(cellAt(0, -3, range, 12, 240).pitch).toBe(71);
  });
});

describe('chord symbols over the roll', () => {
  // 10 px a character: "C" 10, "G7/B" 40.
  const widthOf = (text: string) => text.length * 10;
  const beats = (texts: string[], stepsPerBeat = 4) => texts.map((text, i) => ({ startStep: i * stepsPerBeat, text }));

  it('keeps one row where every name fits before the next chord', () => {
    // 6 px a step: 24 px a beat, and no name is wider.
    const places = placeChordSymbols(beats(['C', 'Am', 'F', 'G7']), 6, widthOf, 400);
    expect(places.map((p) => p.row)).toEqual([0, 0, 0, 0]);
    expect(places.map((p) => p.maxWidth)).toEqual([24, 24, 24, 400 - 72]);
  });

  it('alternates rows where names are wider than a beat, each name then as wide as two beats', () => {
    const places = placeChordSymbols(beats(['Dm7', 'G7/B', 'Cmaj7', 'F#dim']), 6, widthOf, 400);
    expect(places.map((p) => p.row)).toEqual([0, 1, 0, 1]);
    expect(places.slice(0, 2).map((p) => p.maxWidth)).toEqual([48, 48]);
    // Every name fits in its room, none is cut.
    beats(['Dm7', 'G7/B', 'Cmaj7']).forEach((chord, i) => expect(widthOf(chord.text)).toBeLessThanOrEqual(places[i].maxWidth));
  });

  it('cuts a name only when neither row is free, at the next name of its row', () => {
    // 2 px a step: 8 px a beat; three long names in a row cannot all fit. The third goes where the room ends first
    // (after "C/E", 38 px, not "G7/B", 40 px), and "C/E" is cut where it starts.
    const places = placeChordSymbols(beats(['G7/B', 'C/E', 'F#dim']), 2, widthOf, 400);
    expect(places.map((p) => p.row)).toEqual([0, 1, 1]);
    expect(places.map((p) => p.maxWidth)).toEqual([400, 8, 400 - 16]);
  });
});

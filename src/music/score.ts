/**
 * The score as printed: which tracks share a staff (a chorale's soprano and alto on a treble staff, tenor and
 * bass on a bass staff, stems up and down per voice), and each voice cut into bars of notes, chords and rests
 * of lengths that notation can write, tied across beats and bars. The score view (through ABC) and the
 * MusicXML export both write this one layout, so the file holds the piece as the page shows it.
 */
import { estimateRollKey, type Key } from './keys';
import { trackNotes } from './notes';
import { stepsPerBar, type PianoRoll } from './pianoRoll';
import { analyzeHarmony, type ChordSpan } from './harmony';
import { keyFifths } from './spelling';

/** A note, a chord or (no pitches) a rest, in one bar of one voice. */
export interface ScoreEvent {
  startStep: number;
  steps: number;
  /** MIDI pitches, lowest first; empty for a rest. */
  pitches: number[];
  /** Per pitch: whether it is tied to the same pitch in the voice's next event. */
  tied: boolean[];
}

/** One track in the score. */
export interface ScoreVoice {
  track: number;
  name: string;
  stem: 'up' | 'down' | 'auto';
  /** The voice's events, bar by bar. */
  bars: ScoreEvent[][];
}

/** A staff and the voices printed on it. */
export interface ScoreStaff {
  clef: 'treble' | 'bass';
  voices: ScoreVoice[];
}

/** Everything a score of the roll shows. */
export interface ScoreLayout {
  staves: ScoreStaff[];
  barCount: number;
  barSteps: number;
  stepsPerBeat: number;
  beatsPerBar: number;
  tempoBpm: number;
  key: Key;
  /** Sharps (positive) or flats (negative) in the key signature. */
  fifths: number;
  chords: ChordSpan[];
}

/** Lengths notation writes as one note, in 16th notes: 16th, 8th, dotted 8th, quarter, ..., dotted whole. */
const WRITABLE_SIXTEENTHS = [24, 16, 12, 8, 6, 4, 3, 2, 1];

/**
 * Cuts a stretch of `steps` starting at `start` (steps from the bar's start) into writable lengths: a stretch that
 * starts off the beat is cut at the next beat, so the beat can be seen; longer ones take the longest length that fits.
 */
export function writableLengths(start: number, steps: number, stepsPerBeat: number): number[] {
  const lengths: number[] = [];
  const perSixteenth = stepsPerBeat / 4;
  let at = start;
  let left = steps;
  while (left > 0) {
    const toBeat = at % stepsPerBeat === 0 ? left : Math.min(left, stepsPerBeat - (at % stepsPerBeat));
    const fits = WRITABLE_SIXTEENTHS.map((s) => s * perSixteenth).find((s) => Number.isInteger(s) && s <= toBeat);
    const length = fits ?? toBeat; // a grid finer than 16ths: written as it is
    lengths.push(length);
    at += length;
    left -= length;
  }
  return lengths;
}

/** One track as bars of events: cut where any of its notes starts or ends, at bar lines and into writable lengths. */
function voiceBars(roll: PianoRoll, track: number, barCount: number): ScoreEvent[][] {
  const barSteps = stepsPerBar(roll);
  const notes = trackNotes(roll, track);
  const total = barCount * barSteps;
  const cuts = new Set<number>([0, total]);
  for (let bar = 1; bar < barCount; bar++) cuts.add(bar * barSteps);
  for (const n of notes) {
    cuts.add(n.startStep);
    cuts.add(n.startStep + n.steps);
  }
  const sorted = [...cuts].filter((c) => c <= total).sort((a, b) => a - b);
  const bars: ScoreEvent[][] = Array.from({ length: barCount }, () => []);
  for (let i = 0; i + 1 < sorted.length; i++) {
    const start = sorted[i];
    const end = sorted[i + 1];
    const bar = Math.floor(start / barSteps);
    const sounding = notes.filter((n) => n.startStep <= start && n.startStep + n.steps >= end);
    const pitches = [...new Set(sounding.map((n) => n.pitch))].sort((a, b) => a - b);
    let at = start;
    for (const length of writableLengths(start - bar * barSteps, end - start, roll.stepsPerBeat)) {
      const last = at + length === end;
      // A piece of a longer note ties on: to its next piece, or past `end` where the note goes on.
      const tied = pitches.map((p) => !last || sounding.some((n) => n.pitch === p && n.startStep + n.steps > end));
      bars[bar].push({ startStep: at, steps: length, pitches, tied });
      at += length;
    }
  }
  return bars;
}

function meanPitch(roll: PianoRoll, track: number): number {
  const notes = trackNotes(roll, track);
  if (notes.length === 0) return 60;
  return notes.reduce((sum, n) => sum + n.pitch, 0) / notes.length;
}

/** Options for `layoutScore`. */
export interface LayoutOptions {
  /** The key to spell and sign in (default: estimated from every pitched track of the roll, drums left out). */
  key?: Key;
}

/**
 * The score of a roll: a four-track roll (melody and three voices) as a chorale on two staves, any other roll with a
 * staff per track (treble or bass by its register); drum tracks are left out, as they have no pitches to write.
 */
export function layoutScore(roll: PianoRoll, options: LayoutOptions = {}): ScoreLayout {
  const pitched = roll.tracks.flatMap((t, i) => (t.isDrum ? [] : [i]));
  const key = options.key ?? estimateRollKey(roll, pitched) ?? { tonic: 0, mode: 'major' };
  const barSteps = stepsPerBar(roll);
  const barCount = Math.max(1, Math.ceil(roll.steps / barSteps));
  const voice = (track: number, stem: ScoreVoice['stem']): ScoreVoice => ({
    track,
    name: roll.tracks[track].name || `Track ${track + 1}`,
    stem,
    bars: voiceBars(roll, track, barCount),
  });
  const chorale = pitched.length === 4 && roll.tracks.length === 4;
  const staves: ScoreStaff[] = chorale
    ? [
        { clef: 'treble', voices: [voice(0, 'up'), voice(1, 'down')] },
        { clef: 'bass', voices: [voice(2, 'up'), voice(3, 'down')] },
      ]
    : pitched.map((t) => ({ clef: meanPitch(roll, t) >= 57 ? 'treble' : 'bass', voices: [voice(t, 'auto')] }));
  return {
    staves,
    barCount,
    barSteps,
    stepsPerBeat: roll.stepsPerBeat,
    beatsPerBar: roll.beatsPerBar,
    tempoBpm: roll.tempoBpm,
    key,
    fifths: keyFifths(key),
    chords: analyzeHarmony(roll, key, pitched),
  };
}

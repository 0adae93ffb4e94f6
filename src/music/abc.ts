/**
 * A score layout as ABC notation (abc standard 2.1), the text the score view's engraver reads: one line of
 * music per system, voices sharing staves by `%%score`, notes spelled in the key, and chord symbols or Roman
 * numerals carried by an invisible voice so that they sit on the beat where the harmony changes.
 */
import { isLocked, type AccompanimentLock } from './locks';
import type { ScoreEvent, ScoreLayout } from './score';
import { displayName, keyTonicName, signatureAlter, spellPitch, type SpelledPitch } from './spelling';

/** What the chord line shows. */
export type ChordLabels = 'symbols' | 'roman' | 'none';

/** Options for `layoutToAbc`. */
export interface AbcOptions {
  /** Bars on each line (system) of the score. */
  barsPerLine: number;
  chordLabels: ChordLabels;
  /** Tempo to print, in quarter beats per minute (default the layout's own). */
  tempoBpm?: number;
}

/** Where a note or rest of the score is in the ABC text, and where it is in the piece. */
export interface AbcMark {
  /** Offset of its first character in the text (what the engraver reports on a click). */
  char: number;
  startStep: number;
  bar: number;
  /** The roll's track the note or rest belongs to, its length in steps, and its pitches (none for a rest). */
  track: number;
  steps: number;
  pitches: number[];
}

/** ABC text and the marks that lead from its characters back to steps of the roll. */
export interface AbcScore {
  abc: string;
  marks: AbcMark[];
}

/**
 * The marks of the accompaniment's notes that `lock` keeps, on the roll the layout was made from: a note (or the part
 * of it after a bar line) is locked where it starts, as the roll's locks read; the melody and rests are never marked.
 */
export function lockedMarks(marks: readonly AbcMark[], lock: AccompanimentLock | null): AbcMark[] {
  if (!lock) return [];
  return marks.filter((m) => m.track >= 1 && m.pitches.length > 0 && isLocked(lock, m.startStep, m.track));
}

const ACCIDENTALS: Record<number, string> = { [-2]: '__', [-1]: '_', 0: '=', 1: '^', 2: '^^' };

/** A spelled pitch in ABC octave letters: C is middle C, c the octave above, C, the one below. */
function abcLetters(spelled: SpelledPitch): string {
  if (spelled.octave >= 5) return spelled.step.toLowerCase() + "'".repeat(spelled.octave - 5);
  return spelled.step + ','.repeat(4 - spelled.octave);
}

/** Writes one bar of one voice, printing an accidental only where the key signature and the bar's earlier ones differ. */
function abcBar(events: ScoreEvent[], layout: ScoreLayout, text: { value: string }, marks: AbcMark[], bar: number, track: number): void {
  const current = new Map<string, number>();
  const beat = layout.stepsPerBeat;
  events.forEach((event, i) => {
    if (i > 0 && event.startStep % beat === 0) text.value += ' '; // a beam ends at each beat
    marks.push({ char: text.value.length, startStep: event.startStep, bar, track, steps: event.steps, pitches: event.pitches });
    const length = event.steps === 1 ? '' : String(event.steps);
    if (event.pitches.length === 0) {
      text.value += `z${length}`;
      return;
    }
    const notes = event.pitches.map((pitch, k) => {
      const spelled = spellPitch(pitch, layout.key);
      const place = `${spelled.step}${spelled.octave}`;
      const before = current.get(place) ?? signatureAlter(layout.fifths, spelled.step);
      current.set(place, spelled.alter);
      return (before === spelled.alter ? '' : ACCIDENTALS[spelled.alter]) + abcLetters(spelled) + (event.tied[k] ? '-' : '');
    });
    text.value += notes.length === 1 ? notes[0].replace(/-$/, '') + length + (event.tied[0] ? '-' : '') : `[${notes.join('')}]${length}`;
  });
}

/** Quotes an annotation for ABC (a double quote would end it). */
function quoted(text: string): string {
  return `"${text.replace(/"/g, "'")}"`;
}

/** The chord line of one bar: invisible rests a beat long, each carrying the label of a chord that starts there. */
function chordBar(layout: ScoreLayout, bar: number, labels: ChordLabels): string {
  const parts: string[] = [];
  const beat = layout.stepsPerBeat;
  for (let at = bar * layout.barSteps; at < (bar + 1) * layout.barSteps; at += beat) {
    const chord = layout.chords.find((c) => c.startStep === at);
    const label = !chord ? '' : labels === 'roman' ? quoted(`_${chord.roman}`) : quoted(`^${displayName(chord.symbol)}`);
    parts.push(`${label}x${beat === 1 ? '' : beat}`);
  }
  return parts.join(' ');
}

function meter(beatsPerBar: number): string {
  return Number.isInteger(beatsPerBar) ? `${beatsPerBar}/4` : `${beatsPerBar * 2}/8`;
}

/** The layout as ABC text, with the marks that map its notes back to the piece. */
export function layoutToAbc(layout: ScoreLayout, options: AbcOptions): AbcScore {
  if (!Number.isInteger(options.barsPerLine) || options.barsPerLine < 1) {
    throw new RangeError(`barsPerLine must be a whole number from 1 up, got ${options.barsPerLine}`);
  }
  const voices = layout.staves.flatMap((staff) => staff.voices.map((voice) => ({ voice, clef: staff.clef })));
  const id = (i: number) => `V${i}`;
  const withChords = options.chordLabels !== 'none' && layout.chords.length > 0;
  // Symbols ride above the top staff, Roman numerals below the bottom one, as harmony books print them.
  const chordStaff = options.chordLabels === 'roman' ? layout.staves.length - 1 : 0;
  let index = 0;
  const groups = layout.staves.map((staff, s) => {
    const ids = staff.voices.map(() => id(index++));
    if (withChords && s === chordStaff) ids.push('H');
    return ids.length > 1 ? `(${ids.join(' ')})` : ids[0];
  });
  const keyMode = layout.key.mode === 'minor' ? 'm' : '';
  const tempo = Math.round(options.tempoBpm ?? layout.tempoBpm);
  const header = [
    'X:1',
    `M:${meter(layout.beatsPerBar)}`,
    `L:1/${4 * layout.stepsPerBeat}`,
    `Q:1/4=${tempo}`,
    `%%score ${layout.staves.length > 1 ? `{${groups.join(' | ')}}` : groups[0]}`,
    ...voices.map(
      ({ voice, clef }, i) => `V:${id(i)} clef=${clef}${voice.stem === 'auto' ? '' : ` stem=${voice.stem}`} name=${quoted(voice.name)}`,
    ),
    ...(withChords ? [`V:H clef=${layout.staves[chordStaff].clef}`] : []),
    `K:${keyTonicName(layout.key)}${keyMode}`,
  ];
  const text = { value: header.join('\n') + '\n' };
  const marks: AbcMark[] = [];
  for (let first = 0; first < layout.barCount; first += options.barsPerLine) {
    const last = Math.min(layout.barCount, first + options.barsPerLine);
    voices.forEach(({ voice }, i) => {
      text.value += `[V:${id(i)}] `;
      for (let bar = first; bar < last; bar++) {
        abcBar(voice.bars[bar], layout, text, marks, bar, voice.track);
        text.value += bar === layout.barCount - 1 ? ' |]' : ' | ';
      }
      text.value += '\n';
    });
    if (withChords) {
      text.value += '[V:H] ';
      for (let bar = first; bar < last; bar++)
        text.value += chordBar(layout, bar, options.chordLabels) + (bar === layout.barCount - 1 ? ' |]' : ' | ');
      text.value += '\n';
    }
  }
  return { abc: text.value, marks: marks.sort((a, b) => a.char - b.char) };
}

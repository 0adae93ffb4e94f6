/**
 * The score bench's page side (bundled by scripts/bench-score.ts): lays out a roll, writes it as ABC and engraves it
 * with abcjs as the score view does, timing each stage.
 */
import { renderAbc } from 'abcjs';
import { layoutScore } from '../../src/music/score';
import { layoutToAbc } from '../../src/music/abc';
import type { PianoRoll } from '../../src/music/pianoRoll';

/** What the bench hands the page: a roll whose typed arrays came over as plain arrays. */
interface PlainRoll extends Omit<PianoRoll, 'active' | 'onsets' | 'velocities'> {
  active: number[];
  onsets: number[];
}

/** Milliseconds spent in each stage of one render at one width. */
export interface ScoreTiming {
  layoutMs: number;
  renderMs: number;
  bars: number;
  barsPerLine: number;
  notes: number;
}

function benchScore(plain: PlainRoll, width: number): ScoreTiming {
  const roll: PianoRoll = { ...plain, active: Uint8Array.from(plain.active), onsets: Uint8Array.from(plain.onsets), velocities: null };
  const paper = document.getElementById('paper') as HTMLDivElement;
  paper.style.width = `${width}px`;
  const started = performance.now();
  const layout = layoutScore(roll);
  // The same sizes the score view chooses (src/ui/ScoreView.tsx).
  const barsPerLine = Math.max(1, Math.floor((width - 24) / 250));
  const { abc } = layoutToAbc(layout, { barsPerLine, chordLabels: 'symbols' });
  const laidOut = performance.now();
  renderAbc(paper, abc, { staffwidth: Math.max(200, width - 24), add_classes: true, paddingleft: 4, paddingright: 4 });
  const notes = paper.querySelectorAll('.abcjs-note').length;
  return { layoutMs: laidOut - started, renderMs: performance.now() - laidOut, bars: layout.barCount, barsPerLine, notes };
}

(window as unknown as { benchScore: typeof benchScore }).benchScore = benchScore;

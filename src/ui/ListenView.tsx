/**
 * What the Listen panel shows of the piece: the piano roll or the score (the "Score" switch, remembered), with
 * the chords over either, as symbols or as Roman numerals in the key, and the note editor's controls over both.
 * The score's engraver loads on first use.
 */
import { lazy, Suspense, useMemo, useState } from 'react';
import type { PianoRoll } from '../music/pianoRoll';
import type { ChordLabels } from '../music/abc';
import { layoutScore } from '../music/score';
import { displayName, keyName } from '../music/spelling';
import { PianoRollView } from './PianoRollView';
import { EditBar, useNoteEditor } from './EditBar';
import { useAppState } from './context';
import { resultLock } from './state';

const ScoreView = lazy(() => import('./ScoreView'));

/** Which view of the piece is shown. */
export type ListenViewKind = 'roll' | 'score';

const VIEW_KEY = 'cantus-listen-view';
const CHORDS_KEY = 'cantus-chord-labels';

function remembered<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  try {
    const value = localStorage.getItem(key);
    return allowed.includes(value as T) ? (value as T) : fallback;
  } catch {
    return fallback;
  }
}

function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage may be off (private windows): the choice then lasts for this visit only.
  }
}

interface Props {
  roll: PianoRoll | null;
  label: string;
  getPlayback: () => { seconds: number; tempoBpm: number; playing: boolean };
  playing: boolean;
  showPlayhead: boolean;
  positionKey: number;
  silent: readonly boolean[];
  tempoBpm: number;
  onSeek?: (seconds: number) => void;
}

/** The roll/score switch, the chord option and the view chosen. */
export function ListenView(props: Props) {
  const { roll } = props;
  const [view, setView] = useState<ListenViewKind>(() => remembered(VIEW_KEY, ['roll', 'score'], 'roll'));
  const [chordLabels, setChordLabels] = useState<ChordLabels>(() => remembered(CHORDS_KEY, ['symbols', 'roman', 'none'], 'symbols'));
  const layout = useMemo(() => (roll ? layoutScore(roll) : null), [roll]);
  const laneChords = useMemo(
    () =>
      chordLabels === 'none' || !layout
        ? []
        : layout.chords.map((c) => {
            const text = chordLabels === 'roman' ? c.roman : displayName(c.symbol);
            return {
              startStep: c.startStep,
              steps: c.steps,
              text,
              label: chordLabels === 'roman' ? `chord ${text} in the key` : `chord ${text}`,
            };
          }),
    [layout, chordLabels],
  );
  const editor = useNoteEditor(roll);
  const result = useAppState((s) => s.result);
  const lockedCells = useAppState((s) => s.lockedCells);
  const lock = useMemo(() => (result && roll === result ? resultLock({ result, lockedCells }) : null), [result, roll, lockedCells]);
  const choose = (next: ListenViewKind) => {
    setView(next);
    remember(VIEW_KEY, next);
  };

  return (
    <section className="listen-view" aria-label="The piece">
      <div className="row view-switch">
        <div role="group" aria-label="View" className="segmented">
          <button type="button" aria-pressed={view === 'roll'} onClick={() => choose('roll')} data-testid="view-roll-button">
            Piano roll
          </button>
          <button type="button" aria-pressed={view === 'score'} onClick={() => choose('score')} data-testid="view-score-button">
            Score
          </button>
        </div>
        <label className="inline">
          Chords{' '}
          <select
            value={chordLabels}
            onChange={(e) => {
              const next = e.target.value as ChordLabels;
              setChordLabels(next);
              remember(CHORDS_KEY, next);
            }}
            data-testid="chord-labels-select"
          >
            <option value="symbols">Symbols (G7/B)</option>
            <option value="roman">Roman numerals (V65)</option>
            <option value="none">Off</option>
          </select>
        </label>
        {layout && (
          <span className="hint" data-testid="score-key">
            Key: {displayName(keyName(layout.key))}
          </span>
        )}
      </div>
      <EditBar roll={roll} />
      {view === 'roll' || !layout ? (
        <PianoRollView
          roll={roll}
          label={props.label}
          getPlayback={props.getPlayback}
          playing={props.playing}
          showPlayhead={props.showPlayhead}
          positionKey={props.positionKey}
          silent={props.silent}
          onSeek={props.onSeek}
          chords={laneChords}
          editor={editor}
          lock={lock}
        />
      ) : (
        <figure className="score">
          <figcaption>{props.label || 'No melody yet'}</figcaption>
          <Suspense
            fallback={
              <p className="hint" role="status">
                Loading the score…
              </p>
            }
          >
            <ScoreView
              layout={layout}
              label={props.label}
              chordLabels={chordLabels}
              tempoBpm={props.tempoBpm}
              getPlayback={props.getPlayback}
              playing={props.playing}
              showPlayhead={props.showPlayhead}
              positionKey={props.positionKey}
              onSeek={props.onSeek}
              editor={editor}
              lock={lock}
            />
          </Suspense>
        </figure>
      )}
    </section>
  );
}

/**
 * The score view: the piece engraved by abcjs from the ABC text of its layout, wrapped into systems to the width
 * it has, with the bar being played highlighted and kept in view. A click on a note moves playback to it, a click
 * elsewhere in a bar to the bar's start; the arrow keys move a bar at a time. While editing notes, a click on a note
 * selects it instead (it is marked in red) and the keys are the note editor's. Loaded on first use (its own chunk).
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { renderAbc, type TuneObject } from 'abcjs';
import { layoutToAbc, lockedMarks, type AbcMark, type ChordLabels } from '../music/abc';
import type { AccompanimentLock } from '../music/locks';
import type { ScoreLayout } from '../music/score';
import { displayName, keyName } from '../music/spelling';
import type { NoteEditor } from './EditBar';

export interface ScoreViewProps {
  layout: ScoreLayout;
  label: string;
  chordLabels: ChordLabels;
  tempoBpm: number;
  getPlayback: () => { seconds: number; tempoBpm: number; playing: boolean };
  playing: boolean;
  showPlayhead: boolean;
  positionKey?: number;
  onSeek?: (seconds: number) => void;
  /** The note editor, while editing is on: a click on a note selects it, and the keys edit. */
  editor?: NoteEditor | null;
  /** The locks on the accompaniment this layout shows: its locked notes are drawn in blue (src/music/locks.ts); absent: none. */
  lock?: AccompanimentLock | null;
}

/** The class that marks the note selected for editing on the engraving. */
const SELECTED_CLASS = 'abcjs-edit-selected';
/** The class that marks a locked note of the accompaniment on the engraving. */
const LOCKED_CLASS = 'abcjs-locked';

/** Gives the engraved elements of the notes at `chars` (offsets in the ABC text) the class `name`, and no others. */
function markEngraved(paper: HTMLElement, tune: TuneObject | null, name: string, chars: readonly number[]): void {
  for (const el of paper.querySelectorAll(`.${name}`)) el.classList.remove(name);
  for (const char of chars) {
    const element = tune?.getElementFromChar(char) as { abselem?: { elemset?: SVGElement[] } } | null | undefined;
    for (const el of element?.abselem?.elemset ?? []) el.classList.add(name);
  }
}

/** The mark of the note of `track` sounding at `step` with `pitch`, or undefined. */
function markOfNote(marks: readonly AbcMark[], track: number, step: number, pitch: number): AbcMark | undefined {
  return marks.find((m) => m.track === track && m.pitches.includes(pitch) && m.startStep <= step && step < m.startStep + m.steps);
}

/** A bar's box on the engraving, in the paper's pixels. */
interface BarBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** About how wide one bar of a chorale needs to be to stay readable, in pixels. */
const BAR_WIDTH = 250;

/** The bar (0-based) of every note and rest the engraver drew, from its line and measure classes. */
function barBoxes(paper: HTMLElement, barsPerLine: number): BarBox[] {
  const origin = paper.getBoundingClientRect();
  const boxes: BarBox[] = [];
  const systems = new Map<number, { top: number; bottom: number }>();
  for (const staff of paper.querySelectorAll<SVGElement>('.abcjs-staff')) {
    const line = Number(/abcjs-l(\d+)/.exec(staff.getAttribute('class') ?? '')?.[1] ?? -1);
    const r = staff.getBoundingClientRect();
    const system = systems.get(line) ?? { top: Infinity, bottom: -Infinity };
    systems.set(line, { top: Math.min(system.top, r.top), bottom: Math.max(system.bottom, r.bottom) });
  }
  for (const el of paper.querySelectorAll<SVGElement>('.abcjs-note, .abcjs-rest')) {
    const classes = el.getAttribute('class') ?? '';
    const line = /abcjs-l(\d+)/.exec(classes);
    const measure = /abcjs-m(\d+)/.exec(classes);
    if (!line || !measure) continue;
    const bar = Number(line[1]) * barsPerLine + Number(measure[1]);
    const r = el.getBoundingClientRect();
    const system = systems.get(Number(line[1])) ?? { top: r.top, bottom: r.bottom };
    const box = boxes[bar];
    const left = Math.min(box ? box.x : Infinity, r.left - origin.left - 6);
    const right = Math.max(box ? box.x + box.width : -Infinity, r.right - origin.left + 6);
    boxes[bar] = { x: left, y: system.top - origin.top - 4, width: right - left, height: system.bottom - system.top + 8 };
  }
  return boxes;
}

/** Lets a screen reader read each chord symbol as a chord (inside the engraving, which stays a group). */
function labelChords(paper: HTMLElement, chordLabels: ChordLabels): void {
  const svg = paper.querySelector('svg');
  svg?.setAttribute('role', 'group');
  for (const text of paper.querySelectorAll<SVGElement>('.abcjs-chord, .abcjs-annotation')) {
    const name = displayName((text.textContent ?? '').trim());
    if (!name) continue;
    text.setAttribute('role', 'img');
    text.setAttribute('aria-label', chordLabels === 'roman' ? `chord ${name} in the key` : `chord ${name}`);
    text.setAttribute('data-testid', 'score-chord');
  }
}

export default function ScoreView({
  layout,
  label,
  chordLabels,
  tempoBpm,
  getPlayback,
  playing,
  showPlayhead,
  positionKey = 0,
  onSeek,
  editor = null,
  lock = null,
}: ScoreViewProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const paperRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [boxes, setBoxes] = useState<BarBox[]>([]);
  const [renderMs, setRenderMs] = useState(0);
  const noteClicked = useRef(false);
  const tuneRef = useRef<TuneObject | null>(null);
  const [engraved, setEngraved] = useState(0);
  // The engraving's click handler reads the editor through a ref, as it does the seek.
  const editorRef = useRef(editor);
  useEffect(() => {
    editorRef.current = editor;
  }, [editor]);
  const barsPerLine = Math.max(1, Math.floor((width - 24) / BAR_WIDTH));
  const score = useMemo(() => layoutToAbc(layout, { barsPerLine, chordLabels, tempoBpm }), [layout, barsPerLine, chordLabels, tempoBpm]);
  const secondsPerStep = 60 / (tempoBpm * layout.stepsPerBeat);

  const seekStep = useCallback((step: number) => onSeek?.(Math.max(0, step) * secondsPerStep), [onSeek, secondsPerStep]);
  // The engraving's click handler reads the latest seek through a ref: the page hands a new onSeek on every
  // render, and engraving again for each would keep the main thread busy while playing.
  const seekRef = useRef(seekStep);
  useEffect(() => {
    seekRef.current = seekStep;
  }, [seekStep]);

  useEffect(() => {
    const scroller = scrollRef.current;
    if (!scroller) return;
    const observer = new ResizeObserver(() => setWidth(Math.floor(scroller.clientWidth)));
    observer.observe(scroller);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const paper = paperRef.current;
    if (!paper || width === 0) return;
    const started = performance.now();
    const [tune] = renderAbc(paper, score.abc, {
      staffwidth: Math.max(200, width - 24),
      add_classes: true,
      paddingleft: 4,
      paddingright: 4,
      ariaLabel: `Score of ${label || 'the piece'}`,
      clickListener: (element) => {
        // The engraver's range of the clicked element (with the space before it) holds the mark of its note or rest.
        const start = element.startChar ?? -1;
        const end = element.endChar ?? start + 1;
        const found = score.marks.find((mark) => mark.char >= start && mark.char < end);
        if (!found) return;
        noteClicked.current = true;
        const edit = editorRef.current;
        // A rest selects its place, at the pitch the cursor is on.
        if (edit) edit.onSelect(found.track, found.startStep, found.pitches.at(-1) ?? edit.cursor.pitch);
        else seekRef.current(found.startStep);
      },
    });
    tuneRef.current = tune ?? null;
    setEngraved((n) => n + 1);
    labelChords(paper, chordLabels);
    setRenderMs(performance.now() - started);
    setBoxes(barBoxes(paper, barsPerLine));
  }, [score, width, label, chordLabels, barsPerLine]);

  const barAt = useCallback(() => {
    const playback = getPlayback();
    const step = (playback.seconds * playback.tempoBpm * layout.stepsPerBeat) / 60;
    return Math.min(layout.barCount - 1, Math.floor(step / layout.barSteps));
  }, [getPlayback, layout]);

  // While playing the bar is read every frame; otherwise on each render (a seek re-renders through positionKey).
  const [liveBar, setLiveBar] = useState<number | null>(null);
  useEffect(() => {
    if (!playing || !showPlayhead) return;
    let frame = 0;
    const tick = () => {
      setLiveBar(barAt());
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing, showPlayhead, barAt]);
  const currentBar = !showPlayhead ? null : playing && liveBar !== null ? liveBar : barAt();
  void positionKey;

  const box = currentBar === null ? undefined : boxes[currentBar];
  // The view follows playback: the current bar's system is scrolled into view.
  useEffect(() => {
    const scroller = scrollRef.current;
    if (!box || !scroller || !playing) return;
    if (box.y < scroller.scrollTop || box.y + box.height > scroller.scrollTop + scroller.clientHeight)
      scroller.scrollTop = Math.max(0, box.y - 8);
  }, [box, playing]);

  // The accompaniment's locked notes are marked on the engraving.
  const locked = useMemo(() => lockedMarks(score.marks, lock), [score, lock]);
  useEffect(() => {
    if (paperRef.current)
      markEngraved(
        paperRef.current,
        tuneRef.current,
        LOCKED_CLASS,
        locked.map((m) => m.char),
      );
  }, [locked, engraved]);

  // The note under the editor's cursor is marked on the engraving.
  const selected = editor ? markOfNote(score.marks, editor.track, editor.cursor.step, editor.cursor.pitch) : undefined;
  const selectedChar = selected?.char ?? -1;
  useEffect(() => {
    if (paperRef.current) markEngraved(paperRef.current, tuneRef.current, SELECTED_CLASS, selectedChar < 0 ? [] : [selectedChar]);
  }, [selectedChar, engraved]);

  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    if (noteClicked.current) {
      noteClicked.current = false;
      return;
    }
    if (editor) return;
    const paper = paperRef.current;
    if (!paper || !onSeek) return;
    const origin = paper.getBoundingClientRect();
    const x = event.clientX - origin.left;
    const y = event.clientY - origin.top;
    const bar = boxes.findIndex((b) => b && x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height);
    if (bar >= 0) seekStep(bar * layout.barSteps);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (editor) {
      if (editor.onKey(event)) event.preventDefault();
      return;
    }
    if (!onSeek) return;
    const bar = barAt();
    const to = { ArrowRight: bar + 1, ArrowLeft: bar - 1, Home: 0, End: layout.barCount - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    seekStep(Math.min(layout.barCount - 1, Math.max(0, to)) * layout.barSteps);
  };

  const description = `${layout.barCount} bar${layout.barCount === 1 ? '' : 's'} in ${keyName(layout.key)}, ${layout.staves.length} staves: ${layout.staves
    .flatMap((s) => s.voices.map((v) => v.name))
    .join(
      ', ',
    )}.${locked.length ? ` ${locked.length} note${locked.length === 1 ? '' : 's'} of the accompaniment locked, drawn in blue.` : ''}`;
  return (
    <div
      className="score-scroll"
      ref={scrollRef}
      tabIndex={0}
      role="region"
      aria-label={
        editor
          ? `Score, editing ${editor.trackLabel}. ${description} Click a note to select it; the note editor's keys act on it.`
          : `Score. ${description} Left and right arrows move playback a bar back or on.`
      }
      aria-describedby={editor ? editor.helpId : undefined}
      data-selected-char={selected ? selected.char : ''}
      data-testid="score-view"
      data-bars={layout.barCount}
      data-key={keyName(layout.key)}
      data-fifths={layout.fifths}
      data-bars-per-line={barsPerLine}
      data-render-ms={renderMs.toFixed(0)}
      data-locked-notes={locked.length}
      data-current-bar={currentBar ?? ''}
      onKeyDown={onKeyDown}
      onClick={onClick}
    >
      <div className="score-paper-wrap">
        {box && (
          <div
            className="score-bar-highlight"
            data-testid="score-bar-highlight"
            style={{ left: box.x, top: box.y, width: box.width, height: box.height }}
            aria-hidden="true"
          />
        )}
        <div ref={paperRef} className={onSeek ? 'score-paper seekable' : 'score-paper'} data-testid="score-paper" />
      </div>
    </div>
  );
}

/**
 * The piano-roll view: every track's notes on one canvas, a legend, a playhead, scroll and zoom.
 * A click or drag on the notes moves playback there (when `onSeek` is given); with an `editor` they edit the notes
 * instead, and the keys move a cursor drawn on the grid (src/ui/editInput.ts says what each does).
 */
import { isLocked, lockedNoteCount, type AccompanimentLock } from '../music/locks';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { PianoRoll } from '../music/pianoRoll';
import { pitchName } from '../music/spelling';
import { scheduleRoll } from '../audio/schedule';
import { noteRect, pitchRange, placeChordSymbols, stepAt, trackColor } from './rollGeometry';
import type { NoteEditor } from './EditBar';
import { drawEditing, useRollEditing } from './useRollEditing';

interface Props {
  roll: PianoRoll | null;
  label: string;
  /** Seconds of playback so far and the tempo it runs at, read every frame while playing. */
  getPlayback: () => { seconds: number; tempoBpm: number; playing: boolean };
  playing: boolean;
  /** Whether the playhead is drawn (also when paused or moved by a seek while stopped). */
  showPlayhead: boolean;
  /** Changes whenever the position may have changed while not playing (a seek), to redraw the playhead. */
  positionKey?: number;
  /** Tracks that are silent now (muted or not soloed), drawn faded. */
  silent: readonly boolean[];
  /** Moves playback to this many seconds; without it the roll does not seek. */
  onSeek?: (seconds: number) => void;
  /** Pitches to show; default the notes' own range. */
  range?: { low: number; high: number };
  height?: number;
  testId?: string;
  /** Chords to print over the roll, each at its step: the text shown and the label a screen reader reads. */
  chords?: readonly { startStep: number; steps: number; text: string; label: string }[];
  /** Index into the zoom levels to start at (pixels per step 1, 2, 3, 4, 6, 8, 12, 16, 24); default 4 (6 px). */
  initialZoom?: number;
  /** Edits the notes of one track (clicks and keys edit instead of seeking); absent while editing is off. */
  editor?: NoteEditor | null;
  /** The accompaniment's locks: its locked notes are drawn outlined (src/music/locks.ts); absent: none. */
  lock?: AccompanimentLock | null;
}

const ZOOMS = [1, 2, 3, 4, 6, 8, 12, 16, 24] as const;
/** The zoom editing starts at, at least (12 px a step): a 16th note wide enough to click. */
const EDIT_ZOOM = 6;
/** The roll's height while editing, in CSS pixels: rows tall enough to click. */
const EDIT_HEIGHT = 360;

/** The font of the chord symbols over the roll (app.css, .chord-lane li), to measure their names. */
const CHORD_FONT = '600 0.85rem system-ui, sans-serif';
let chordMeasure: CanvasRenderingContext2D | null | undefined;

/** The width a chord symbol's name needs, in CSS pixels (its padding included). */
function chordSymbolWidth(text: string): number {
  if (chordMeasure === undefined) {
    chordMeasure = document.createElement('canvas').getContext('2d');
    if (chordMeasure) chordMeasure.font = CHORD_FONT;
  }
  const measured = chordMeasure?.measureText(text).width;
  return (measured || text.length * 8) + 6;
}

/** Sets one inline style property, leaving the element alone when it already has that value (a frame writes it). */
function setStyle(element: HTMLElement, property: 'display' | 'top' | 'height' | 'transform', value: string): void {
  if (element.style[property] !== value) element.style[property] = value;
}

/** Draws a roll; long pieces scroll sideways and only the visible part is drawn. */
export function PianoRollView({
  roll,
  label,
  getPlayback,
  playing,
  showPlayhead,
  positionKey = 0,
  silent,
  onSeek,
  range: fixedRange,
  height = 280,
  testId = 'piano-roll-canvas',
  initialZoom = 4,
  chords = [],
  editor = null,
  lock = null,
}: Props) {
  const [zoomIndex, setZoomIndex] = useState(initialZoom);
  // Editing zooms in far enough to click a 16th (once, as it starts: the user may zoom out again).
  const [zoomedForEditing, setZoomedForEditing] = useState(false);
  if (Boolean(editor) !== zoomedForEditing) {
    setZoomedForEditing(Boolean(editor));
    if (editor) setZoomIndex((z) => Math.max(z, EDIT_ZOOM));
  }
  const pxPerStep = ZOOMS[zoomIndex];
  const scrollRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const events = useMemo(() => (roll ? scheduleRoll(roll) : []), [roll]);
  const editTrack = editor?.track ?? -1;
  const cursorPitch = editor?.cursor.pitch ?? null;
  // While editing, room above and below the notes to put new ones, and the cursor always on the roll.
  const ownRange = useMemo(() => {
    const own = pitchRange(events, cursorPitch === null ? 2 : 6);
    if (cursorPitch === null) return own;
    return { low: Math.max(0, Math.min(own.low, cursorPitch - 2)), high: Math.min(127, Math.max(own.high, cursorPitch + 2)) };
  }, [events, cursorPitch]);
  const HEIGHT = editor ? Math.max(height, EDIT_HEIGHT) : height;
  const editing = useRollEditing(editor, roll, { scrollRef, pxPerStep, height: HEIGHT, range: fixedRange ?? ownRange });
  const { editNotes, range, ghost } = editing;
  const totalWidth = (roll?.steps ?? 0) * pxPerStep;
  // Chord symbols alternate between two rows where the harmony changes faster than their names fit.
  const chordPlaces = useMemo(() => placeChordSymbols(chords, pxPerStep, chordSymbolWidth, totalWidth), [chords, pxPerStep, totalWidth]);
  const playheadRef = useRef<HTMLDivElement>(null);

  // A text alternative for the canvas: what is drawn, in words.
  const description = useMemo(() => {
    if (!roll) return 'Empty piano roll.';
    const bars = Math.ceil(roll.steps / (roll.beatsPerBar * roll.stepsPerBeat));
    const parts = roll.tracks.map((track, i) => {
      const notes = events.filter((e) => e.track === i);
      if (notes.length === 0) return `${track.name || `Track ${i + 1}`}: no notes`;
      const low = Math.min(...notes.map((e) => e.pitch));
      const high = Math.max(...notes.map((e) => e.pitch));
      return `${track.name || `Track ${i + 1}`}: ${notes.length} notes from ${pitchName(low)} to ${pitchName(high)}`;
    });
    const locked = lock && lock.roll === roll ? lockedNoteCount(lock) : 0;
    const lockWords = locked ? ` ${locked} note${locked === 1 ? '' : 's'} of the accompaniment locked, drawn outlined.` : '';
    return `Piano roll of ${label || 'the piece'}, ${bars} bar${bars === 1 ? '' : 's'}. ${parts.join('; ')}.${lockWords}`;
  }, [roll, events, label, lock]);

  const draw = useCallback(() => {
    const canvas = canvasRef.current;
    const scroller = scrollRef.current;
    if (!canvas || !scroller) return;
    const width = scroller.clientWidth;
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(HEIGHT * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(HEIGHT * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${HEIGHT}px`;
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    const left = scroller.scrollLeft;
    const rowHeight = HEIGHT / (range.high - range.low + 1);
    // Black-key rows shaded, as on a keyboard, so pitches can be read off.
    for (let pitch = range.low; pitch <= range.high; pitch++) {
      if ([1, 3, 6, 8, 10].includes(pitch % 12)) {
        ctx.fillStyle = '#f1f3f6';
        ctx.fillRect(0, (range.high - pitch) * rowHeight, width, rowHeight);
      }
    }
    if (roll) {
      const barSteps = roll.beatsPerBar * roll.stepsPerBeat;
      // While editing, the snap grid between the beats, where it is wide enough to see.
      const snap = editor?.snap ?? roll.stepsPerBeat;
      if (snap < roll.stepsPerBeat && snap * pxPerStep >= 6) {
        ctx.fillStyle = '#f3f5f8';
        for (let step = Math.floor(left / pxPerStep / snap) * snap; step * pxPerStep < left + width; step += snap)
          if (step % roll.stepsPerBeat !== 0) ctx.fillRect(step * pxPerStep - left, 0, 1, HEIGHT);
      }
      for (
        let step = Math.floor(left / pxPerStep / roll.stepsPerBeat) * roll.stepsPerBeat;
        step * pxPerStep < left + width;
        step += roll.stepsPerBeat
      ) {
        ctx.fillStyle = step % barSteps === 0 ? '#c9d1d9' : '#eaeef2';
        ctx.fillRect(step * pxPerStep - left, 0, 1, HEIGHT);
      }
      // Accompaniment first, melody last, so the melody stays readable on top.
      const ordered = [...events.filter((e) => e.track !== 0), ...events.filter((e) => e.track === 0)];
      for (const event of ordered) {
        const rect = noteRect(event, range, pxPerStep, HEIGHT);
        if (rect.x + rect.width < left || rect.x > left + width) continue;
        // While editing, the other tracks stay in view but step back; the note being dragged is drawn where it goes.
        const edited = event.track === editTrack;
        const dragged = edited && ghost?.from?.pitch === event.pitch && ghost.from.startStep === event.step;
        ctx.globalAlpha = silent[event.track] ? 0.2 : dragged ? 0.25 : editor && !edited ? 0.35 : event.track === 0 ? 1 : 0.8;
        ctx.fillStyle = trackColor(event.track);
        ctx.fillRect(rect.x - left, rect.y, rect.width, rect.height);
        if (lock && lock.roll === roll && isLocked(lock, event.step, event.track)) {
          // A locked note: a dark outline (a shape, not a colour alone, says it is locked).
          ctx.globalAlpha = 1;
          ctx.strokeStyle = '#1f2328';
          ctx.lineWidth = 1.5;
          ctx.strokeRect(rect.x - left + 0.75, rect.y + 0.75, Math.max(1, rect.width - 1.5), Math.max(1, rect.height - 1.5));
        }
      }
      ctx.globalAlpha = 1;
      if (editor)
        drawEditing(ctx, {
          left,
          editor,
          ghost: ghost?.note ?? null,
          notes: editNotes,
          range,
          pxPerStep,
          height: HEIGHT,
          steps: roll.steps,
        });
    }
    // Pitch labels last, on top of the notes, in a colour with 4.5:1 contrast or more on white.
    ctx.font = '11px system-ui, sans-serif';
    for (let pitch = range.low; pitch <= range.high; pitch++) {
      if (pitch % 12 !== 0) continue;
      const y = (range.high - pitch + 1) * rowHeight - 2;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(0, y - 10, 24, 12);
      ctx.fillStyle = '#424a53';
      ctx.fillText(`C${pitch / 12 - 1}`, 2, y);
    }
  }, [events, range, pxPerStep, roll, silent, HEIGHT, editor, editTrack, ghost, editNotes, lock]);

  useEffect(() => {
    draw();
    const scroller = scrollRef.current;
    if (!scroller) return;
    const observer = new ResizeObserver(() => draw());
    observer.observe(scroller);
    return () => observer.disconnect();
  }, [draw]);

  // The playhead is an element of its own over the canvas, moved by a transform: while playing, a frame moves it and
  // redraws nothing (the notes are drawn again only when they, the zoom or the scroll change).
  const placePlayhead = useCallback(
    (follow: boolean) => {
      const line = playheadRef.current;
      const canvas = canvasRef.current;
      if (!roll || !showPlayhead) {
        if (line) setStyle(line, 'display', 'none');
        if (canvas) delete canvas.dataset.playhead;
        return;
      }
      const playback = getPlayback();
      const step = stepAt(playback.seconds, playback.tempoBpm, roll.stepsPerBeat);
      if (line && canvas) {
        setStyle(line, 'display', 'block');
        setStyle(line, 'top', `${canvas.offsetTop}px`);
        setStyle(line, 'height', `${HEIGHT}px`);
        setStyle(line, 'transform', `translateX(${(step * pxPerStep).toFixed(1)}px)`);
      }
      // Exposed for tests and assistive tools: the playhead's step, whole (written only when it changes).
      const whole = String(Math.floor(step));
      if (canvas && canvas.dataset.playhead !== whole) canvas.dataset.playhead = whole;
      const scroller = scrollRef.current;
      if (scroller && follow) {
        const x = step * pxPerStep;
        // Follow the playhead a page at a time, so the notes do not slide under the reader's eyes.
        if (x < scroller.scrollLeft || x > scroller.scrollLeft + scroller.clientWidth - 20) scroller.scrollLeft = Math.max(0, x - 20);
      }
    },
    [roll, showPlayhead, getPlayback, pxPerStep, HEIGHT],
  );

  useEffect(() => {
    if (!playing || !roll) {
      placePlayhead(false);
      draw();
      return;
    }
    draw();
    let frame = 0;
    const tick = () => {
      // Following the playhead scrolls the roll, whose scroll handler redraws the notes.
      placePlayhead(true);
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing, roll, draw, placePlayhead, positionKey]);

  const seekTo = (event: PointerEvent<HTMLCanvasElement>) => {
    const scroller = scrollRef.current;
    if (!onSeek || !roll || !scroller) return;
    const x = event.clientX - event.currentTarget.getBoundingClientRect().left + scroller.scrollLeft;
    const step = Math.min(Math.max(0, x / pxPerStep), roll.steps);
    onSeek((step * 60) / (getPlayback().tempoBpm * roll.stepsPerBeat));
  };

  return (
    <figure className="piano-roll">
      <div className="roll-toolbar">
        <figcaption>{label || 'No melody yet'}</figcaption>
        <div className="zoom" role="group" aria-label="Zoom">
          <button type="button" onClick={() => setZoomIndex((z) => Math.max(0, z - 1))} disabled={zoomIndex === 0} aria-label="Zoom out">
            −
          </button>
          <button
            type="button"
            onClick={() => setZoomIndex((z) => Math.min(ZOOMS.length - 1, z + 1))}
            disabled={zoomIndex === ZOOMS.length - 1}
            aria-label="Zoom in"
          >
            +
          </button>
        </div>
      </div>
      <div
        className={editor ? 'roll-scroll editing' : 'roll-scroll'}
        ref={scrollRef}
        onScroll={draw}
        tabIndex={0}
        {...(editor
          ? {
              role: 'application',
              'aria-roledescription': 'note editor',
              'aria-label': `Note editor, editing ${editor.trackLabel}`,
              'aria-describedby': editor.helpId,
              'data-testid': 'roll-editor',
              onKeyDown: (event: KeyboardEvent<HTMLDivElement>) => {
                if (editor.onKey(event)) event.preventDefault();
              },
            }
          : { role: 'region', 'aria-label': 'Piano roll; scroll it with the arrow keys' })}
      >
        {chords.length > 0 && (
          <ol
            className={chordPlaces.some((p) => p.row === 1) ? 'chord-lane two-rows' : 'chord-lane'}
            aria-label="Chords"
            style={{ width: totalWidth }}
            data-testid="roll-chords"
          >
            {chords.map((chord, i) => (
              <li
                key={chord.startStep}
                className={chordPlaces[i].row === 1 ? 'second-row' : undefined}
                style={{ left: chord.startStep * pxPerStep, maxWidth: chordPlaces[i].maxWidth }}
              >
                <span role="img" aria-label={chord.label} data-testid="roll-chord" data-step={chord.startStep}>
                  {chord.text}
                </span>
              </li>
            ))}
          </ol>
        )}
        <canvas
          ref={canvasRef}
          className={editor ? 'roll-canvas editable' : onSeek ? 'roll-canvas seekable' : 'roll-canvas'}
          role="img"
          aria-label={description}
          title={
            editor
              ? 'Click to add a note, drag a note to move it or its end to resize it, right-click a note to delete it'
              : onSeek
                ? 'Click or drag to move playback here'
                : undefined
          }
          data-testid={testId}
          data-notes={events.length}
          data-range-low={range.low}
          data-range-high={range.high}
          data-px-per-step={pxPerStep}
          {...(editor && {
            'data-edit-track': editor.track,
            'data-cursor-step': editor.cursor.step,
            'data-cursor-pitch': editor.cursor.pitch,
            'data-edit-notes': editNotes.length,
          })}
          {...(editing.handlers ?? {
            onPointerDown: (e: PointerEvent<HTMLCanvasElement>) => {
              if (!onSeek || e.button !== 0) return;
              e.currentTarget.setPointerCapture(e.pointerId);
              seekTo(e);
            },
            onPointerMove: (e: PointerEvent<HTMLCanvasElement>) => {
              if (onSeek && e.currentTarget.hasPointerCapture(e.pointerId)) seekTo(e);
            },
          })}
        />
        <div className="roll-playhead" ref={playheadRef} aria-hidden="true" />
        <div style={{ width: totalWidth, height: 1 }} />
      </div>
      {roll && (
        <ul className="legend" aria-label="Tracks">
          {roll.tracks.map((track, i) => (
            <li key={i} className={silent[i] ? 'silent' : ''}>
              <span className="swatch" style={{ background: trackColor(i) }} aria-hidden="true" />
              {track.name || `Track ${i + 1}`}
              {silent[i] && <span className="sr-only"> (silent)</span>}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

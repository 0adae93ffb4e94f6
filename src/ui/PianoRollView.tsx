/** The piano-roll view: every track's notes on one canvas, a legend, a playhead, scroll and zoom. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { PianoRoll } from '../music/pianoRoll';
import { scheduleRoll } from '../audio/schedule';
import { noteRect, pitchRange, stepAt, trackColor } from './rollGeometry';

interface Props {
  roll: PianoRoll | null;
  label: string;
  /** Seconds of playback so far and the tempo it runs at, read every frame while playing. */
  getPlayback: () => { seconds: number; tempoBpm: number; playing: boolean };
  playing: boolean;
  /** Tracks that are silent now (muted or not soloed), drawn faded. */
  silent: readonly boolean[];
}

const HEIGHT = 280;
const ZOOMS = [1, 2, 3, 4, 6, 8, 12, 16, 24] as const;

/** Draws a roll; long pieces scroll sideways and only the visible part is drawn. */
export function PianoRollView({ roll, label, getPlayback, playing, silent }: Props) {
  const [zoomIndex, setZoomIndex] = useState(4);
  const pxPerStep = ZOOMS[zoomIndex];
  const scrollRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const events = useMemo(() => (roll ? scheduleRoll(roll) : []), [roll]);
  const range = useMemo(() => pitchRange(events), [events]);
  const totalWidth = (roll?.steps ?? 0) * pxPerStep;
  const playheadRef = useRef<number | null>(null);

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
      if (pitch % 12 === 0) {
        ctx.fillStyle = '#8c959f';
        ctx.font = '10px system-ui, sans-serif';
        ctx.fillText(`C${pitch / 12 - 1}`, 2, (range.high - pitch + 1) * rowHeight - 2);
      }
    }
    if (roll) {
      const barSteps = roll.beatsPerBar * roll.stepsPerBeat;
      for (let step = Math.floor(left / pxPerStep / roll.stepsPerBeat) * roll.stepsPerBeat; step * pxPerStep < left + width; step += roll.stepsPerBeat) {
        ctx.fillStyle = step % barSteps === 0 ? '#c9d1d9' : '#eaeef2';
        ctx.fillRect(step * pxPerStep - left, 0, 1, HEIGHT);
      }
      // Accompaniment first, melody last, so the melody stays readable on top.
      const ordered = [...events.filter((e) => e.track !== 0), ...events.filter((e) => e.track === 0)];
      for (const event of ordered) {
        const rect = noteRect(event, range, pxPerStep, HEIGHT);
        if (rect.x + rect.width < left || rect.x > left + width) continue;
        ctx.globalAlpha = silent[event.track] ? 0.2 : event.track === 0 ? 1 : 0.8;
        ctx.fillStyle = trackColor(event.track);
        ctx.fillRect(rect.x - left, rect.y, rect.width, rect.height);
      }
      ctx.globalAlpha = 1;
    }
    const playhead = playheadRef.current;
    if (playhead !== null) {
      ctx.fillStyle = '#111';
      ctx.fillRect(playhead * pxPerStep - left, 0, 2, HEIGHT);
    }
  }, [events, range, pxPerStep, roll, silent]);

  useEffect(() => {
    draw();
    const scroller = scrollRef.current;
    if (!scroller) return;
    const observer = new ResizeObserver(() => draw());
    observer.observe(scroller);
    return () => observer.disconnect();
  }, [draw]);

  useEffect(() => {
    if (!playing || !roll) {
      playheadRef.current = null;
      draw();
      return;
    }
    let frame = 0;
    const tick = () => {
      const playback = getPlayback();
      const step = stepAt(playback.seconds, playback.tempoBpm, roll.stepsPerBeat);
      playheadRef.current = step;
      // Exposed for tests and assistive tools: the playhead's step, whole.
      if (canvasRef.current) canvasRef.current.dataset.playhead = String(Math.floor(step));
      const scroller = scrollRef.current;
      if (scroller) {
        const x = step * pxPerStep;
        // Follow the playhead a page at a time, so the notes do not slide under the reader's eyes.
        if (x < scroller.scrollLeft || x > scroller.scrollLeft + scroller.clientWidth - 20) scroller.scrollLeft = Math.max(0, x - 20);
      }
      draw();
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing, roll, getPlayback, draw, pxPerStep]);

  return (
    <figure className="piano-roll" aria-label={`Piano roll: ${label}`}>
      <div className="roll-toolbar">
        <figcaption>{label || 'No melody yet'}</figcaption>
        <div className="zoom" role="group" aria-label="Zoom">
          <button type="button" onClick={() => setZoomIndex((z) => Math.max(0, z - 1))} disabled={zoomIndex === 0} aria-label="Zoom out">
            −
          </button>
          <button type="button" onClick={() => setZoomIndex((z) => Math.min(ZOOMS.length - 1, z + 1))} disabled={zoomIndex === ZOOMS.length - 1} aria-label="Zoom in">
            +
          </button>
        </div>
      </div>
      <div className="roll-scroll" ref={scrollRef} onScroll={draw} tabIndex={0} role="region" aria-label="Scroll the piano roll with the arrow keys">
        <canvas ref={canvasRef} className="roll-canvas" data-testid="piano-roll-canvas" data-notes={events.length} />
        <div style={{ width: totalWidth, height: 1 }} />
      </div>
      {roll && (
        <ul className="legend" aria-label="Tracks">
          {roll.tracks.map((track, i) => (
            <li key={i} className={silent[i] ? 'silent' : ''}>
              <span className="swatch" style={{ background: trackColor(i) }} aria-hidden="true" />
              {track.name || `Track ${i + 1}`}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

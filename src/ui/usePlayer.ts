/** React hooks on the page's player: its state as it changes, and a position read every frame while playing. */
import { useEffect, useState } from 'react';
import type { PlayerSnapshot } from '../audio/player';
import { usePage } from './context';

/** The player's latest snapshot; the component re-renders on every change. */
export function usePlayerSnapshot(): PlayerSnapshot {
  const { player } = usePage();
  const [snapshot, setSnapshot] = useState(() => player.snapshot());
  useEffect(() => player.subscribe(setSnapshot), [player]);
  return snapshot;
}

/** How finely the position moves while playing, in seconds: the readout shows tenths. */
const LIVE_RESOLUTION = 0.1;

/**
 * The playback position in seconds: while playing read every animation frame and moved in tenths of a second (the
 * component re-renders ten times a second, not every frame); exact on every change otherwise.
 */
export function usePlaybackPosition(): number {
  const { player } = usePage();
  const snap = usePlayerSnapshot();
  const [live, setLive] = useState(0);
  useEffect(() => {
    if (snap.state !== 'playing') return;
    let frame = 0;
    const tick = () => {
      // The same value again is no change to React: no render.
      setLive(Math.floor(player.position / LIVE_RESOLUTION) * LIVE_RESOLUTION);
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [player, snap]);
  return snap.state === 'playing' ? live : snap.position;
}

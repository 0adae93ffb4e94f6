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

/** The playback position in seconds, refreshed every animation frame while playing and on every change otherwise. */
export function usePlaybackPosition(): number {
  const { player } = usePage();
  const snap = usePlayerSnapshot();
  const [live, setLive] = useState(0);
  useEffect(() => {
    if (snap.state !== 'playing') return;
    let frame = 0;
    const tick = () => {
      setLive(player.position);
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [player, snap]);
  return snap.state === 'playing' ? live : snap.position;
}

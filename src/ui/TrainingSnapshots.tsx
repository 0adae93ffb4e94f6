/** The training panel's snapshots: accompaniments written during training, to hear the model learn. */
import { useCallback, useMemo } from 'react';
import { scheduleRoll } from '../audio/schedule';
import { useAppState, usePage } from './context';
import { PianoRollView } from './PianoRollView';
import { pitchRange } from './rollGeometry';
import { usePlayerSnapshot } from './usePlayer';

/** The list of snapshots, and the one being heard. */
export function TrainingSnapshots() {
  const { controller } = usePage();
  const snapshots = useAppState((s) => s.snapshots);
  const audition = useAppState((s) => s.audition);
  return (
    <>
      <h3>Snapshots</h3>
      <ul className="snapshots" data-testid="snapshot-list" data-count={snapshots.length}>
        {snapshots.length === 0 && <li className="hint">Accompaniments written during training appear here, to hear the model learn.</li>}
        {snapshots.map((s) => (
          <li key={s.epoch}>
            <button
              type="button"
              aria-pressed={audition?.epoch === s.epoch}
              onClick={() => void controller.playSnapshot(s.epoch)}
              data-testid={`snapshot-${s.epoch}`}
            >
              ▶ Epoch {s.epoch}
            </button>
          </li>
        ))}
      </ul>
      {audition && <SnapshotPlayer />}
    </>
  );
}

/** The snapshot being heard, drawn on the melody's own pitch range, with the way back to the accompaniment. */
function SnapshotPlayer() {
  const { controller, player } = usePage();
  const audition = useAppState((s) => s.audition);
  const melody = useAppState((s) => s.melody);
  const snap = usePlayerSnapshot();
  const getPlayback = useCallback(
    () => ({ seconds: player.position, tempoBpm: player.snapshot().tempoBpm, playing: player.snapshot().state === 'playing' }),
    [player],
  );
  // The melody's range, reaching down two octaves for the voices under it: an untrained model's stray notes
  // far away would otherwise squash the picture to nothing.
  const range = useMemo(() => {
    const own = pitchRange(melody ? scheduleRoll(melody) : []);
    return { low: Math.max(0, own.low - 24), high: own.high };
  }, [melody]);
  if (!audition) return null;
  return (
    <div className="snapshot-player" data-testid="snapshot-player" data-epoch={audition.epoch}>
      <PianoRollView
        roll={audition.roll}
        label={`Snapshot after epoch ${audition.epoch}`}
        getPlayback={getPlayback}
        playing={snap.state === 'playing'}
        showPlayhead={snap.state !== 'stopped'}
        silent={[]}
        range={range}
        height={160}
        initialZoom={7}
        testId="snapshot-roll-canvas"
      />
      <div className="row buttons">
        <button
          type="button"
          onClick={() => (snap.state === 'playing' ? player.pause() : void controller.play())}
          data-testid="snapshot-play-button"
        >
          {snap.state === 'playing' ? '❚❚ Pause' : '▶ Play snapshot'}
        </button>
        <button
          type="button"
          className="primary-outline"
          onClick={() => controller.backToAccompaniment()}
          data-testid="back-to-accompaniment"
        >
          ← Back to my accompaniment
        </button>
      </div>
    </div>
  );
}

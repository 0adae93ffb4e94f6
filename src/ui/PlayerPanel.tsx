/** Listen: the piano roll, transport, tempo, loop, the per-track mixer and MIDI export. */
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { audibleTracks, countByTrack, scheduleRoll } from '../audio/schedule';
import { INSTRUMENTS, type InstrumentName } from '../audio/instruments';
import type { PlayerSnapshot } from '../audio/player';
import { PIANO_ATTRIBUTION, PIANO_LICENSE_URL } from '../audio/pianoSamples';
import { useAppState, usePage } from './context';
import { PianoRollView } from './PianoRollView';
import { trackColor } from './rollGeometry';

function usePlayerSnapshot(): PlayerSnapshot {
  const { player } = usePage();
  const [snapshot, setSnapshot] = useState(() => player.snapshot());
  useEffect(() => player.subscribe(setSnapshot), [player]);
  return snapshot;
}

/** The listening section. */
export function PlayerPanel() {
  const { controller, player } = usePage();
  const listening = useAppState((s) => s.listening);
  const mix = useAppState((s) => s.mix);
  const instruments = useAppState((s) => s.instruments);
  const tempoOverride = useAppState((s) => s.tempoBpm);
  const loop = useAppState((s) => s.loop);
  const snap = usePlayerSnapshot();
  const tempoId = useId();
  const roll = listening?.roll ?? null;
  const silent = useMemo(() => audibleTracks(roll?.tracks.length ?? 0, mix).map((a) => !a), [roll, mix]);
  // The mixer shows how many notes each track has; what is scheduled while playing is on data-scheduled-notes.
  const notesPerTrack = useMemo(() => (roll ? countByTrack(scheduleRoll(roll), roll.tracks.length) : []), [roll]);
  const getPlayback = useCallback(() => ({ seconds: player.position, tempoBpm: player.snapshot().tempoBpm, playing: player.snapshot().state === 'playing' }), [player]);
  const tempo = tempoOverride ?? roll?.tempoBpm ?? 120;

  return (
    <section className="panel wide" aria-labelledby="listen-heading">
      <h2 id="listen-heading">Listen</h2>
      <PianoRollView roll={roll} label={listening?.label ?? ''} getPlayback={getPlayback} playing={snap.state === 'playing'} silent={silent} />

      <div className="row buttons transport" data-testid="transport" data-transport-state={snap.state} data-loading={snap.loading}>
        <button type="button" className="primary" data-testid="play-button" disabled={!roll || snap.state === 'playing'} onClick={() => void controller.play()}>
          {snap.loading ? 'Loading piano…' : snap.state === 'paused' ? '▶ Resume' : '▶ Play'}
        </button>
        <button type="button" data-testid="pause-playback-button" disabled={snap.state !== 'playing'} onClick={() => controller.pause()}>
          ❚❚ Pause
        </button>
        <button type="button" data-testid="stop-button" disabled={snap.state === 'stopped'} onClick={() => controller.stop()}>
          ■ Stop
        </button>
        <label htmlFor={tempoId}>Tempo</label>
        <input
          id={tempoId}
          type="range"
          min={40}
          max={240}
          value={Math.round(tempo)}
          onChange={(e) => controller.setTempo(Number(e.target.value))}
          aria-valuetext={`${Math.round(tempo)} beats per minute`}
          data-testid="tempo-input"
        />
        <span className="tempo-value">{Math.round(tempo)} bpm</span>
        <label className="inline">
          <input type="checkbox" checked={loop} onChange={(e) => controller.setLoop(e.target.checked)} data-testid="loop-checkbox" /> Loop
        </label>
        <button type="button" data-testid="export-midi-button" disabled={!roll} onClick={() => controller.exportMidi()}>
          ⤓ Export MIDI
        </button>
      </div>

      {roll && (
        <table className="mixer" data-testid="mixer">
          <caption className="sr-only">Tracks</caption>
          <thead>
            <tr>
              <th scope="col">Track</th>
              <th scope="col">Instrument</th>
              <th scope="col">Mute</th>
              <th scope="col">Solo</th>
              <th scope="col">Volume</th>
              <th scope="col">Notes</th>
            </tr>
          </thead>
          <tbody>
            {roll.tracks.map((track, i) => {
              const m = mix[i];
              const name = track.name || `Track ${i + 1}`;
              return (
                <tr key={i} data-testid="track-row" data-track={i} data-scheduled-notes={snap.scheduledPerTrack[i] ?? 0} data-audible={!silent[i]}>
                  <th scope="row">
                    <span className="swatch" style={{ background: trackColor(i) }} aria-hidden="true" /> {name}
                  </th>
                  <td>
                    <select aria-label={`Instrument of ${name}`} value={instruments[i] ?? 'piano'} onChange={(e) => controller.setTrackInstrument(i, e.target.value as InstrumentName)}>
                      {Object.entries(INSTRUMENTS).map(([key, label]) => (
                        <option key={key} value={key}>
                          {label}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input type="checkbox" aria-label={`Mute ${name}`} checked={m?.muted ?? false} onChange={(e) => controller.setTrackMix(i, { muted: e.target.checked })} data-testid="mute-checkbox" />
                  </td>
                  <td>
                    <input type="checkbox" aria-label={`Solo ${name}`} checked={m?.solo ?? false} onChange={(e) => controller.setTrackMix(i, { solo: e.target.checked })} data-testid="solo-checkbox" />
                  </td>
                  <td>
                    <input type="range" min={-40} max={6} step={1} aria-label={`Volume of ${name}`} aria-valuetext={`${m?.volumeDb ?? 0} decibels`} value={m?.volumeDb ?? 0} onChange={(e) => controller.setTrackMix(i, { volumeDb: Number(e.target.value) })} />
                  </td>
                  <td className="num">{notesPerTrack[i] ?? 0}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p className="attribution">
        Piano: <a href={PIANO_LICENSE_URL}>{PIANO_ATTRIBUTION}</a>.
      </p>
    </section>
  );
}

/** Listen: the piano roll, transport (play/pause, position, seek, tempo, loop), the per-track mixer and MIDI export. */
import { useCallback, useEffect, useId, useMemo } from 'react';
import { audibleTracks, countByTrack, scheduleRoll } from '../audio/schedule';
import { INSTRUMENTS, type InstrumentName } from '../audio/instruments';
import { PIANO_ATTRIBUTION, PIANO_LICENSE_URL } from '../audio/pianoSamples';
import { SOUND_BANK_ATTRIBUTION, SOUND_BANK_LICENSE_URL } from '../audio/soundBank';
import { DEFAULT_TEMPO_BPM } from '../music/constants';
import type { PianoRoll } from '../music/pianoRoll';
import { barCount } from './controller';
import { useAppState, usePage } from './context';
import { CommitNumber } from './CommitNumber';
import { planExport } from './exportPlan';
import { ListenView } from './ListenView';
import { trackColor } from './rollGeometry';
import { usePlaybackPosition, usePlayerSnapshot } from './usePlayer';

/** True when a key press belongs to the element that has focus (typing, a button, a list), not to the page. */
function ownsSpace(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return Boolean(
    target.closest(
      'input, textarea, select, button, a[href], summary, [role="slider"], [role="listbox"], [role="textbox"], [role="button"]',
    ),
  );
}

/** "1:05.3". */
function clock(seconds: number): string {
  const s = Math.max(0, seconds);
  const minutes = Math.floor(s / 60);
  return `${minutes}:${(s - minutes * 60).toFixed(1).padStart(4, '0')}`;
}

/** Where playback is, as a musician reads it (bar and beat, 1-based) and as a clock. */
function PositionReadout({ roll, tempoBpm, duration }: { roll: PianoRoll; tempoBpm: number; duration: number }) {
  const seconds = usePlaybackPosition();
  const beats = (seconds * tempoBpm) / 60;
  const bar = Math.floor(beats / roll.beatsPerBar) + 1;
  const beat = Math.floor(beats % roll.beatsPerBar) + 1;
  return (
    <span
      className="readout"
      data-testid="position-readout"
      data-seconds={seconds.toFixed(2)}
      aria-label={`Position: bar ${bar}, beat ${beat}, ${clock(seconds)} of ${clock(duration)}`}
    >
      <span className="bar-beat">
        {bar}:{beat}
      </span>{' '}
      <span className="clock">
        {clock(seconds)} / {clock(duration)}
      </span>
    </span>
  );
}

/** The listening section (inside step 2). */
export function PlayerPanel() {
  const { controller, player } = usePage();
  const listening = useAppState((s) => s.listening);
  const mix = useAppState((s) => s.mix);
  const instruments = useAppState((s) => s.instruments);
  const tempoOverride = useAppState((s) => s.tempoBpm);
  const loop = useAppState((s) => s.loop);
  const loopBars = useAppState((s) => s.loopBars);
  const audition = useAppState((s) => s.audition);
  const melodyName = useAppState((s) => s.melodyName);
  const snap = usePlayerSnapshot();
  const tempoId = useId();
  const loopFromId = useId();
  const loopToId = useId();
  const roll = listening?.roll ?? null;
  const silent = useMemo(() => audibleTracks(roll?.tracks.length ?? 0, mix).map((a) => !a), [roll, mix]);
  // The mixer shows how many notes each track has; what is scheduled while playing is on data-scheduled-notes.
  const notesPerTrack = useMemo(() => (roll ? countByTrack(scheduleRoll(roll), roll.tracks.length) : []), [roll]);
  const getPlayback = useCallback(
    () => ({ seconds: player.position, tempoBpm: player.snapshot().tempoBpm, playing: player.snapshot().state === 'playing' }),
    [player],
  );
  const ownTempo = roll?.tempoBpm ?? DEFAULT_TEMPO_BPM;
  const tempo = tempoOverride ?? ownTempo;
  const bars = roll ? barCount(roll) : 1;
  const plan = useMemo(
    () => (roll ? planExport(roll, mix, instruments, tempo, melodyName) : null),
    [roll, mix, instruments, tempo, melodyName],
  );
  // While a training snapshot plays in the training panel, this panel's transport belongs to it no more.
  const mine = !audition;
  const playing = mine && snap.state === 'playing';

  // Space plays and pauses from anywhere on the page, except where the key already means something.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== ' ' || event.repeat || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (ownsSpace(event.target)) return;
      event.preventDefault();
      void controller.togglePlay();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [controller]);

  return (
    <div className="listen" data-testid="listen">
      {audition && (
        <p className="audition-note" role="status">
          Playing the training snapshot of epoch {audition.epoch}.{' '}
          <button type="button" onClick={() => controller.backToAccompaniment()} data-testid="listen-back-button">
            Back to my accompaniment
          </button>
        </p>
      )}
      <ListenView
        roll={roll}
        label={listening?.label ?? ''}
        getPlayback={getPlayback}
        playing={playing}
        showPlayhead={mine && (snap.state !== 'stopped' || snap.position > 0)}
        positionKey={snap.position}
        silent={silent}
        tempoBpm={tempo}
        onSeek={mine ? (seconds) => controller.seek(seconds) : undefined}
      />

      <div
        className="row transport"
        data-testid="transport"
        data-transport-state={mine ? snap.state : 'stopped'}
        data-loading={snap.loading}
        data-loop={snap.loop ? (snap.loopRange ? `${snap.loopRange.start}-${snap.loopRange.end}` : 'all') : 'off'}
      >
        <button
          type="button"
          className="play-toggle"
          data-testid="play-button"
          disabled={!roll}
          aria-keyshortcuts="Space"
          onClick={() => void controller.togglePlay(true)}
        >
          {!mine ? '▶ Play' : playing ? '❚❚ Pause' : snap.loading ? 'Loading piano…' : snap.state === 'paused' ? '▶ Resume' : '▶ Play'}
        </button>
        <button type="button" data-testid="stop-button" disabled={!roll} onClick={() => controller.stop()}>
          ■ Stop
        </button>
        {roll && mine && <PositionReadout roll={roll} tempoBpm={snap.tempoBpm} duration={snap.duration} />}
        <span className="hint shortcut">Space plays and pauses; click the roll or the score to jump.</span>
      </div>
      <div className="row transport">
        <label htmlFor={tempoId}>Playback tempo</label>
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
        <span className="tempo-value" data-testid="tempo-value">
          {Math.round(tempo)} bpm
        </span>
        <button
          type="button"
          className="small"
          onClick={() => controller.setTempo(null)}
          data-testid="tempo-reset-button"
          aria-label={`Tune's tempo: back to ${Math.round(ownTempo)} bpm`}
        >
          Tune's tempo
        </button>
      </div>
      <div className="row transport">
        <label className="inline check">
          <input type="checkbox" checked={loop} onChange={(e) => controller.setLoop(e.target.checked)} data-testid="loop-checkbox" /> Loop
        </label>
        <label htmlFor={loopFromId}>bars</label>
        <CommitNumber
          id={loopFromId}
          className="tiny"
          min={1}
          max={bars}
          value={loopBars?.from ?? 1}
          onCommit={(from) => controller.setLoopBars({ from, to: Math.max(from, loopBars?.to ?? bars) })}
          data-testid="loop-from-input"
          aria-label="Loop from bar"
        />
        <label htmlFor={loopToId}>to</label>
        <CommitNumber
          id={loopToId}
          className="tiny"
          min={1}
          max={bars}
          value={loopBars?.to ?? bars}
          onCommit={(to) => controller.setLoopBars({ from: loopBars?.from ?? 1, to })}
          data-testid="loop-to-input"
          aria-label="Loop to bar"
        />
        <span className="hint">of {bars}</span>
        {loopBars && (
          <button type="button" className="small" onClick={() => controller.setLoopBars(null)}>
            Whole piece
          </button>
        )}
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
                <tr
                  key={i}
                  data-testid="track-row"
                  data-track={i}
                  data-scheduled-notes={snap.scheduledPerTrack[i] ?? 0}
                  data-audible={!silent[i]}
                >
                  <th scope="row">
                    <span className="swatch" style={{ background: trackColor(i) }} aria-hidden="true" /> {name}
                  </th>
                  <td data-label="Instrument">
                    {track.isDrum ? (
                      // A drum track (channel 10) always plays the General MIDI drum kit.
                      <span data-testid="instrument-drum-kit">Drum kit</span>
                    ) : (
                      <select
                        aria-label={`Instrument of ${name}`}
                        value={instruments[i] ?? 'piano'}
                        onChange={(e) => controller.setTrackInstrument(i, e.target.value as InstrumentName)}
                        data-testid="instrument-select"
                      >
                        {Object.entries(INSTRUMENTS).map(([key, label]) => (
                          <option key={key} value={key}>
                            {label}
                          </option>
                        ))}
                      </select>
                    )}
                  </td>
                  <td data-label="Mute">
                    <input
                      type="checkbox"
                      aria-label={`Mute ${name}`}
                      checked={m?.muted ?? false}
                      onChange={(e) => controller.setTrackMix(i, { muted: e.target.checked })}
                      data-testid="mute-checkbox"
                    />
                  </td>
                  <td data-label="Solo">
                    <input
                      type="checkbox"
                      aria-label={`Solo ${name}`}
                      checked={m?.solo ?? false}
                      onChange={(e) => controller.setTrackMix(i, { solo: e.target.checked })}
                      data-testid="solo-checkbox"
                    />
                  </td>
                  <td data-label="Volume">
                    <input
                      type="range"
                      min={-40}
                      max={6}
                      step={1}
                      aria-label={`Volume of ${name}`}
                      aria-valuetext={`${m?.volumeDb ?? 0} decibels`}
                      value={m?.volumeDb ?? 0}
                      onChange={(e) => controller.setTrackMix(i, { volumeDb: Number(e.target.value) })}
                    />
                  </td>
                  <td className="num" data-label="Notes">
                    <span>{notesPerTrack[i] ?? 0}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <div className="row export">
        <button type="button" data-testid="export-midi-button" disabled={!roll} onClick={() => controller.exportMidi()}>
          ⤓ Export MIDI
        </button>
        <button type="button" data-testid="export-musicxml-button" disabled={!roll} onClick={() => controller.exportMusicXml()}>
          ⤓ Export MusicXML
        </button>
        {plan && (
          <p className="hint" data-testid="export-note" data-file-name={plan.fileName}>
            {plan.written.length === 0
              ? 'Every track is muted: nothing to export.'
              : `Writes ${plan.written.join(', ')} with the instruments above at ${Math.round(plan.tempoBpm)} bpm${plan.leftOut.length ? `; leaves out ${plan.leftOut.join(', ')} (silent now)` : ''}.`}
          </p>
        )}
      </div>
      <p className="attribution">
        Piano: <a href={PIANO_LICENSE_URL}>{PIANO_ATTRIBUTION}</a>. Other instruments and drums:{' '}
        <a href={SOUND_BANK_LICENSE_URL}>{SOUND_BANK_ATTRIBUTION}</a>.
      </p>
    </div>
  );
}

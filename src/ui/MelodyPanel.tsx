/** Melody in: a MIDI file (picked or dropped), a built-in tune, or notes played on a keyboard. */
import { useId, useState, type DragEvent } from 'react';
import { SAMPLE_MELODIES } from '../music/samples';
import { useAppState, usePage } from './context';
import { KeyboardRecorder } from './KeyboardRecorder';

/** The melody section. */
export function MelodyPanel() {
  const { controller } = usePage();
  const melodyName = useAppState((s) => s.melodyName);
  const pending = useAppState((s) => s.pendingMidi);
  const warnings = useAppState((s) => s.melodyWarnings);
  const [dragging, setDragging] = useState(false);
  const fileId = useId();
  const sampleId = useId();
  const trackId = useId();
  // The picker shows the tune in use, so it never says "Choose a tune" while one is loaded.
  const currentSample = SAMPLE_MELODIES.find((s) => s.title === melodyName)?.id;

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void controller.openMidiFile(file);
  };

  return (
    <section className="panel" aria-labelledby="melody-heading">
      <h2 id="melody-heading">
        <span className="step-number" aria-hidden="true">
          1
        </span>{' '}
        Your melody
      </h2>
      <p className="current">
        Now: <strong data-testid="melody-name">{melodyName || 'none'}</strong>
      </p>
      {warnings.length > 0 && (
        <ul className="warnings" aria-label="Notes about the melody">
          {warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <div
        className={dragging ? 'drop-zone dragging' : 'drop-zone'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <label htmlFor={fileId}>Drop a MIDI file here, or choose one:</label>
        <input
          id={fileId}
          type="file"
          accept=".mid,.midi,audio/midi,audio/x-midi"
          data-testid="melody-file-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void controller.openMidiFile(file);
            e.target.value = '';
          }}
        />
      </div>

      {pending && (
        <div className="track-picker" role="group" aria-labelledby={trackId}>
          <label id={trackId} htmlFor={`${trackId}-select`}>
            “{pending.fileName}” has {pending.tracks.length} tracks. Which one is the melody?
          </label>
          <TrackChoice key={pending.fileName + pending.tracks.length} id={`${trackId}-select`} />
        </div>
      )}

      <div className="field">
        <label htmlFor={sampleId}>Or a built-in tune:</label>
        <select
          id={sampleId}
          data-testid="sample-melody-select"
          value={currentSample ?? ''}
          onChange={(e) => {
            if (e.target.value) controller.loadSample(e.target.value);
          }}
        >
          <option value="" disabled>
            {melodyName ? 'Your own melody (above)' : 'Choose a tune…'}
          </option>
          {SAMPLE_MELODIES.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title}
            </option>
          ))}
        </select>
      </div>

      <KeyboardRecorder />
    </section>
  );
}

function TrackChoice({ id }: { id: string }) {
  const { controller } = usePage();
  const pending = useAppState((s) => s.pendingMidi);
  const [choice, setChoice] = useState(pending?.suggested ?? 0);
  if (!pending) return null;
  return (
    <div className="row">
      <select id={id} data-testid="track-select" value={choice} onChange={(e) => setChoice(Number(e.target.value))}>
        {pending.tracks.map((t) => (
          <option key={t.index} value={t.index}>
            {t.name} — {t.noteCount} notes{t.maxPolyphony > 1 ? ', chords' : ''}
          </option>
        ))}
      </select>
      <button type="button" className="primary" data-testid="track-use-button" onClick={() => controller.chooseTrack(choice)}>
        Use this track
      </button>
      <button type="button" onClick={() => controller.cancelTrackChoice()}>
        Cancel
      </button>
    </div>
  );
}

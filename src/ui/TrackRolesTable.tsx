/** The tracks of the user's own training files and the part each plays, shown and changed before training. */
import { useId } from 'react';
import { useAppState, usePage } from './context';
import type { OwnTrainingFile, TrackRole } from './state';
import { roleChoices, shownTracks, TRACK_ROLE_NAMES, trackInstrument, trackRange } from './trackRoles';

/** Every picked file: its name, a row per track with notes and the role chosen for it, and what keeps it from training. */
export function TrackRolesTable() {
  const files = useAppState((s) => s.ownFiles);
  const reading = useAppState((s) => s.ownFilesReading);
  if (files.length === 0) return null;
  return (
    <div className="track-roles" data-testid="track-roles" aria-busy={reading}>
      <p className="hint">
        {files.length} file{files.length === 1 ? '' : 's'} chosen{reading ? ', reading them…' : '.'} For each file, choose one track as the
        melody and up to three tracks, at most one of them drums, as the accompaniment the model learns to write.
      </p>
      {files.map((f, i) => (
        <FileRoles key={i} index={i} entry={f} reading={reading} />
      ))}
    </div>
  );
}

function FileRoles({ index, entry, reading }: { index: number; entry: OwnTrainingFile; reading: boolean }) {
  const { controller } = usePage();
  const id = useId();
  const { file, parsed, roles, error, problem } = entry;
  const problemId = `${id}-problem`;
  return (
    <section className="track-roles-file" aria-labelledby={`${id}-name`} data-file={index}>
      <h3 id={`${id}-name`}>{file.name}</h3>
      {error && (
        <p className="field-error" data-testid="track-roles-error" data-file={index}>
          {error} This file is left out of training.
        </p>
      )}
      {!parsed && !error && <p className="hint">{reading ? 'Reading…' : 'Not a MIDI file: it is read when training starts.'}</p>}
      {parsed && (
        <table className="track-roles-table" aria-labelledby={`${id}-name`}>
          <thead>
            <tr>
              <th scope="col">Track</th>
              <th scope="col">Instrument</th>
              <th scope="col" className="num">
                Notes
              </th>
              <th scope="col">Range</th>
              <th scope="col">Role</th>
            </tr>
          </thead>
          <tbody>
            {shownTracks(parsed).map((t) => (
              <tr key={t.index} data-role={roles[t.index]}>
                <th scope="row">{t.name}</th>
                <td>{trackInstrument(t)}</td>
                <td className="num">{t.noteCount}</td>
                <td className="range">{trackRange(t)}</td>
                <td>
                  <select
                    aria-label={`Role of “${t.name}” in “${file.name}”`}
                    data-testid="track-role-select"
                    data-file={index}
                    data-track={t.index}
                    value={roles[t.index]}
                    aria-invalid={problem ? true : undefined}
                    aria-describedby={problem ? problemId : undefined}
                    onChange={(e) => controller.setTrackRole(index, t.index, e.target.value as TrackRole)}
                  >
                    {roleChoices(t).map((role) => (
                      <option key={role} value={role}>
                        {TRACK_ROLE_NAMES[role]}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div aria-live="polite">
        {problem && (
          <p className="field-error" id={problemId} data-testid="track-roles-problem" data-file={index}>
            {problem}
          </p>
        )}
      </div>
    </section>
  );
}

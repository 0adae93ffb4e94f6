/** The compute engine's details in the training panel: how it was chosen, each engine's measured rate, and the override. */
import { useId } from 'react';
import { BACKEND_ORDER, type BackendName, type EngineReady } from '../protocol/messages';
import { usePage } from './context';

const ENGINE_HOW: Record<string, string> = {
  measured: 'fastest of those timed just now',
  cached: 'fastest when last timed in this browser',
  override: 'your choice',
};

/** The measured training rate of each engine, and the user's override of the choice. */
export function EngineDetails({
  engine,
  override,
  disabled,
}: {
  engine: EngineReady | null;
  override: BackendName | null;
  disabled: boolean;
}) {
  const selectId = useId();
  const { controller } = usePage();
  return (
    <details className="engine-details" data-testid="engine-details">
      <summary>
        Compute engine
        {engine?.timing
          ? ': started at once; timing the engines for training…'
          : engine?.how
            ? `: ${ENGINE_HOW[engine.how] ?? engine.how}`
            : ''}
      </summary>
      {engine?.rates?.length ? (
        <ul data-testid="engine-rates">
          {engine.rates.map((r) => (
            <li key={r.backend} data-backend={r.backend} data-rate={r.iterationsPerSecond ?? ''}>
              {r.backend}: {r.iterationsPerSecond === null ? 'not timed' : `${r.iterationsPerSecond.toPrecision(2)} training steps/s`}
              {r.note ? ` (${r.note})` : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">
          {engine?.timing
            ? 'Timing the engines for training in the background (or when training starts); accompaniment does not wait for it.'
            : 'No timings yet.'}
        </p>
      )}
      {engine?.width !== undefined && <p className="hint">Timed with short training steps of a width-{engine.width} model.</p>}
      <label htmlFor={selectId}>Use: </label>
      <select
        id={selectId}
        data-testid="engine-override"
        value={override ?? ''}
        disabled={disabled}
        onChange={(e) => void controller.setEngineOverride(e.target.value === '' ? null : (e.target.value as BackendName))}
      >
        <option value="">the fastest (automatic)</option>
        {BACKEND_ORDER.map((b) => (
          <option key={b} value={b}>
            {b}
          </option>
        ))}
      </select>
    </details>
  );
}

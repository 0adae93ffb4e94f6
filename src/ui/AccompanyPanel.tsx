/** Accompany: which model is loaded, generate and variations, save and load models as files. */
import { useId } from 'react';
import type { Voicing } from '../protocol/messages';
import { useAppState, usePage } from './context';

/** The accompany section. */
export function AccompanyPanel() {
  const { controller } = usePage();
  const model = useAppState((s) => s.model);
  const melody = useAppState((s) => s.melody);
  const generating = useAppState((s) => s.generating);
  const seed = useAppState((s) => s.resultSeed);
  const result = useAppState((s) => s.result);
  const training = useAppState((s) => s.training);
  const loadId = useId();
  const seedId = useId();
  const voicingId = useId();
  const voicing = useAppState((s) => s.voicing);

  return (
    <section className="panel" aria-labelledby="accompany-heading">
      <h2 id="accompany-heading">Accompany</h2>
      <p className="current">
        Model: <strong data-testid="model-label" data-origin={model?.origin ?? ''}>{model ? model.label : 'none yet: train one or load one from files'}</strong>
      </p>
      <div className="row buttons">
        <button type="button" className="primary" data-testid="generate-button" disabled={!melody || generating} onClick={() => void controller.generate()}>
          {generating ? 'Writing…' : 'Accompany my melody'}
        </button>
        <button type="button" data-testid="variation-button" disabled={!melody || generating || !result} onClick={() => void controller.nextVariation()}>
          Another variation
        </button>
        <label htmlFor={seedId}>Variation</label>
        <input id={seedId} type="number" className="narrow" min={0} value={seed} onChange={(e) => void controller.generate(Math.max(0, Math.floor(Number(e.target.value) || 0)))} data-testid="variation-seed-input" disabled={generating || !melody} />
      </div>
      <div className="row">
        <label htmlFor={voicingId}>Voices</label>
        <select id={voicingId} value={voicing} disabled={generating} onChange={(e) => void controller.setVoicing(e.target.value as Voicing)} data-testid="voicing-select" aria-describedby={`${voicingId}-help`}>
          <option value="chorale">Chorale: always sounding, in chords</option>
          <option value="single">Independent: each voice its own best note</option>
          <option value="chords">Reference: every note above the threshold</option>
        </select>
      </div>
      <p className="hint" id={`${voicingId}-help`}>
        How the model's output becomes notes. Chorale decodes alto, tenor and bass together so they sound under every
        melody note and form chords; the other two show the network's raw choices.
      </p>
      <div className="row buttons">
        <button type="button" data-testid="save-model-button" disabled={!model || training === 'training'} onClick={() => void controller.saveModelFiles()}>
          Save model as files
        </button>
        <label htmlFor={loadId} className="file-button">
          Load model files…
        </label>
        <input
          id={loadId}
          type="file"
          multiple
          accept=".json,.bin"
          className="sr-only"
          data-testid="model-files-input"
          onChange={(e) => {
            void controller.loadModelFiles([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
      </div>
      <p className="hint">Pick both model.json and its weights file when loading.</p>
    </section>
  );
}

/** The Cantus page: wires the store, the player, the worker client and the panels together. */
import { useEffect, useState } from 'react';
import { Player } from '../audio/player';
import { PIANO_ATTRIBUTION, PIANO_LICENSE_URL } from '../audio/pianoSamples';
import { SOUND_BANK_ATTRIBUTION, SOUND_BANK_LICENSE_URL } from '../audio/soundBank';
import { readMidiOffThread } from '../data/midiReader';
import { rollToMidi } from '../music/midiOut';
import { TrainerClient } from '../worker/client';
import { fetchServedModel } from '../worker/modelFetch';
import { AccompanyPanel } from '../ui/AccompanyPanel';
import { PageContext, type PageServices } from '../ui/context';
import { Controller } from '../ui/controller';
import { ErrorBanner } from '../ui/ErrorBanner';
import { RegionBoundary } from '../ui/ErrorBoundary';
import { MelodyPanel } from '../ui/MelodyPanel';
import { indexedDbMemory } from '../ui/persist';
import { PlayerPanel } from '../ui/PlayerPanel';
import { SettingsPanel } from '../ui/SettingsPanel';
import { initialState } from '../ui/state';
import { createStore } from '../ui/store';
import { TrainingPanel } from '../ui/TrainingPanel';
import { browserTrainingData } from './trainingData';
import '../ui/app.css';

/** Hands bytes to the user as a downloaded file. */
function download(name: string, bytes: Uint8Array | string, mimeType: string): void {
  const part: BlobPart = typeof bytes === 'string' ? bytes : (bytes.slice().buffer as ArrayBuffer);
  const url = URL.createObjectURL(new Blob([part], { type: mimeType }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The browser has started the download by now; the delay only keeps slow browsers safe.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function createServices(): PageServices {
  const store = createStore(initialState());
  const player = new Player();
  const controller = new Controller({
    store,
    player,
    createTrainer: () => TrainerClient.create(),
    data: browserTrainingData(),
    readMidi: (bytes) => readMidiOffThread(bytes),
    rollToMidi: (roll, options) => rollToMidi(roll, options),
    memory: indexedDbMemory(),
    download,
    defaultModelUrl: `${import.meta.env.BASE_URL}models/default/model.json`,
    fetchModel: (url) => fetchServedModel(url),
  });
  return { store, player, controller };
}

/** The page. */
export function App() {
  const [services] = useState(createServices);
  const { controller } = services;
  const report = controller.report.bind(controller);

  useEffect(() => {
    void controller.start();
    return () => controller.dispose();
  }, [controller]);

  return (
    <PageContext.Provider value={services}>
      <header className="page-header">
        <h1>Cantus</h1>
        <p className="tagline">Give it a melody; a GAN trained in your browser writes the other voices.</p>
      </header>
      <ErrorBanner />
      <main className="layout">
        <div className="column">
          <RegionBoundary region="melody" title="melody" onError={report}>
            <MelodyPanel />
          </RegionBoundary>
        </div>
        <div className="column">
          {/* Step 2: the model and the Accompany button sit right above the roll they fill. */}
          <section className="panel wide" aria-labelledby="listen-heading">
            <h2 id="listen-heading">
              <span className="step-number" aria-hidden="true">
                2
              </span>{' '}
              Accompany and listen
            </h2>
            <RegionBoundary region="accompany" title="accompany" onError={report}>
              <AccompanyPanel />
            </RegionBoundary>
            <RegionBoundary region="player" title="listening" onError={report}>
              <PlayerPanel />
            </RegionBoundary>
          </section>
        </div>
        <div className="column">
          <RegionBoundary region="settings" title="settings" onError={report}>
            <SettingsPanel />
          </RegionBoundary>
        </div>
        <div className="column">
          <RegionBoundary region="training" title="training" onError={report}>
            <TrainingPanel />
          </RegionBoundary>
        </div>
      </main>
      <footer className="page-footer">
        Everything runs in this browser; nothing is uploaded. Piano samples: <a href={PIANO_LICENSE_URL}>{PIANO_ATTRIBUTION}</a>; other
        instruments: <a href={SOUND_BANK_LICENSE_URL}>{SOUND_BANK_ATTRIBUTION}</a>.
      </footer>
    </PageContext.Provider>
  );
}

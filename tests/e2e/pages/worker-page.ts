/**
 * A bare page for the worker's browser test: it starts the real training worker through TrainerClient, shows the
 * backend in data-testid="backend-label" (the page's `?backends=` list limits the choice), and exposes `window.cantusWorkerTest.train()` for the test to drive.
 */
import { PITCHES, WINDOW_STEPS, createRoll, type PianoRoll, type TrainingWindows } from '../../../src/music/pianoRoll';
import type { HyperParamsInput } from '../../../src/protocol/config';
import type { BackendName, WorkerEvent } from '../../../src/protocol/messages';
import { TrainerClient } from '../../../src/worker/client';

/** What `train` reports back to the test. */
export interface TrainSummary {
  backend: string;
  fallbackReason?: string;
  events: WorkerEvent['type'][];
  progress: Extract<WorkerEvent, { type: 'progress' }>[];
  checkpoints: number;
  errors: string[];
  generatedSteps: number;
  generatedTracks: number;
  generatedNotes: number;
}

/** Four 2-bar SATB windows of held chords. */
function windows(count: number): TrainingWindows {
  const data = new Int8Array(count * WINDOW_STEPS * PITCHES * 4).fill(-1);
  for (let w = 0; w < count; w++) {
    for (let step = 0; step < WINDOW_STEPS; step++) {
      const shift = (w + Math.floor(step / 8)) % 5;
      [72 + shift, 67 + shift, 64 + shift, 48 + shift].forEach((pitch, track) => {
        data[((w * WINDOW_STEPS + step) * PITCHES + pitch) * 4 + track] = 1;
      });
    }
  }
  return { count, steps: WINDOW_STEPS, tracks: 4, data, trackNames: ['soprano', 'alto', 'tenor', 'bass'] };
}

function melody(): PianoRoll {
  const roll = createRoll(WINDOW_STEPS, [{ name: 'melody', program: 0, isDrum: false }]);
  for (let step = 0; step < WINDOW_STEPS; step++) roll.active[step * PITCHES + 72 + (Math.floor(step / 4) % 5)] = 1;
  return roll;
}

const label = document.querySelector('[data-testid="backend-label"]') as HTMLElement;
const status = document.querySelector('[data-testid="status"]') as HTMLElement;
const client = TrainerClient.create();
const events: WorkerEvent[] = [];
client.on((event) => {
  events.push(event);
  status.textContent =
    event.type === 'progress'
      ? `epoch ${event.epoch} iteration ${event.iteration}`
      : event.type === 'error'
        ? `${event.code}: ${event.message}`
        : event.type;
  if (event.type === 'error') console.error(`worker error ${event.code}: ${event.message}`);
});
// `?backends=wasm,cpu` limits the choice, to test a fallback engine on a machine that has WebGPU.
const requested = new URLSearchParams(location.search).get('backends');
const ready = client.init(requested ? (requested.split(',') as BackendName[]) : undefined);
ready.then(
  (choice) => {
    label.textContent = choice.backend;
  },
  (error: unknown) => {
    label.textContent = 'none';
    console.error(`init failed: ${String(error)}`);
  },
);

async function train(config: HyperParamsInput, windowCount: number): Promise<TrainSummary> {
  const choice = await ready;
  const done = new Promise<void>((resolve) => {
    client.on((event) => {
      if (event.type === 'state' && (event.state === 'done' || event.state === 'stopped')) resolve();
    });
  });
  client.start(config, windows(windowCount), [melody()]);
  await done;
  const roll = await client.generate(melody(), 7);
  let notes = 0;
  for (let cell = 0; cell < roll.active.length; cell++) notes += roll.active[cell];
  const summary: TrainSummary = {
    backend: choice.backend,
    events: events.map((e) => e.type),
    progress: events.filter((e): e is Extract<WorkerEvent, { type: 'progress' }> => e.type === 'progress'),
    checkpoints: events.filter((e) => e.type === 'checkpoint').length,
    errors: events.flatMap((e) => (e.type === 'error' ? [`${e.code}: ${e.message}`] : [])),
    generatedSteps: roll.steps,
    generatedTracks: roll.tracks.length,
    generatedNotes: notes,
  };
  if (choice.fallbackReason) summary.fallbackReason = choice.fallbackReason;
  return summary;
}

(window as unknown as { cantusWorkerTest: { train: typeof train } }).cantusWorkerTest = { train };

import '../protocol/noEval';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startWorkerEarly } from '../worker/client';
import { App } from './App';
import { registerServiceWorker } from './serviceWorker';

// The engine's script loads while the page renders; the page's client takes this worker.
startWorkerEarly();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
registerServiceWorker();

/** The model tests' engine in Node (kept apart from model-fixtures.ts, which the browser test pages import too). */
import { startWasmBackendInNode } from '../../src/model/wasm/node';

/** The page's engine, WebAssembly, on one thread (deterministic); a file that uses it gives the next one cpu back (useCpu). */
export async function useWasm(): Promise<void> {
  await startWasmBackendInNode(1);
}

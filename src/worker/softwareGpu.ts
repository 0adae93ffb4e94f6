/**
 * Whether a GPU engine would run on a software renderer (SwiftShader, llvmpipe, Microsoft's Basic Render Driver):
 * the CPU drawing as a GPU. Such a renderer is not timed for training: measured here (2 cores, SwiftShader), WebGPU
 * did not finish one warm-up step within the 8 s probe limit and WebGL did not start within 30 s, while WebAssembly
 * trained at 1.5 to 2 steps per second; timing it only keeps both cores busy on every first visit. A user can still
 * choose it by hand.
 */
import type { BackendName } from '../protocol/messages';

/** Names of software renderers, as adapters and WebGL renderer strings spell them. */
const SOFTWARE = /swiftshader|llvmpipe|softpipe|lavapipe|basic render|software/i;

/** The software renderer behind `backend` in this browser, or undefined (a hardware GPU, or not a GPU engine). */
export async function softwareRenderer(backend: BackendName): Promise<string | undefined> {
  try {
    if (backend === 'webgpu') return await webgpuSoftware();
    if (backend === 'webgl') return webglSoftware();
  } catch {
    // Nothing could be read: the engine is timed as usual.
  }
  return undefined;
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

async function webgpuSoftware(): Promise<string | undefined> {
  const gpu = (
    globalThis.navigator as { gpu?: { requestAdapter(): Promise<{ info?: AdapterInfoLike; isFallbackAdapter?: boolean } | null> } }
  ).gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) return undefined;
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
  if (SOFTWARE.test(name)) return name;
  if (adapter.isFallbackAdapter || info.isFallbackAdapter) return name || 'a fallback adapter';
  return undefined;
}

function webglSoftware(): string | undefined {
  if (typeof OffscreenCanvas === 'undefined') return undefined;
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2') ?? new OffscreenCanvas(1, 1).getContext('webgl');
  if (!gl) return undefined;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return SOFTWARE.test(renderer) ? renderer : undefined;
}

/** Just enough RIFF WAVE for the sound-bank build: reads 16-bit or 32-bit float PCM, writes 16-bit PCM. */

/** Audio as one Float32Array per channel, samples in -1..1. */
export interface Pcm {
  sampleRate: number;
  channels: Float32Array[];
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

/** Reads a WAV file (16-bit integer or 32-bit float PCM). */
export function decodeWav(bytes: Uint8Array): Pcm {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF WAVE file');
  let format = 0;
  let channelCount = 0;
  let sampleRate = 0;
  let bits = 0;
  for (let at = 12; at + 8 <= bytes.length;) {
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (tag(at) === 'fmt ') {
      format = view.getUint16(body, true);
      channelCount = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      if (format === EXTENSIBLE) format = view.getUint16(body + 24, true);
    } else if (tag(at) === 'data') {
      if (!((format === PCM && bits === 16) || (format === FLOAT && bits === 32))) {
        throw new Error(`unsupported WAV sample format ${format}, ${bits} bits`);
      }
      // fluidsynth leaves the data size at 0 or too large when it cannot seek back; read to the file's end then.
      const end = size > 0 && body + size <= bytes.length ? body + size : bytes.length;
      const frameBytes = (bits / 8) * channelCount;
      const frames = Math.floor((end - body) / frameBytes);
      const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
      for (let f = 0; f < frames; f++) {
        for (let c = 0; c < channelCount; c++) {
          const p = body + f * frameBytes + (c * bits) / 8;
          channels[c][f] = format === FLOAT ? view.getFloat32(p, true) : view.getInt16(p, true) / 32768;
        }
      }
      return { sampleRate, channels };
    }
    at = body + size + (size % 2);
  }
  throw new Error('WAV file without a data chunk');
}

/** Writes 16-bit PCM WAV; samples outside -1..1 are clipped. */
export function encodeWav(pcm: Pcm): Uint8Array {
  const channelCount = pcm.channels.length;
  const frames = pcm.channels[0]?.length ?? 0;
  const dataBytes = frames * channelCount * 2;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const put = (at: number, text: string) => [...text].forEach((ch, i) => (bytes[at + i] = ch.charCodeAt(0)));
  put(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, PCM, true);
  view.setUint16(22, channelCount, true);
  view.setUint32(24, pcm.sampleRate, true);
  view.setUint32(28, pcm.sampleRate * channelCount * 2, true);
  view.setUint16(32, channelCount * 2, true);
  view.setUint16(34, 16, true);
  put(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channelCount; c++) {
      const v = Math.max(-1, Math.min(1, pcm.channels[c][f]));
      view.setInt16(44 + (f * channelCount + c) * 2, Math.round(v * 32767), true);
    }
  }
  return bytes;
}

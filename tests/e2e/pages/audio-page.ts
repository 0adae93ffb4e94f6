/**
 * A bare page for the audio tests: it exports a short multi-track piece to a MIDI file as the page does, reads it
 * back, and renders it offline through the player's own graph (`window.cantusAudioTest`), one track soloed at a
 * time; it also times how long each voice of the sound bank takes to arrive.
 */
import * as Tone from 'tone';
import { GM_PROGRAMS, INSTRUMENTS, type InstrumentName, type VoiceName } from '../../../src/audio/instruments';
import { renderOffline } from '../../../src/audio/offlineRender';
import { DEFAULT_TRACK_MIX, type TrackMix } from '../../../src/audio/schedule';
import { Voice } from '../../../src/audio/voices';
import { midiToRoll, parseMidi } from '../../../src/music/midiIn';
import { rollToMidi } from '../../../src/music/midiOut';
import { addNote } from '../../../src/music/notes';
import { createRoll, type PianoRoll } from '../../../src/music/pianoRoll';

/** Level of one rendered track. */
export interface TrackLevel {
  name: string;
  /** The instrument the track was given from its General MIDI program, or "drums". */
  voice: VoiceName;
  rms: number;
  peak: number;
}

/** What `renderExport` reports back to the test. */
export interface RenderReport {
  /** Each track soloed in turn. */
  tracks: TrackLevel[];
  /** Every track at once, and with every track muted. */
  all: { rms: number; peak: number };
  muted: { rms: number; peak: number };
  /** Fundamental frequency of a sustained A4 (440 Hz) played by the flute, which the bank holds at A-flat 4 and shifts. */
  fluteA4Hz: number;
}

/** How long one voice took to arrive, and its bytes on the wire. */
export interface VoiceLoad {
  voice: VoiceName;
  milliseconds: number;
  files: number;
  bytes: number;
}

const INSTRUMENT_NAMES = Object.keys(INSTRUMENTS) as InstrumentName[];

/** Two bars at 120 bpm: each instrument on a short line in its register, and a drum track (kick, snare, hi-hat, crash). */
function piece(): PianoRoll {
  const tracks = [
    ...INSTRUMENT_NAMES.map((name) => ({ name, program: GM_PROGRAMS[name], isDrum: false })),
    { name: 'drums', program: 0, isDrum: true },
  ];
  const roll = createRoll(32, tracks, { tempoBpm: 120, withOnsets: true, withVelocities: true });
  const registers: Record<InstrumentName, number> = { piano: 72, strings: 60, organ: 55, choir: 64, marimba: 72, bass: 40, flute: 76 };
  INSTRUMENT_NAMES.forEach((name, track) => {
    [0, 4, 7, 12].forEach((interval, i) =>
      addNote(roll, track, { pitch: registers[name] + interval, startStep: i * 8, steps: 8, velocity: 90 }),
    );
  });
  const drums = tracks.length - 1;
  for (let step = 0; step < 32; step += 2) addNote(roll, drums, { pitch: 42, startStep: step, steps: 1, velocity: 80 });
  for (const step of [0, 8, 16, 24]) addNote(roll, drums, { pitch: step % 16 ? 38 : 36, startStep: step, steps: 1, velocity: 100 });
  addNote(roll, drums, { pitch: 49, startStep: 0, steps: 1, velocity: 100 });
  return roll;
}

const level = (channels: Float32Array[]) => {
  let sum = 0;
  let peak = 0;
  let count = 0;
  for (const data of channels) {
    for (const v of data) {
      sum += v * v;
      peak = Math.max(peak, Math.abs(v));
    }
    count += data.length;
  }
  return { rms: Math.sqrt(sum / Math.max(1, count)), peak };
};

/**
 * The fundamental of a steady tone by autocorrelation over 100..2000 Hz: the first lag that comes within 10% of the
 * strongest (so not one of its multiples, an octave down), refined to its local peak and between samples.
 */
function fundamentalHz(data: Float32Array, sampleRate: number): number {
  const frame = data.subarray(Math.round(0.5 * sampleRate), Math.round(0.5 * sampleRate) + 8192);
  const minLag = Math.floor(sampleRate / 2000);
  const maxLag = Math.ceil(sampleRate / 100);
  const r = new Float64Array(maxLag + 2);
  for (let lag = minLag - 1; lag <= maxLag + 1; lag++) {
    for (let i = 0; i + lag < frame.length; i++) r[lag] += frame[i] * frame[i + lag];
  }
  const strongest = Math.max(...r.subarray(minLag, maxLag + 1));
  let lag = minLag;
  while (r[lag] < 0.9 * strongest) lag++;
  while (lag < maxLag && r[lag + 1] > r[lag]) lag++;
  const [a, b, c] = [r[lag - 1], r[lag], r[lag + 1]];
  const offset = (a - c) / (2 * (a - 2 * b + c));
  return sampleRate / (lag + (Number.isFinite(offset) ? offset : 0));
}

/** Exports the piece as the page's Export MIDI does, reads it back, and renders it through the player. */
async function renderExport(): Promise<RenderReport> {
  const source = piece();
  const bytes = rollToMidi(source, { programs: source.tracks.map((t) => t.program) });
  const roll = midiToRoll(parseMidi(bytes), { tracks: source.tracks.map((_, i) => i) });
  // A General MIDI player picks the sound by program; so does this page, with the one instrument per program.
  const byProgram = new Map(INSTRUMENT_NAMES.map((name) => [GM_PROGRAMS[name], name]));
  const instruments = roll.tracks.map((t) => byProgram.get(t.program) ?? 'piano');
  const mixWith = (change: (i: number) => Partial<TrackMix>) => roll.tracks.map((_, i) => ({ ...DEFAULT_TRACK_MIX, ...change(i) }));
  const tracks: TrackLevel[] = [];
  for (let solo = 0; solo < roll.tracks.length; solo++) {
    const audio = await renderOffline(roll, { instruments, mix: mixWith((i) => ({ solo: i === solo })) });
    tracks.push({ name: roll.tracks[solo].name, voice: roll.tracks[solo].isDrum ? 'drums' : instruments[solo], ...level(audio) });
  }
  // Every track at the same level (the page starts the accompaniment lower), so the whole is louder than any one part.
  const all = level(await renderOffline(roll, { instruments, mix: mixWith(() => ({})) }));
  const muted = level(await renderOffline(roll, { instruments, mix: mixWith(() => ({ muted: true })) }));
  const tone = createRoll(16, [{ name: 'flute', program: GM_PROGRAMS.flute, isDrum: false }], { tempoBpm: 120 });
  addNote(tone, 0, { pitch: 69, startStep: 0, steps: 16, velocity: 100 });
  const flute = await renderOffline(tone, { instruments: ['flute'], sampleRate: 44100 });
  return { tracks, all, muted, fluteA4Hz: fundamentalHz(flute[0], 44100) };
}

/** Makes each voice in a context of its own and times its samples' arrival; `bytes` counts what came over the network. */
async function loadVoices(voices: VoiceName[]): Promise<VoiceLoad[]> {
  const loads: VoiceLoad[] = [];
  for (const name of voices) {
    const before = new Set(performance.getEntriesByType('resource').map((e) => e.name));
    const start = performance.now();
    const context = new Tone.OfflineContext(1, 0.1, 44100);
    const voice = new Voice(name, context);
    await voice.needAll();
    const milliseconds = performance.now() - start;
    const fetched = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((e) => !before.has(e.name));
    loads.push({ voice: name, milliseconds, files: fetched.length, bytes: fetched.reduce((sum, e) => sum + e.transferSize, 0) });
    voice.dispose();
  }
  return loads;
}

declare global {
  interface Window {
    cantusAudioTest: { renderExport: typeof renderExport; loadVoices: typeof loadVoices };
  }
}
window.cantusAudioTest = { renderExport, loadVoices };
document.querySelector('[data-testid="status"]')!.textContent = 'ready';

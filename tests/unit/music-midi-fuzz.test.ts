/**
 * Fuzzing the MIDI reader: seeded mutants of the MIDI files the tests build (bit flips, cut files, runs
 * of 0xff, lying chunk lengths, random runs, huge variable-length numbers) must each be read or refused
 * with a MidiInputError, quickly; a file that is read must also go on the grid and give a melody.
 */
import { describe, expect, it } from 'vitest';
import { MidiInputError } from '../../src/music/errors';
import { extractMelody, suggestMelodyTrack } from '../../src/music/melody';
import { midiToRoll, parseMidi, summarizeTracks } from '../../src/music/midiIn';
import { createUniform, type Uniform } from '../../src/music/random';
import { formatZeroMidi, multiTrackMidi } from '../e2e/page-fixtures';
import { buildMidi, format0Midi, rawNote, rawTempo } from './music-midi-helpers';

const MUTANTS_PER_KIND_AND_SEED = 125;
/** Processor time each file may take (not wall time: on a busy machine the test may wait for a core). */
const PER_FILE_LIMIT_MS = 2000;

/** Milliseconds of processor time this process spent since `since` (from process.cpuUsage()). */
function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** The seeds: every kind of file the other tests build. */
function seedFiles(): Uint8Array[] {
  const scale = Array.from({ length: 24 }, (_, i) => ({ pitch: 60 + ((i * 5) % 12), start: i * 2, steps: 2 }));
  return [
    multiTrackMidi(),
    formatZeroMidi(),
    buildMidi(
      [
        { name: 'Melody', program: 73, notes: scale },
        {
          name: 'Chords',
          program: 0,
          notes: scale.flatMap((n) => [
            { ...n, pitch: n.pitch - 12 },
            { ...n, pitch: n.pitch - 8 },
          ]),
        },
        { name: 'Kit', channel: 9, notes: scale.map((n) => ({ ...n, pitch: 36 })) },
      ],
      {
        tempos: [
          { ticks: 0, bpm: 96 },
          { ticks: 1920, bpm: 100 },
        ],
        timeSignature: [3, 4],
      },
    ),
    format0Midi(
      [
        rawTempo(0, 110),
        ...Array.from({ length: 40 }, (_, i) => [...rawNote(0, 62 + (i % 7), i * 48, 48), ...rawNote(1, 50, i * 96, 96)]).flat(),
      ],
      96,
    ),
  ];
}

/** Offsets of the track chunks' length fields. */
function trackLengthFields(bytes: Uint8Array): number[] {
  const fields: number[] = [];
  let offset = 14;
  while (offset + 8 <= bytes.length) {
    fields.push(offset + 4);
    offset += 8 + (((bytes[offset + 4] << 24) | (bytes[offset + 5] << 16) | (bytes[offset + 6] << 8) | bytes[offset + 7]) >>> 0);
  }
  return fields;
}

type Mutator = (bytes: Uint8Array, random: Uniform) => Uint8Array;
const int = (random: Uniform, n: number) => Math.floor(random() * n);
/** A position past the header, where the events are. */
const inside = (bytes: Uint8Array, random: Uniform) => 22 + int(random, Math.max(1, bytes.length - 22));

const MUTATORS: Record<string, Mutator> = {
  'bit flips': (bytes, random) => {
    const out = bytes.slice();
    for (let i = 1 + int(random, 8); i > 0; i--) out[int(random, out.length)] ^= 1 << int(random, 8);
    return out;
  },
  'cut files': (bytes, random) => bytes.slice(0, int(random, bytes.length)),
  'runs of 0xff': (bytes, random) => {
    const out = bytes.slice();
    out.fill(0xff, inside(bytes, random), undefined);
    const at = inside(bytes, random);
    const copy = bytes.slice();
    copy.fill(0xff, at, at + 1 + int(random, 32));
    return random() < 0.2 ? out : copy;
  },
  'lying track lengths': (bytes, random) => {
    const out = bytes.slice();
    const fields = trackLengthFields(bytes);
    const field = fields[int(random, fields.length)];
    const real = ((out[field] << 24) | (out[field + 1] << 16) | (out[field + 2] << 8) | out[field + 3]) >>> 0;
    const lie = [0, 1, real - 1 - int(random, 8), real + 1 + int(random, 8), 0xffffffff, int(random, 2 ** 32)][int(random, 6)] >>> 0;
    out.set([lie >>> 24, (lie >>> 16) & 0xff, (lie >>> 8) & 0xff, lie & 0xff], field);
    return out;
  },
  'random runs': (bytes, random) => {
    const out = bytes.slice();
    const at = inside(bytes, random);
    for (let i = at; i < Math.min(out.length, at + 1 + int(random, 24)); i++) out[i] = int(random, 256);
    return out;
  },
  'huge varints': (bytes, random) => {
    // Continuation bytes inserted where an event or length starts: a number that never ends.
    const at = inside(bytes, random);
    const run = Array.from({ length: 4 + int(random, 12) }, () => 0x80 | int(random, 128));
    const out = new Uint8Array(bytes.length + run.length);
    out.set(bytes.subarray(0, at));
    out.set(run, at);
    out.set(bytes.subarray(at), at + run.length);
    return out;
  },
};

describe('the MIDI reader under fuzzing', () => {
  it('reads or refuses every mutant with a MidiInputError, each within 2 s of processor time', () => {
    const seeds = seedFiles();
    for (const seed of seeds) expect(parseMidi(seed).tracks.length).toBeGreaterThan(0);
    const counts = { mutants: 0, read: 0, refused: 0 };
    const byCode = new Map<string, number>();
    let slowestMs = 0;
    const started = performance.now();
    for (const [kind, mutate] of Object.entries(MUTATORS)) {
      seeds.forEach((seed, seedIndex) => {
        const random = createUniform(seedIndex * 1000 + kind.length * 7 + 11);
        for (let i = 0; i < MUTANTS_PER_KIND_AND_SEED; i++) {
          const mutant = mutate(seed, random);
          counts.mutants++;
          const t0 = process.cpuUsage();
          try {
            const parsed = parseMidi(mutant);
            const usable = summarizeTracks(parsed).filter((t) => !t.isDrum && t.noteCount > 0);
            midiToRoll(parsed);
            if (usable.length > 0) expect(extractMelody(parsed, { track: suggestMelodyTrack(usable) }).roll.steps).toBeGreaterThan(0);
            counts.read++;
          } catch (error) {
            if (!(error instanceof MidiInputError)) throw new Error(`${kind} mutant ${i} of seed ${seedIndex} threw ${String(error)}`);
            counts.refused++;
            byCode.set(error.code, (byCode.get(error.code) ?? 0) + 1);
          }
          const ms = cpuMsSince(t0);
          slowestMs = Math.max(slowestMs, ms);
          expect(ms, `${kind} mutant ${i} of seed ${seedIndex}`).toBeLessThan(PER_FILE_LIMIT_MS);
        }
      });
    }
    const totalMs = performance.now() - started;
    console.log(
      `MIDI fuzz: ${counts.mutants} mutants, ${counts.read} read, ${counts.refused} refused (${[...byCode].map(([c, n]) => `${c} ${n}`).join(', ')}), slowest ${slowestMs.toFixed(1)} ms of processor time, all ${(totalMs / 1000).toFixed(2)} s`,
    );
    expect(counts.mutants).toBe(Object.keys(MUTATORS).length * seeds.length * MUTANTS_PER_KIND_AND_SEED);
    expect(counts.read + counts.refused).toBe(counts.mutants);
    // Both outcomes occur: the mutants are neither all harmless nor all rejected outright.
    expect(counts.read).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(0);
  });

  it('refuses the file that used to exhaust the heap: 16 bytes of 0xff inside a track', () => {
    for (const seed of seedFiles()) {
      for (const at of [30, 40, 60, Math.floor(seed.length / 2)]) {
        const mutant = seed.slice();
        mutant.fill(0xff, at, at + 16);
        const t0 = process.cpuUsage();
        try {
          parseMidi(mutant);
        } catch (error) {
          expect(error).toBeInstanceOf(MidiInputError);
        }
        expect(cpuMsSince(t0)).toBeLessThan(PER_FILE_LIMIT_MS);
      }
    }
  });
});

/**
 * The General MIDI sound bank as shipped: every instrument the mixer offers (the piano excepted) and the drum kit
 * have samples, each sampled from the program the export writes for it, every file listed is there, the bank
 * stays small, and its licence travels with it. Also the WAV reader and writer its build script uses.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GM_PROGRAMS, INSTRUMENTS, type InstrumentName } from '../../src/audio/instruments';
import { bankVoice, type BankVoiceName, SOUND_BANK_ATTRIBUTION, SOUND_BANK_VOLUME_DB } from '../../src/audio/soundBank';
import { decodeWav, encodeWav } from '../../scripts/lib/wav';

const dir = join(import.meta.dirname, '..', '..', 'public', 'soundfont');
const bankInstruments = (Object.keys(INSTRUMENTS) as InstrumentName[]).filter(
  (name): name is BankVoiceName & InstrumentName => name !== 'piano',
);

describe('General MIDI sound bank', () => {
  it('holds every instrument of the mixer but the piano, from the program the export writes', () => {
    for (const name of bankInstruments) {
      const voice = bankVoice(name, '/app/');
      expect(voice.program, name).toBe(GM_PROGRAMS[name]);
      expect(voice.oneShot).toBe(false);
      const keys = Object.keys(voice.urls).map(Number);
      expect(keys.length, name).toBeGreaterThanOrEqual(8);
      // No note of the voices' usual range is more than two semitones from a sample.
      for (let k = 1; k < keys.length; k++) expect(keys[k] - keys[k - 1], name).toBeLessThanOrEqual(4);
      for (const url of Object.values(voice.urls)) expect(url).toMatch(/^\/app\/soundfont\/[a-z]+-\d+\.mp3$/);
    }
  });

  it('has a one-shot General MIDI drum kit with every percussion key 35..81', () => {
    const drums = bankVoice('drums');
    expect(drums.oneShot).toBe(true);
    expect(Object.keys(drums.urls).map(Number)).toEqual(Array.from({ length: 47 }, (_, i) => 35 + i));
  });

  it('ships exactly the files it lists, a few megabytes, with the licence and attribution', () => {
    const files = [...bankInstruments, 'drums' as const].flatMap((name) =>
      Object.values(bankVoice(name, '').urls).map((url) => url.replace('soundfont/', '')),
    );
    expect(readdirSync(dir).sort()).toEqual([...files, 'LICENSE.txt'].sort());
    const bytes = files.reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
    expect(bytes).toBeLessThan(4e6);
    for (const file of files) expect(statSync(join(dir, file)).size, file).toBeGreaterThan(1000);
    const licence = readFileSync(join(dir, 'LICENSE.txt'), 'utf8');
    expect(licence).toContain('Frank Wen');
    expect(licence).toContain('Permission is hereby granted, free of charge');
    expect(SOUND_BANK_ATTRIBUTION).toMatch(/Frank Wen, MIT/);
    expect(Number.isFinite(SOUND_BANK_VOLUME_DB)).toBe(true);
  });

  it('refuses a voice it does not have', () => {
    expect(() => bankVoice('kazoo' as BankVoiceName)).toThrow(RangeError);
  });
});

describe('WAV for the bank build', () => {
  it('round-trips 16-bit PCM and clips what is out of range', () => {
    const left = Float32Array.from([0, 0.5, -0.5, 1.5, -2]);
    const right = Float32Array.from([0.25, -0.25, 0, 0, 0]);
    const back = decodeWav(encodeWav({ sampleRate: 32000, channels: [left, right] }));
    expect(back.sampleRate).toBe(32000);
    expect(back.channels).toHaveLength(2);
    const expected = [0, 0.5, -0.5, 1, -1];
    back.channels[0].forEach((v, i) => expect(v).toBeCloseTo(expected[i], 3));
    back.channels[1].forEach((v, i) => expect(v).toBeCloseTo(right[i], 3));
  });

  it('refuses what is not a WAV file', () => {
    expect(() => decodeWav(new TextEncoder().encode('not a wave file at all'))).toThrow(/RIFF WAVE/);
  });
});

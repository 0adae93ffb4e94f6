import { describe, expect, it } from 'vitest';
import { midiFromNoteName, SAMPLE_MELODIES, sampleMelodyRoll, SampleMelodyError } from '../../src/music/samples';
import { scheduleRoll } from '../../src/audio/schedule';
import { stepsPerBar } from '../../src/music/pianoRoll';

describe('sample melodies', () => {
  it('reads note names as MIDI numbers', () => {
    expect(midiFromNoteName('C4')).toBe(60);
    expect(midiFromNoteName('A4')).toBe(69);
    expect(midiFromNoteName('F#3')).toBe(54);
    expect(midiFromNoteName('Bb5')).toBe(82);
    expect(() => midiFromNoteName('H2')).toThrow(SampleMelodyError);
  });

  it.each(SAMPLE_MELODIES.map((s) => [s.id, s] as const))('%s becomes a whole-bar, one-track melody', (id, sample) => {
    const roll = sampleMelodyRoll(id);
    expect(roll.tracks).toHaveLength(1);
    expect(roll.beatsPerBar).toBe(sample.beatsPerBar);
    expect(roll.steps % stepsPerBar(roll)).toBe(0);
    expect(roll.steps / stepsPerBar(roll)).toBeGreaterThanOrEqual(8);
    const notes = scheduleRoll(roll);
    const written = sample.notes
      .trim()
      .split(/\s+/)
      .filter((t) => !t.startsWith('r:'));
    expect(notes).toHaveLength(written.length);
    expect(notes[0].pitch).toBe(midiFromNoteName(written[0].split(':')[0]));
  });

  it('knows Ode to Joy starts E E F G', () => {
    const pitches = scheduleRoll(sampleMelodyRoll('ode-to-joy'))
      .slice(0, 4)
      .map((e) => e.pitch);
    expect(pitches).toEqual([64, 64, 65, 67]);
  });

  it('refuses an unknown id', () => {
    expect(() => sampleMelodyRoll('nope')).toThrow(/no built-in melody/);
  });
});

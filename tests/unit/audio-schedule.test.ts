import { describe, expect, it } from 'vitest';
import { ACCOMPANIMENT_LEVEL_DB, audibleTracks, countByTrack, defaultTrackMix, rollDuration, scheduleRoll } from '../../src/audio/schedule';
import { cellIndex, createRoll, type PianoRoll } from '../../src/music/pianoRoll';

const tracks = [
  { name: 'Melody', program: 0, isDrum: false },
  { name: 'Alto', program: 0, isDrum: false },
];

function hold(roll: PianoRoll, track: number, pitch: number, from: number, to: number, velocity?: number): void {
  for (let s = from; s < to; s++) roll.active[cellIndex(roll, s, pitch, track)] = 1;
  if (roll.onsets) roll.onsets[cellIndex(roll, from, pitch, track)] = 1;
  if (roll.velocities && velocity) roll.velocities[cellIndex(roll, from, pitch, track)] = velocity;
}

describe('scheduleRoll', () => {
  it('times notes from steps at the roll tempo (120 bpm, 4 steps per beat: 0.125 s a step)', () => {
    const roll = createRoll(16, tracks, { withVelocities: true });
    hold(roll, 0, 60, 0, 4, 127);
    hold(roll, 1, 52, 2, 3);
    const events = scheduleRoll(roll);
    expect(events).toEqual([
      { track: 0, pitch: 60, step: 0, steps: 4, time: 0, duration: 0.5, velocity: 1 },
      { track: 1, pitch: 52, step: 2, steps: 1, time: 0.25, duration: 0.125, velocity: 90 / 127 },
    ]);
  });

  it('splits a held pitch at a repeated onset, and joins a run when the roll has no onsets', () => {
    const withOnsets = createRoll(8, tracks);
    hold(withOnsets, 0, 64, 0, 2);
    hold(withOnsets, 0, 64, 2, 4);
    expect(scheduleRoll(withOnsets).map((e) => [e.step, e.steps])).toEqual([
      [0, 2],
      [2, 2],
    ]);

    const noOnsets = createRoll(8, tracks, { withOnsets: false });
    hold(noOnsets, 0, 64, 0, 4);
    expect(scheduleRoll(noOnsets).map((e) => [e.step, e.steps])).toEqual([[0, 4]]);
  });

  it('closes a note that lasts to the end of the roll', () => {
    const roll = createRoll(8, tracks, { withOnsets: false });
    hold(roll, 1, 40, 5, 8);
    expect(scheduleRoll(roll)).toMatchObject([{ track: 1, step: 5, steps: 3 }]);
  });

  it('rescales times for another tempo and keeps only audible tracks', () => {
    const roll = createRoll(8, tracks);
    hold(roll, 0, 60, 4, 6);
    hold(roll, 1, 55, 0, 8);
    const events = scheduleRoll(roll, { tempoBpm: 60, audible: [true, false] });
    expect(events).toHaveLength(1);
    expect(events[0].time).toBeCloseTo(1);
    expect(events[0].duration).toBeCloseTo(0.5);
    expect(rollDuration(roll, 60)).toBeCloseTo(2);
    expect(countByTrack(scheduleRoll(roll), 2)).toEqual([1, 1]);
  });

  it('refuses a tempo that is not a positive number', () => {
    const roll = createRoll(4, tracks);
    expect(() => scheduleRoll(roll, { tempoBpm: 0 })).toThrow(RangeError);
  });
});

describe('audibleTracks', () => {
  const plain = { muted: false, solo: false, volumeDb: 0 };
  it('plays every unmuted track when nothing is soloed', () => {
    expect(audibleTracks(3, [plain, { ...plain, muted: true }, plain])).toEqual([true, false, true]);
  });
  it('plays only soloed tracks when one is soloed, and a muted solo stays silent', () => {
    expect(audibleTracks(3, [plain, { ...plain, solo: true }, { ...plain, solo: true, muted: true }])).toEqual([false, true, false]);
  });
  it('treats tracks without a mix entry as audible', () => {
    expect(audibleTracks(2, [])).toEqual([true, true]);
  });
});

describe('defaultTrackMix', () => {
  it('keeps the melody at its level and starts the accompaniment below it', () => {
    expect(defaultTrackMix(0)).toEqual({ muted: false, solo: false, volumeDb: 0 });
    for (const track of [1, 2, 3]) expect(defaultTrackMix(track)).toEqual({ muted: false, solo: false, volumeDb: ACCOMPANIMENT_LEVEL_DB });
    expect(ACCOMPANIMENT_LEVEL_DB).toBeLessThan(0);
  });
});

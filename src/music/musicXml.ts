/**
 * A score layout as a MusicXML 4.0 partwise file: a part per voice, named, with its instrument and General MIDI
 * program, the key and time signatures, the tempo, notes spelled in the key with their stems, ties and rests,
 * and the chord symbols as harmony elements over the first part.
 */
import type { ChordSpan } from './harmony';
import type { ScoreEvent, ScoreLayout, ScoreVoice } from './score';
import { CHORD_QUALITIES } from './chords';
import { DRUM_CHANNEL } from './constants';
import { pitchClassName, spellPitch } from './spelling';

/** Options for `layoutToMusicXml`. */
export interface MusicXmlOptions {
  title?: string;
  /** Tempo to write, in quarter beats per minute (default the layout's own). */
  tempoBpm?: number;
  /** General MIDI program (0..127) of each roll track, by track index. */
  programs?: readonly number[];
  /** Instrument name of each roll track, by track index ("Piano", "Flute"...). */
  instrumentNames?: readonly string[];
  /** Which roll tracks to write, by track index (default all that the layout holds). */
  include?: readonly boolean[];
}

/** MusicXML's name of each chord quality, by CHORD_QUALITIES' Tonal name. */
const HARMONY_KINDS: Record<string, string> = {
  M: 'major',
  m: 'minor',
  dim: 'diminished',
  aug: 'augmented',
  '7': 'dominant',
  maj7: 'major-seventh',
  m7: 'minor-seventh',
  m7b5: 'half-diminished',
  dim7: 'diminished-seventh',
};

/** Note types by length in 16th notes, with their dots. */
const NOTE_TYPES: Record<number, [string, number]> = {
  1: ['16th', 0],
  2: ['eighth', 0],
  3: ['eighth', 1],
  4: ['quarter', 0],
  6: ['quarter', 1],
  8: ['half', 0],
  12: ['half', 1],
  16: ['whole', 0],
  24: ['whole', 1],
};

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

function stepAndAlter(name: string, prefix: 'root' | 'bass'): string {
  const alter = name.slice(1) === '#' ? 1 : name.slice(1) === 'b' ? -1 : name.length > 2 ? (name[1] === '#' ? 2 : -2) : 0;
  return `<${prefix}-step>${name[0]}</${prefix}-step>${alter ? `<${prefix}-alter>${alter}</${prefix}-alter>` : ''}`;
}

function harmonyXml(chord: ChordSpan, layout: ScoreLayout, offset: number): string {
  const quality = CHORD_QUALITIES[chord.chord.quality];
  const root = pitchClassName(chord.chord.root, layout.key);
  const bass =
    chord.chord.bass === chord.chord.root ? '' : `<bass>${stepAndAlter(pitchClassName(chord.chord.bass, layout.key), 'bass')}</bass>`;
  return (
    `<harmony><root>${stepAndAlter(root, 'root')}</root><kind text="${escapeXml(quality.suffix)}">${HARMONY_KINDS[quality.tonalType]}</kind>` +
    `${bass}${offset ? `<offset>${offset}</offset>` : ''}</harmony>`
  );
}

function noteXml(event: ScoreEvent, layout: ScoreLayout, voice: ScoreVoice, tiedIn: Set<number>, wholeBar: boolean): string {
  const sixteenths = (event.steps * 4) / layout.stepsPerBeat;
  const [type, dots] = NOTE_TYPES[sixteenths] ?? [null, 0];
  const shape = `${type ? `<type>${type}</type>` : ''}${'<dot/>'.repeat(dots)}`;
  if (event.pitches.length === 0) {
    return `<note><rest${wholeBar ? ' measure="yes"' : ''}/><duration>${event.steps}</duration><voice>1</voice>${wholeBar ? '' : shape}</note>`;
  }
  return event.pitches
    .map((pitch, k) => {
      const spelled = spellPitch(pitch, layout.key);
      const ties = [tiedIn.has(pitch) ? 'stop' : null, event.tied[k] ? 'start' : null].filter((t) => t !== null);
      return (
        `<note>${k > 0 ? '<chord/>' : ''}<pitch><step>${spelled.step}</step>${spelled.alter ? `<alter>${spelled.alter}</alter>` : ''}` +
        `<octave>${spelled.octave}</octave></pitch><duration>${event.steps}</duration>${ties.map((t) => `<tie type="${t}"/>`).join('')}` +
        `<voice>1</voice>${shape}${voice.stem === 'auto' ? '' : `<stem>${voice.stem}</stem>`}` +
        `${ties.length ? `<notations>${ties.map((t) => `<tied type="${t}"/>`).join('')}</notations>` : ''}</note>`
      );
    })
    .join('');
}

/** The layout as a MusicXML 4.0 partwise document. */
export function layoutToMusicXml(layout: ScoreLayout, options: MusicXmlOptions = {}): string {
  const tempo = Math.round((options.tempoBpm ?? layout.tempoBpm) * 100) / 100;
  const parts = layout.staves
    .flatMap((staff) => staff.voices.map((voice) => ({ voice, clef: staff.clef })))
    .filter(({ voice }) => options.include?.[voice.track] ?? true);
  const beats = Number.isInteger(layout.beatsPerBar) ? [layout.beatsPerBar, 4] : [layout.beatsPerBar * 2, 8];
  let channel = 0;
  const partList = parts
    .map(({ voice }, i) => {
      const id = `P${i + 1}`;
      const program = Math.min(127, Math.max(0, Math.round(options.programs?.[voice.track] ?? 0)));
      const instrument = options.instrumentNames?.[voice.track] ?? 'Piano';
      const midiChannel = (channel === DRUM_CHANNEL ? ++channel : channel) + 1;
      channel = (channel + 1) % 16;
      return (
        `<score-part id="${id}"><part-name>${escapeXml(voice.name)}</part-name>` +
        `<score-instrument id="${id}-I1"><instrument-name>${escapeXml(instrument)}</instrument-name></score-instrument>` +
        `<midi-instrument id="${id}-I1"><midi-channel>${midiChannel}</midi-channel><midi-program>${program + 1}</midi-program></midi-instrument></score-part>`
      );
    })
    .join('\n');
  const body = parts
    .map(({ voice, clef }, i) => {
      const tiedIn = new Set<number>();
      const measures = voice.bars.map((events, bar) => {
        let xml = `<measure number="${bar + 1}">`;
        if (bar === 0) {
          xml +=
            `<attributes><divisions>${layout.stepsPerBeat}</divisions><key><fifths>${layout.fifths}</fifths><mode>${layout.key.mode}</mode></key>` +
            `<time><beats>${beats[0]}</beats><beat-type>${beats[1]}</beat-type></time>` +
            `<clef>${clef === 'treble' ? '<sign>G</sign><line>2</line>' : '<sign>F</sign><line>4</line>'}</clef></attributes>`;
          if (i === 0) {
            xml += `<direction placement="above"><direction-type><metronome><beat-unit>quarter</beat-unit><per-minute>${tempo}</per-minute></metronome></direction-type><sound tempo="${tempo}"/></direction>`;
          }
        }
        for (const event of events) {
          if (i === 0) {
            for (const chord of layout.chords) {
              if (chord.startStep >= event.startStep && chord.startStep < event.startStep + event.steps) {
                xml += harmonyXml(chord, layout, chord.startStep - event.startStep);
              }
            }
          }
          xml += noteXml(event, layout, voice, tiedIn, events.length === 1 && event.pitches.length === 0);
          tiedIn.clear();
          event.pitches.forEach((p, k) => event.tied[k] && tiedIn.add(p));
        }
        return `${xml}</measure>`;
      });
      return `<part id="P${i + 1}">\n${measures.join('\n')}\n</part>`;
    })
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
    '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" "http://www.musicxml.org/dtds/partwise.dtd">',
    '<score-partwise version="4.0">',
    `<work><work-title>${escapeXml(options.title ?? 'Cantus')}</work-title></work>`,
    '<identification><encoding><software>Cantus</software></encoding></identification>',
    `<part-list>\n${partList}\n</part-list>`,
    body,
    '</score-partwise>',
    '',
  ].join('\n');
}

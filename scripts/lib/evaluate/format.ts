/** The evaluation's reports as fixed-width text tables. */
import { drumName } from '../../../src/music/drums';
import {
  LISTENER_COLUMNS,
  MUSEGAN_COLUMNS,
  SPREAD_FLOOR_ABSOLUTE,
  SPREAD_FLOOR_RELATIVE,
  type EvaluationReport,
  type ListenerReport,
  type SystemReport,
} from './metrics';
import type { MelodyReport } from './melodies';
import { OWN_DISTANCE_MEASURES, type OwnEvaluationReport, type OwnSystemReport, type OwnTrackReport } from './own';
import { pitchName } from '../../../src/music/spelling';

/** A table column: the row's field, its header and, when not the 3-decimal default, how its value is written. */
type Column<T> = readonly [keyof T & string, string, ((value: unknown) => string)?];

function formatRows<T extends object>(rows: Record<string, T>, columns: readonly Column<T>[], label: string): string[] {
  const names = Object.keys(rows);
  const width = Math.max(label.length, ...names.map((n) => n.length));
  const cells = names.map((name) => columns.map(([key, , format]) => (format ?? formatValue)(rows[name][key])));
  const widths = columns.map(([, header], i) => Math.max(header.length, 6, ...cells.map((row) => row[i].length)));
  const header = [label.padEnd(width), ...columns.map(([, h], i) => h.padStart(widths[i]))].join('  ');
  const lines = names.map((name, r) => [name.padEnd(width), ...cells[r].map((cell, i) => cell.padStart(widths[i]))].join('  '));
  return [header, ...lines];
}

function formatValue(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(3) : '-';
}

function legend(columns: readonly (readonly [string, string, string])[]): string {
  return columns.map(([key, , header]) => `${header}=${key}`).join(', ');
}

/** A system's figures against Bach in one flat row: harmony agreement and the critic test's readings. */
interface AgainstBachRow {
  harmony_agreement: number;
  window_accuracy?: number;
  auc?: number;
  chorale_accuracy?: number;
}

/** The table of harmony agreement and the critic test (with the model's restricted views when they ran). */
function againstBach(result: EvaluationReport): string[] {
  const rows: Record<string, AgainstBachRow> = {};
  for (const [name, system] of Object.entries(result.systems) as [string, SystemReport][]) {
    rows[name] = { harmony_agreement: system.harmony_agreement, ...system.critic_test };
    for (const [view, reading] of Object.entries(system.critic_test_views ?? {}))
      rows[`${name} (${view} only)`] = { harmony_agreement: NaN, ...reading };
    if (system.critic_test_check) rows[`${name} (second classifier design)`] = { harmony_agreement: NaN, ...system.critic_test_check };
  }
  const columns = [
    ['harmony_agreement', 'harmony'],
    ['window_accuracy', 'critic_windows'],
    ['auc', 'critic_auc'],
    ['chorale_accuracy', 'critic_chorales'],
  ] as const;
  const setup = result.critic_test;
  return [
    'Against Bach, note for note:',
    ...formatRows(rows, columns, 'system'),
    "  harmony=harmony_agreement: share of the beats where Bach's four voices sound whose pitch classes equal Bach's",
    setup
      ? `  critic_test: a classifier trained on ${setup.train_chorales} train-split chorales (seed ${setup.seed}, ${setup.epochs} epochs) ` +
        "to tell the system's two-bar windows from Bach's, read on this split: window accuracy, AUC, chorale accuracy " +
        '(0.5: cannot tell; 1: always tells); the model is also read by a classifier of a second design, so that a gain ' +
        "only the first one's blind spot explains shows"
      : '  critic_test: skipped',
    '',
  ];
}

/** The chorale report as fixed-width tables: the listener metrics with the distance to Bach, then the MuseGAN-style ones. */
export function formatTable(result: EvaluationReport): string {
  const listener: (readonly [keyof SystemReport, string])[] = [
    ...LISTENER_COLUMNS.map(([key, , h]) => [key, h] as const),
    ['distance_to_bach', 'distance_to_bach'],
  ];
  const musegan = MUSEGAN_COLUMNS.map(([key, , h]) => [key, h] as const);
  const skipped = Object.entries(result.distance_skipped).map(
    ([name, keys]) => `${name} cannot measure ${keys.join(', ')} (left out of its distance)`,
  );
  return [
    `${result.chorales} chorales, split "${result.split}" of ${result.data}; every metric computed per chorale, then averaged`,
    '',
    'What a listener hears (alto, tenor and bass under the soprano):',
    ...formatRows(result.systems, listener, 'system'),
    `  ${legend(LISTENER_COLUMNS)}`,
    '',
    'MuseGAN-style metrics:',
    ...formatRows(result.systems, musegan, 'system'),
    `  ${legend(MUSEGAN_COLUMNS)}`,
    '',
    ...againstBach(result),
    `distance_to_bach: mean over ${result.distance_metrics.length} metrics (${result.distance_metrics.join(', ')}) of |system - Bach| / ` +
      `max(std of Bach's per-chorale values, ${SPREAD_FLOOR_ABSOLUTE}, ${SPREAD_FLOOR_RELATIVE} x |Bach's mean|)`,
    ...skipped,
  ].join('\n');
}

/** The melody report as a fixed-width table, one row per melody and a mean row. */
export function formatMelodyTable(result: MelodyReport): string {
  const rows: Record<string, ListenerReport> = {};
  for (const [name, m] of Object.entries(result.melodies)) rows[`${name} (${result.keys[name]})`] = m;
  rows.mean = result.mean;
  const columns = LISTENER_COLUMNS.map(([key, , h]) => [key, h] as const);
  return [
    `The model's accompaniment of ${Object.keys(result.melodies).length} melodies (key estimated from each melody)`,
    ...formatRows(rows, columns, 'melody'),
    `  ${legend(LISTENER_COLUMNS)}`,
  ].join('\n');
}

/** A pitch of a range: its name and MIDI number ("C2 36"); '-' for none. */
function formatPitch(value: unknown): string {
  return typeof value === 'number' && value >= 0 ? `${pitchName(value)} ${value}` : '-';
}

/** A track's row: the range left out for drums (their "pitches" are the kit's keys). */
type TrackRow = Omit<OwnTrackReport, 'drum_keys' | 'name' | 'is_drum'>;

function trackRow(track: OwnTrackReport): TrackRow {
  return { ...track, low: track.is_drum ? -1 : track.low, high: track.is_drum ? -1 : track.high };
}

function drumLine(system: string, track: OwnTrackReport): string {
  const keys = track.drum_keys.map((k) => `${k.pitch} ${drumName(k.pitch)} ${k.hit_rate.toFixed(3)}`);
  return `  ${system} ${track.name}: ${keys.length > 0 ? keys.join(', ') : 'no hits'}`;
}

/** The own-data report as fixed-width tables: the tracks place by place (model, then data), the drum kits, the overall figures. */
export function formatOwnTable(result: OwnEvaluationReport): string {
  const systems = Object.entries(result.systems) as [string, OwnSystemReport][];
  const label = Math.max('system'.length, ...systems.map(([name]) => name.length));
  const trackRows: Record<string, TrackRow> = {};
  const places = Math.max(...systems.map(([, s]) => s.tracks.length));
  for (let place = 0; place < places; place++) {
    for (const [name, system] of systems) {
      const track = system.tracks[place];
      if (track) trackRows[`${name.padEnd(label)}  ${place + 1} ${track.name}`] = trackRow(track);
    }
  }
  const trackColumns: Column<TrackRow>[] = [
    ['rest_rate', 'rest_rate'],
    ['polyphony', 'polyphony'],
    ['note_steps', 'note_steps', (v) => (typeof v === 'number' ? String(v) : '-')],
    ['low', 'low', formatPitch],
    ['high', 'high', formatPitch],
  ];
  const drums = systems.flatMap(([name, system]) => system.tracks.filter((t) => t.is_drum).map((t) => drumLine(name.padEnd(label), t)));
  type OverallRow = Omit<OwnSystemReport, 'tracks' | 'distances'> & Record<`d_${string}`, number>;
  const overall: Record<string, OverallRow> = {};
  for (const [name, system] of systems) {
    const { tracks: _tracks, distances, ...rest } = system;
    overall[name] = { ...rest, ...Object.fromEntries(OWN_DISTANCE_MEASURES.map((m) => [`d_${m}`, distances[m]])) };
  }
  const overallColumns: Column<OverallRow>[] = [
    ['chord_rate', 'chord_rate'],
    ['in_key_rate', 'in_key_rate'],
    ...OWN_DISTANCE_MEASURES.map((m) => [`d_${m}`, `d_${m}`] as const),
    ['distance', 'distance'],
  ];
  const { data, model } = result;
  const n = result.heldOutFiles.length;
  return [
    `${n} held-out file${n === 1 ? '' : 's'} of ${data.folder} (${data.files} MIDI files; training used the other ${data.training_files}): ` +
      result.heldOutFiles.join(', '),
    `model ${model.folder} (${model.kind === 'own' ? 'trained on own MIDI files' : 'trained on the Bach chorales'}); ` +
      `held-out file i accompanied with seed ${result.seed} + i; every figure pooled over the held-out files`,
    '',
    "Accompaniment tracks, place by place (the model's track, then the held-out data's):",
    ...formatRows(trackRows, trackColumns, `${'system'.padEnd(label)}  track`),
    '  rest_rate: share of the steps where the melody sounds on which the track is silent; polyphony: mean pitches sounding',
    '  at once where the track sounds; note_steps: median note length in 16ths; low, high: 2nd and 98th percentile pitch',
    ...(drums.length > 0 ? ['Drum keys (MIDI key, hits per step of the pieces in which the track plays):', ...drums] : []),
    '',
    'Overall:',
    ...formatRows(overall, overallColumns, 'system'),
    '  chord_rate: share of the beats where the melody sounds on which melody and melodic tracks together sound 3 or more',
    "  pitch classes; in_key_rate: share of the melodic tracks' notes in the key estimated from the melody",
    `  distance: mean of the ${OWN_DISTANCE_MEASURES.length} d_ measures (profileDistance of the system's tracks from the data's, each`,
    "  averaged over the places): d_rest_rate |Δ rest rate|; d_polyphony |Δ polyphony| / max(1, data's); d_note_steps",
    "  |Δ median note length| / max(1, data's); d_low, d_high |Δ| / 12 (octaves; 0 for a drum track). 0 = the data itself",
  ].join('\n');
}

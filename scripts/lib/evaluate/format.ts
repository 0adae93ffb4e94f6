/** The evaluation's reports as fixed-width text tables. */
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

function formatRows<T extends object>(
  rows: Record<string, T>,
  columns: readonly (readonly [keyof T & string, string])[],
  label: string,
): string[] {
  const names = Object.keys(rows);
  const width = Math.max(label.length, ...names.map((n) => n.length));
  const widths = columns.map(([, header]) => Math.max(header.length, 6));
  const header = [label.padEnd(width), ...columns.map(([, h], i) => h.padStart(widths[i]))].join('  ');
  const lines = names.map((name) =>
    [name.padEnd(width), ...columns.map(([key], i) => formatValue(rows[name][key]).padStart(widths[i]))].join('  '),
  );
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
        '(0.5: cannot tell; 1: always tells)'
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

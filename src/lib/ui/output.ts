// Results on stdout in the format asked for; nothing else ever goes to stdout.
import { stringifyYaml as toYaml } from '../kube/yaml.ts';

export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml', 'name'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface Column<T> {
  header: string;
  get: (row: T) => string | number | undefined;
  /** Shown only with -o wide. */
  wide?: boolean;
}

export function renderTable<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>, wide = false): string {
  const cols = columns.filter((c) => wide || !c.wide);
  const cells = rows.map((r) => cols.map((c) => {
    const v = c.get(r);
    return v === undefined || v === '' ? '<none>' : String(v);
  }));
  const widths = cols.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!))).join('   ').trimEnd();
  return [line(cols.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

export interface Printable<T> {
  /** The machine-readable value (-o json|yaml). */
  data: unknown;
  rows: readonly T[];
  columns: ReadonlyArray<Column<T>>;
  /** For -o name: "seed/local". */
  names?: readonly string[];
  /** What to say on a terminal when there are no rows. */
  empty?: string;
}

export function render<T>(format: OutputFormat, p: Printable<T>): string {
  switch (format) {
    case 'json':
      return JSON.stringify(p.data, null, 2) + '\n';
    case 'yaml':
      return toYaml(p.data);
    case 'name':
      return (p.names ?? []).map((n) => `${n}\n`).join('');
    case 'table':
    case 'wide':
      if (p.rows.length === 0 && p.empty) return '';
      return renderTable(p.rows, p.columns, format === 'wide');
  }
}

/** "5m", "3h", "2d": like kubectl's AGE column. */
export function age(timestamp: string | undefined, now = Date.now()): string | undefined {
  if (!timestamp) return undefined;
  const s = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

import { strict as assert } from 'node:assert';
import { parse as parseYaml } from 'yaml';
import { age, OUTPUT_FORMATS, render, renderTable, type Column, type Printable } from '../../../src/lib/ui/output.ts';

interface Row {
  name: string;
  provider: string;
  version?: string;
  shoots: number;
  nodes: string;
}

const ROWS: Row[] = [
  { name: 'local', provider: 'local', version: '1.37.2', shoots: 3, nodes: '172.18.0.0/16' },
  { name: 'aws-eu-west-1', provider: 'aws', shoots: 0, nodes: '10.0.0.0/16' },
];

const COLUMNS: ReadonlyArray<Column<Row>> = [
  { header: 'NAME', get: (r) => r.name },
  { header: 'PROVIDER', get: (r) => r.provider },
  { header: 'VERSION', get: (r) => r.version },
  { header: 'NODES', get: (r) => r.nodes, wide: true },
  { header: 'SHOOTS', get: (r) => r.shoots },
];

function printable(rows: readonly Row[], extra: Partial<Printable<Row>> = {}): Printable<Row> {
  return { data: { items: rows }, rows, columns: COLUMNS, names: rows.map((r) => `seed/${r.name}`), ...extra };
}

describe('renderTable', () => {
  it('aligns columns to the widest cell with three spaces between them, like kubectl', () => {
    assert.equal(
      renderTable(ROWS, COLUMNS),
      [
        'NAME            PROVIDER   VERSION   SHOOTS',
        'local           local      1.37.2    3',
        'aws-eu-west-1   aws        <none>    0',
        '',
      ].join('\n'),
    );
  });

  it('shows <none> for missing and empty cells, but 0 as 0', () => {
    const out = renderTable([{ name: '', provider: 'aws', shoots: 0, nodes: '' }], COLUMNS);
    assert.deepEqual(out.split('\n')[1]?.split(/\s+/), ['<none>', 'aws', '<none>', '0']);
  });

  it('shows wide columns only when asked for wide output', () => {
    assert.doesNotMatch(renderTable(ROWS, COLUMNS), /NODES|172\.18/);
    const wide = renderTable(ROWS, COLUMNS, true).split('\n');
    assert.equal(wide[0], 'NAME            PROVIDER   VERSION   NODES           SHOOTS');
    assert.equal(wide[1], 'local           local      1.37.2    172.18.0.0/16   3');
  });

  it('leaves no trailing spaces, even when the last column is narrower than its header', () => {
    for (const line of renderTable(ROWS, COLUMNS).split('\n')) assert.equal(line, line.trimEnd());
  });

  it('prints just the headers when there are no rows', () => {
    assert.equal(renderTable([], COLUMNS), 'NAME   PROVIDER   VERSION   SHOOTS\n');
  });
});

describe('render', () => {
  it('knows the formats table, wide, json, yaml and name', () => {
    assert.deepEqual([...OUTPUT_FORMATS], ['table', 'wide', 'json', 'yaml', 'name']);
  });

  it('prints the data as indented JSON for -o json', () => {
    const out = render('json', printable(ROWS));
    assert.deepEqual(JSON.parse(out), { items: ROWS });
    assert.equal(out, JSON.stringify({ items: ROWS }, null, 2) + '\n');
  });

  it('prints the data as YAML for -o yaml', () => {
    assert.deepEqual(parseYaml(render('yaml', printable(ROWS))), { items: ROWS });
  });

  it('prints kind/name lines for -o name', () => {
    assert.equal(render('name', printable(ROWS)), 'seed/local\nseed/aws-eu-west-1\n');
    assert.equal(render('name', printable([])), '');
  });

  it('prints the table for table and wide', () => {
    assert.equal(render('table', printable(ROWS)), renderTable(ROWS, COLUMNS));
    assert.equal(render('wide', printable(ROWS)), renderTable(ROWS, COLUMNS, true));
  });

  it('prints nothing to stdout for an empty list that has a message for the terminal', () => {
    assert.equal(render('table', printable([], { empty: 'No seeds registered.' })), '');
    assert.equal(render('table', printable([])), 'NAME   PROVIDER   VERSION   SHOOTS\n');
  });

  it('prints an empty list as data in machine formats', () => {
    assert.deepEqual(JSON.parse(render('json', printable([], { empty: 'No seeds registered.' }))), { items: [] });
  });
});

describe('age', () => {
  const NOW = Date.parse('2026-01-10T12:00:00Z');
  const before = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

  const cases: Array<[number, string]> = [
    [0, '0s'],
    [45, '45s'],
    [119, '119s'],
    [120, '2m'],
    [119 * 60, '119m'],
    [120 * 60, '2h'],
    [47 * 3600, '47h'],
    [48 * 3600, '2d'],
    [400 * 86400, '400d'],
  ];
  for (const [seconds, text] of cases) {
    it(`shows ${seconds}s ago as ${text}`, () => {
      assert.equal(age(before(seconds), NOW), text);
    });
  }

  it('shows a timestamp in the future (clock skew) as 0s', () => {
    assert.equal(age(before(-30), NOW), '0s');
  });

  it('gives nothing for a missing timestamp, so the table shows <none>', () => {
    assert.equal(age(undefined, NOW), undefined);
    assert.match(renderTable([{ ts: undefined }], [{ header: 'AGE', get: (r: { ts?: string }) => age(r.ts, NOW) }]), /<none>/);
  });
});

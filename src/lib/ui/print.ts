// Results to stdout in the format asked for, and notes to stderr: shared by
// the oclif commands and the lean read path, which must print the same.
import { render, type OutputFormat, type Printable } from './output.ts';

export function printResult<T>(format: string, p: Printable<T>): void {
  const out = render(format as OutputFormat, p);
  if (out === '' && p.empty && (format === 'table' || format === 'wide')) process.stderr.write(`${p.empty}\n`);
  else process.stdout.write(out);
}

// Colour only for a terminal, never with NO_COLOR or into a pipe: chalk with
// its level decided here rather than by its own guess.
import { Chalk, type ChalkInstance } from 'chalk';

export function colorEnabled(stream: { isTTY?: boolean }): boolean {
  if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') return false;
  if (process.env['FORCE_COLOR'] !== undefined && process.env['FORCE_COLOR'] !== '0') return true;
  return Boolean(stream.isTTY) && process.env['TERM'] !== 'dumb';
}

export function styles(stream: { isTTY?: boolean }): ChalkInstance {
  return new Chalk({ level: colorEnabled(stream) ? 1 : 0 });
}

// How errors look on stderr: one sentence, a hint, and with --verbose the causes.
import { styles } from './style.ts';

export function formatError(message: string, hint: string | undefined, cause: unknown): string {
  const s = styles(process.stderr);
  let out = `${s.red('Error:')} ${message}\n`;
  if (hint) out += `${s.dim('Hint:')} ${hint}\n`;
  let c: unknown = cause;
  for (let depth = 0; c !== undefined && depth < 6; depth++) {
    const text = c instanceof Error ? (c.stack ?? c.message) : typeof c === 'string' ? c : JSON.stringify(c);
    out += `${s.dim(depth === 0 ? 'Cause:' : 'Caused by:')} ${text}\n`;
    c = c instanceof Error ? c.cause : undefined;
  }
  return out;
}

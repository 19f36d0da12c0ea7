// `kubegarden help exit-codes`: the table of EXIT_CODE_DOCS. oclif treats a
// first argument "help" itself (help for the command named by the rest), so
// src/main.ts answers this one before oclif runs.
import { EXIT_CODE_DOCS } from './errors.ts';

export function isExitCodesHelp(argv: readonly string[]): boolean {
  return argv[0] === 'help' && argv[1] === 'exit-codes';
}

export function exitCodesHelp(): string {
  const width = Math.max(...EXIT_CODE_DOCS.map((d) => d.name.length));
  const lines = EXIT_CODE_DOCS.map((d) => `  ${String(d.code).padStart(3)}  ${d.name.padEnd(width)}  ${d.meaning}`);
  return ['EXIT CODES', ...lines, '', 'Errors are one sentence on stderr; --verbose adds their causes.', ''].join('\n');
}

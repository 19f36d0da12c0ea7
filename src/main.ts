// The entry point behind bin/run.js and bin/dev.js: runs oclif, then turns any
// error into one sentence on stderr and a documented exit code.
import { fileURLToPath } from 'node:url';
import { ExitCode, isKubegardenError } from './lib/ui/errors.ts';

export interface MainOptions {
  /** Run the TypeScript sources (bin/dev.js) instead of the build. */
  development?: boolean;
}

export async function main(argv: string[], root: URL, options: MainOptions = {}): Promise<void> {
  const oclif = await import('@oclif/core');
  const rootDir = fileURLToPath(root);
  let code = 0;
  // oclif's core has no "help" command (that is @oclif/plugin-help): "help exit-codes" is our own
  // topic, and "help shoot create" means "shoot create --help".
  const { isExitCodesHelp, exitCodesHelp } = await import('./lib/ui/exit-codes.ts');
  if (isExitCodesHelp(argv)) {
    process.stdout.write(exitCodesHelp());
    return;
  }
  if (argv[0] === 'help') argv = [...argv.slice(1), '--help'];
  try {
    let config;
    if (options.development) {
      const { readFile } = await import('node:fs/promises');
      const pjson = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { oclif: Record<string, unknown> };
      pjson.oclif = { ...pjson.oclif, commands: './src/commands' };
      config = await oclif.Config.load({ root: rootDir, pjson: pjson as never, ignoreManifest: true, isRoot: true });
    } else {
      config = await oclif.Config.load({ root: rootDir });
    }
    await oclif.run(argv, config);
    await oclif.flush();
  } catch (err) {
    code = await report(err, argv);
  }
  process.exitCode = code;
}

/** Writes err as one sentence (and its cause with --verbose) to stderr; returns the exit code. */
export async function report(err: unknown, argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('--verbose') || process.env['KUBEGARDEN_VERBOSE'] === '1';
  const { formatError } = await import('./lib/ui/render-error.ts');
  if (isKubegardenError(err)) {
    process.stderr.write(formatError(err.message, err.hint, verbose ? err.cause : undefined));
    return err.exitCode;
  }
  const e = err as { oclif?: { exit?: number }; message?: string; code?: string };
  // oclif's own errors: parse failures and this.error() calls.
  if (e?.oclif && typeof e.oclif.exit === 'number') {
    if (e.code === 'EEXIT' || e.oclif.exit === 0) return e.oclif.exit;
    const message = usageSentence(String(e.message ?? err));
    process.stderr.write(formatError(message, 'Run the command with --help to see its flags and examples.', verbose ? err : undefined));
    return e.oclif.exit === 2 ? ExitCode.usage : e.oclif.exit;
  }
  process.stderr.write(formatError(`Unexpected error: ${(err as Error)?.message ?? String(err)}`, 'This is a bug in kubegarden: rerun with --verbose and report the output.', verbose ? err : undefined));
  return ExitCode.unexpected;
}

/**
 * oclif's parse errors as one sentence: its "The following error occurred:"
 * header and indented list joined into one line, flags named as typed, and a
 * full stop.
 */
export function usageSentence(text: string): string {
  const lines = text
    .replace(/\n\s*See more help with --help$/, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^The following errors? occurred:$/.test(l));
  const sentence = lines.join('; ').replace(/Missing required flag (?!-)([\w-]+)/g, 'Missing required flag --$1');
  return /[.:!?)]$/.test(sentence) ? sentence : `${sentence}.`;
}

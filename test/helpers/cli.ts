// Runs the kubegarden CLI as a user would: a separate process, its exit code,
// stdout and stderr. Uses the TypeScript sources (bin/dev.js) unless
// KUBEGARDEN_TEST_BIN=run asks for the build (bin/run.js).
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

const bin = fileURLToPath(new URL(`../../bin/${process.env['KUBEGARDEN_TEST_BIN'] === 'run' ? 'run' : 'dev'}.js`, import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function kubegarden(args: string[], options: Options = {}): Promise<CliResult> {
  const r = await execa(process.execPath, [bin, ...args], {
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    ...options,
    // No target from the developer's own kubegarden config leaks into a test.
    env: { NO_COLOR: '1', CI: 'true', KUBECONFIG: '/nonexistent/kubeconfig', KUBEGARDEN_CONFIG: '/nonexistent/kubegarden/config.yaml', ...options.env },
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Fails with the CLI's output when the command did not succeed. */
export async function kubegardenOk(args: string[], options: Options = {}): Promise<CliResult> {
  const r = await kubegarden(args, options);
  if (r.exitCode !== 0) throw new Error(`kubegarden ${args.join(' ')} exited ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

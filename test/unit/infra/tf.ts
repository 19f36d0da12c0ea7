// Running the real terraform binary from unit tests, with a CLI configuration
// of our own (the machine's TF_CLI_CONFIG_FILE may point at nothing).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { resolveTerraformBinary } from '../../../src/lib/infra/binary.ts';

let cliConfig: string | undefined;

function emptyCliConfig(): string {
  if (!cliConfig) {
    const dir = mkdtempSync(join(tmpdir(), 'kubegarden-tfrc-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    cliConfig = join(dir, 'terraformrc.json');
    writeFileSync(cliConfig, '{"disable_checkpoint": true}\n');
  }
  return cliConfig;
}

/** The terraform binary, or undefined (with the reason) when the machine has none. */
export async function terraformBinary(): Promise<string | undefined> {
  try {
    return (await resolveTerraformBinary()).path;
  } catch {
    return undefined;
  }
}

export async function terraform(bin: string, args: string[], cwd: string) {
  return execa(bin, args, {
    cwd,
    reject: false,
    all: true,
    env: { TF_CLI_CONFIG_FILE: emptyCliConfig(), TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
  });
}

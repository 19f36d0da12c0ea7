// Destructive commands ask the user to type the object's name on a terminal;
// without one (CI, a pipe, --non-interactive) they need --yes.
import { KubegardenError } from './errors.ts';

export interface ConfirmOptions {
  yes: boolean;
  nonInteractive: boolean;
}

export function canPrompt(nonInteractive: boolean): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY) && !nonInteractive && !process.env['CI'];
}

export async function confirmByName(action: string, name: string, options: ConfirmOptions): Promise<void> {
  if (options.yes) return;
  if (!canPrompt(options.nonInteractive)) {
    throw new KubegardenError('usage', `${action} needs a confirmation and there is no terminal to ask on: pass --yes.`);
  }
  const { input } = await import('@inquirer/prompts');
  const answer = await input({ message: `${action}: type the name "${name}" to confirm` }, { output: process.stderr });
  if (answer.trim() !== name) throw new KubegardenError('aborted', `Nothing was deleted: "${answer.trim()}" is not "${name}".`);
}

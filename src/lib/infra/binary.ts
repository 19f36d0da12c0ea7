// Finds the Terraform binary: --terraform-bin, else KUBEGARDEN_TERRAFORM,
// else terraform or tofu on the PATH.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { configError } from '../ui/errors.ts';

export interface TerraformBinary {
  path: string;
  /** Where the choice came from, for --verbose and error messages. */
  source: 'flag' | 'env' | 'path';
}

export const TERRAFORM_ENV = 'KUBEGARDEN_TERRAFORM';
const CANDIDATES = ['terraform', 'tofu'];

export async function resolveTerraformBinary(explicit?: string, env: NodeJS.ProcessEnv = process.env): Promise<TerraformBinary> {
  if (explicit !== undefined && explicit !== '') {
    const found = await locate(explicit, env);
    if (!found) throw configError(`The Terraform binary "${explicit}" given with --terraform-bin is not an executable file.`, { hint: 'Pass the path of a terraform (>= 1.5) or tofu binary.' });
    return { path: found, source: 'flag' };
  }
  const fromEnv = env[TERRAFORM_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const found = await locate(fromEnv, env);
    if (!found) throw configError(`The Terraform binary "${fromEnv}" named by ${TERRAFORM_ENV} is not an executable file.`, { hint: `Point ${TERRAFORM_ENV} at a terraform (>= 1.5) or tofu binary, or unset it to use the PATH.` });
    return { path: found, source: 'env' };
  }
  for (const name of CANDIDATES) {
    const found = await searchPath(name, env);
    if (found) return { path: found, source: 'path' };
  }
  throw configError(
    `Neither terraform nor tofu is on the PATH: install Terraform (>= 1.5) or OpenTofu, or name the binary with --terraform-bin or ${TERRAFORM_ENV}.`,
  );
}

async function locate(nameOrPath: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (isAbsolute(nameOrPath) || nameOrPath.includes('/') || nameOrPath.includes('\\')) {
    const full = resolve(nameOrPath);
    return (await isExecutableFile(full)) ? full : undefined;
  }
  return searchPath(nameOrPath, env);
}

async function searchPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

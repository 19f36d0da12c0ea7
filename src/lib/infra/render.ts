// Rendering a shoot's Terraform: the provider's template files, copied as
// they are (static HCL: for_each over variables gives them their shape), and
// terraform.tfvars.json with every value. No value is ever written into HCL.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conflict } from '../ui/errors.ts';
import { infraProvider } from './providers/index.ts';
import { STATE_SECRET_SUFFIX, validateInfraSpec } from './spec.ts';
import type { InfraProviderName, InfraSpec } from './types.ts';

export const TFVARS_FILE = 'terraform.tfvars.json';

/** The templates shipped with kubegarden: <package>/templates/terraform. */
export function defaultTemplatesRoot(): string {
  return fileURLToPath(new URL('../../../templates/terraform/', import.meta.url));
}

export interface RenderOptions {
  /** A directory holding one template directory per provider; default: the package's. */
  templatesRoot?: string;
}

export interface RenderedTerraform {
  provider: InfraProviderName;
  /** The template's .tf files by file name, in name order. */
  files: Record<string, string>;
  /** The values, as terraform.tfvars.json holds them. */
  tfvars: Record<string, unknown>;
}

export async function renderTerraform(spec: InfraSpec, options: RenderOptions = {}): Promise<RenderedTerraform> {
  validateInfraSpec(spec);
  const tfvars = infraProvider(spec.provider).tfvars(spec);
  const dir = join(options.templatesRoot ?? defaultTemplatesRoot(), spec.provider);
  const names = (await readdir(dir)).filter((name) => name.endsWith('.tf')).sort();
  const files: Record<string, string> = {};
  for (const name of names) files[name] = await readFile(join(dir, name), 'utf8');
  return { provider: spec.provider, files, tfvars };
}

export function tfvarsJson(rendered: RenderedTerraform): string {
  return `${JSON.stringify(rendered.tfvars, null, 2)}\n`;
}

/**
 * Writes the .tf files into dir and removes .tf files that are not (any
 * more) part of the template. Each file is replaced atomically, so a
 * concurrent run of the same shoot never reads half a file.
 */
export async function writeTemplateFiles(rendered: RenderedTerraform, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.tf'))) {
    if (!(name in rendered.files)) await rm(join(dir, name), { force: true });
  }
  for (const [name, content] of Object.entries(rendered.files)) await writeAtomic(join(dir, name), content, 0o644);
}

/** Values carry the nodes' bootstrap credentials: owner-only. */
export async function writeTfvars(rendered: RenderedTerraform, path: string): Promise<void> {
  await writeAtomic(path, tfvarsJson(rendered), 0o600);
}

export interface ExportResult {
  dir: string;
  /** The files written, relative to dir. */
  files: string[];
  /** The state backend settings kubegarden uses (config_path is the seed's kubeconfig). */
  backendConfig: { namespace: string; secret_suffix: string };
  /** How to initialise the exported directory against the shoot's real state. */
  initCommand: string[];
}

/**
 * Writes the rendered Terraform (the .tf files and terraform.tfvars.json) to
 * a directory for review, without running anything. The directory must not
 * hold other Terraform files.
 */
export async function exportTerraform(spec: InfraSpec, dir: string, options: RenderOptions = {}): Promise<ExportResult> {
  const rendered = await renderTerraform(spec, options);
  let existing: string[] = [];
  try {
    existing = await readdir(dir);
  } catch {
    // a new directory
  }
  const foreign = existing.filter((name) => name.endsWith('.tf') && !(name in rendered.files));
  if (foreign.length > 0) {
    throw conflict(`The directory ${dir} holds other Terraform files (${foreign.join(', ')}): kubegarden would mix its configuration with them.`, {
      hint: 'Choose an empty directory, or one an earlier export of this shoot wrote.',
    });
  }
  await writeTemplateFiles(rendered, dir);
  await writeTfvars(rendered, join(dir, TFVARS_FILE));
  const backendConfig = { namespace: spec.namespace, secret_suffix: STATE_SECRET_SUFFIX };
  return {
    dir,
    files: [...Object.keys(rendered.files), TFVARS_FILE],
    backendConfig,
    initCommand: [
      'terraform',
      'init',
      '-backend-config=config_path=<seed kubeconfig>',
      `-backend-config=namespace=${backendConfig.namespace}`,
      `-backend-config=secret_suffix=${backendConfig.secret_suffix}`,
    ],
  };
}

async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, path);
}

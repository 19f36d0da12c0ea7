// Running a shoot's Terraform: init, plan, apply, output, destroy and
// force-unlock, with the state in the seed (the built-in kubernetes backend).
//
// Each operation is a session: the template files go to the shoot's working
// directory under the cache (<cache>/terraform/<seed>/<namespace>); the
// secrets of the run (the seed's kubeconfig, terraform.tfvars.json with the
// nodes' cloud-config, the CLI configuration) and Terraform's data directory
// go to a private temporary directory that is removed when the operation
// ends. Cloud credentials reach Terraform as environment variables only.
import { access, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { invalid, KubegardenError } from '../ui/errors.ts';
import { resolveTerraformBinary } from './binary.ts';
import type { TerraformBinary } from './binary.ts';
import { isLockError, lockedError, lockLeftBehind, parseApplySummary, parseLockInfo, parsePlanSummary, translateFailure } from './diagnostics.ts';
import type { ChangeSummary, TerraformOperation } from './diagnostics.ts';
import { parseInfraOutputs } from './outputs.ts';
import { cliConfig, listMirrorProviders, PLUGIN_DIR_ENV } from './plugins.ts';
import { runProcess } from './process.ts';
import type { ProcessResult } from './process.ts';
import { infraProvider } from './providers/index.ts';
import { makeRedactor } from './redact.ts';
import { renderTerraform, TFVARS_FILE, writeTemplateFiles, writeTfvars } from './render.ts';
import type { RenderOptions } from './render.ts';
import { forgetRun, staleLockHolder, startRun } from './runs.ts';
import type { RunHandle } from './runs.ts';
import { STATE_SECRET_SUFFIX } from './spec.ts';
import type { InfraOutputs, InfraSpec } from './types.ts';

export interface TerraformToolOptions extends RenderOptions {
  /** --terraform-bin; else KUBEGARDEN_TERRAFORM; else terraform or tofu on the PATH. */
  terraformBin?: string;
  /** Default: $XDG_CACHE_HOME/kubegarden (~/.cache/kubegarden). */
  cacheRoot?: string;
  /** A local provider plugin directory (filesystem mirror); default: KUBEGARDEN_TF_PLUGIN_DIR. */
  pluginDir?: string;
  /** Each line Terraform prints, credentials redacted. */
  onLine?: (line: string) => void;
  /** Cancels the running Terraform: SIGINT first, SIGKILL after graceMs. */
  signal?: AbortSignal;
  /** Default 90 s. */
  graceMs?: number;
  /** Called with each terraform process's PID (tests use it to kill one). */
  onSpawn?: (pid: number, args: readonly string[]) => void;
  /** Extra environment for Terraform (tests only; never credentials). */
  env?: Readonly<Record<string, string>>;
}

export interface TerraformOptions extends TerraformToolOptions {
  /** The seed's name: part of the working directory's path. */
  seedName: string;
  /** The seed's kubeconfig (YAML text): the state backend's cluster. */
  seedKubeconfig: string;
  /** The shoot's credentials Secret, decoded; mapped to the provider's environment variables. */
  credentials?: Readonly<Record<string, string>>;
  /** Wait this long for a state lock held by someone else (terraform -lock-timeout). Default 0. */
  lockTimeoutSeconds?: number;
  /** Release a state lock whose recorded terraform process is gone, and run again. Default true. */
  recoverStaleLocks?: boolean;
  /**
   * The UID of the seed namespace that holds the state. A working directory
   * left by an earlier shoot of the same name (another namespace UID) is
   * cleared before use, so nothing of that shoot (an unsaved state, run
   * records) is taken for this one's.
   */
  stateOwner?: string | undefined;
}

export interface ApplyResult {
  outputs: InfraOutputs;
  /** What the apply did, as Terraform counted it. */
  changes: ChangeSummary | undefined;
}

export interface PlanResult {
  hasChanges: boolean;
  /** Terraform's plan, as it printed it (credentials redacted). */
  text: string;
  changes: ChangeSummary | undefined;
}

export interface DestroyResult {
  changes: ChangeSummary | undefined;
}

export interface ValidateResult {
  valid: boolean;
  /** Terraform's output of init and validate. */
  output: string;
}

const DEFAULT_GRACE_MS = 90_000;
const STALE_LOCK_FILE = /does not match configured version constraint|Inconsistent dependency lock file|locked provider/i;
const SEED_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'kubegarden');
}

/** Where a shoot's template files live between runs. */
export function terraformWorkDir(spec: Pick<InfraSpec, 'namespace'>, seedName: string, cacheRoot = defaultCacheRoot()): string {
  if (!SEED_NAME.test(seedName) || seedName.includes('..')) throw invalid(`The seed name "${seedName}" is not a DNS name.`);
  return join(cacheRoot, 'terraform', seedName, spec.namespace);
}

/** The one plugin cache every shoot shares. */
export function pluginCacheDir(cacheRoot = defaultCacheRoot()): string {
  return join(cacheRoot, 'terraform-plugin-cache');
}

/** Creates or updates the shoot's infrastructure and returns its outputs. */
export async function applyInfra(spec: InfraSpec, options: TerraformOptions): Promise<ApplyResult> {
  return withSession(spec, options, async (session) => {
    const result = await runLocked(session, 'apply', ['apply', '-auto-approve', '-input=false', '-no-color', ...lockArgs(options), `-var-file=${session.varFile}`]);
    const outputs = await readOutputs(session);
    return { outputs, changes: parseApplySummary(result.output) };
  });
}

/** Plans without changing anything; `destroy` plans the deletion. */
export async function planInfra(spec: InfraSpec, options: TerraformOptions & { destroy?: boolean }): Promise<PlanResult> {
  return withSession(spec, options, async (session) => {
    const args = ['plan', '-input=false', '-no-color', '-detailed-exitcode', ...lockArgs(options), `-var-file=${session.varFile}`];
    if (options.destroy) args.push('-destroy');
    // -detailed-exitcode: 0 no changes, 2 changes, 1 error.
    const result = await runLocked(session, 'plan', args, [0, 2]);
    return { hasChanges: result.exitCode === 2, text: result.output, changes: parsePlanSummary(result.output) };
  });
}

/**
 * Deletes every resource of the shoot's infrastructure. The state Secret
 * stays, holding an empty state (Terraform never deletes it); it goes with
 * the shoot's namespace.
 */
export async function destroyInfra(spec: InfraSpec, options: TerraformOptions): Promise<DestroyResult> {
  return withSession(spec, options, async (session) => {
    const result = await runLocked(session, 'destroy', ['destroy', '-auto-approve', '-input=false', '-no-color', ...lockArgs(options), `-var-file=${session.varFile}`]);
    return { changes: parseApplySummary(result.output) };
  });
}

/** The outputs of the last apply; KubegardenError('notFound') when there are none. */
export async function readInfraOutputs(spec: InfraSpec, options: TerraformOptions): Promise<InfraOutputs> {
  return withSession(spec, options, (session) => readOutputs(session));
}

/** Releases the state lock with this ID (from the lock error), whoever holds it. */
export async function forceUnlock(spec: InfraSpec, lockId: string, options: TerraformOptions): Promise<void> {
  if (!/^[A-Za-z0-9-]+$/.test(lockId)) throw invalid(`"${lockId}" is not a Terraform lock ID.`);
  await withSession(spec, options, async (session) => {
    await run(session, 'force-unlock', ['force-unlock', '-force', lockId], [0]);
  });
}

/**
 * Checks the rendered configuration with `terraform validate`, without a
 * backend and without credentials. Cloud templates need their provider
 * plugin: from the registry, the plugin cache, or the plugin directory.
 */
export async function validateTerraform(spec: InfraSpec, options: TerraformToolOptions = {}): Promise<ValidateResult> {
  const rendered = await renderTerraform(spec, options);
  const binary = await resolveTerraformBinary(options.terraformBin);
  const tmp = await mkdtemp(join(tmpdir(), 'kubegarden-tf-validate-'));
  try {
    const workDir = join(tmp, 'config');
    await writeTemplateFiles(rendered, workDir);
    await writeTfvars(rendered, join(workDir, TFVARS_FILE));
    const session: Session = {
      spec,
      options,
      binary,
      workDir,
      varFile: join(workDir, TFVARS_FILE),
      env: await terraformEnv(tmp, options, {}),
      redact: (line) => line,
    };
    const init = await run(session, 'init', ['init', '-backend=false', '-input=false', '-no-color'], [0, 1]);
    if (init.exitCode !== 0) return { valid: false, output: init.output };
    const validate = await run(session, 'validate', ['validate', '-no-color'], [0, 1]);
    return { valid: validate.exitCode === 0, output: `${init.output}\n${validate.output}` };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

interface Session {
  spec: InfraSpec;
  options: TerraformToolOptions & Partial<TerraformOptions>;
  binary: TerraformBinary;
  workDir: string;
  varFile: string;
  env: Record<string, string>;
  redact: (line: string) => string;
}

async function withSession<T>(spec: InfraSpec, options: TerraformOptions, body: (session: Session) => Promise<T>): Promise<T> {
  const target = describe(spec);
  const rendered = await renderTerraform(spec, options);
  const credentialsEnv = infraProvider(spec.provider).credentialsEnv(options.credentials ?? {}, target);
  const binary = await resolveTerraformBinary(options.terraformBin);
  const cacheRoot = options.cacheRoot ?? defaultCacheRoot();
  const workDir = terraformWorkDir(spec, options.seedName, cacheRoot);
  if (options.stateOwner) await claimWorkDir(workDir, options.stateOwner, options.onLine);
  await writeTemplateFiles(rendered, workDir);

  // mkdtemp creates the directory owner-only (0700).
  const tmp = await mkdtemp(join(tmpdir(), 'kubegarden-tf-'));
  try {
    const kubeconfigPath = join(tmp, 'seed.kubeconfig');
    await writeFile(kubeconfigPath, options.seedKubeconfig, { mode: 0o600 });
    const varFile = join(tmp, TFVARS_FILE);
    await writeTfvars(rendered, varFile);
    const session: Session = {
      spec,
      options,
      binary,
      workDir,
      varFile,
      env: await terraformEnv(tmp, { ...options, cacheRoot }, credentialsEnv),
      redact: makeRedactor(Object.values(options.credentials ?? {})),
    };
    const init = [
      'init',
      '-input=false',
      '-no-color',
      `-backend-config=config_path=${kubeconfigPath}`,
      `-backend-config=namespace=${spec.namespace}`,
      `-backend-config=secret_suffix=${STATE_SECRET_SUFFIX}`,
    ];
    const first = await run(session, 'init', init, [0], { throwOnFailure: false });
    if (!succeeded(first, [0])) {
      // A newer kubegarden may pin other provider versions than the working
      // directory's lock file records: let Terraform pick matching ones.
      if (!first.canceled && STALE_LOCK_FILE.test(first.output)) await run(session, 'init', [...init, '-upgrade']);
      else throw failure(session, 'init', first);
    }
    await pushErroredState(session);
    return await body(session);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs a command that takes the state lock. A lock left by a terraform
 * process of ours that no longer runs (killed, or its machine rebooted) is
 * released once, with a line saying so, and the command runs again.
 */
async function runLocked(session: Session, operation: TerraformOperation, args: string[], okExits: number[] = [0]): Promise<ProcessResult> {
  let recovered = false;
  const recover = session.options.recoverStaleLocks !== false;
  // With a lock timeout, try once without it first: a lock left by a killed
  // terraform is then released at once rather than after the whole timeout;
  // only a lock whose holder still runs is waited for.
  const failFast = recover && args.some((a) => a.startsWith('-lock-timeout='));
  let attemptArgs = failFast ? args.filter((a) => !a.startsWith('-lock-timeout=')) : args;
  for (;;) {
    const result = await run(session, operation, attemptArgs, okExits, { throwOnFailure: false });
    if (succeeded(result, okExits)) return result;
    const lock = !result.canceled && result.exitCode !== undefined && isLockError(result.output) ? parseLockInfo(result.output) : undefined;
    const waited = attemptArgs === args;
    attemptArgs = args;
    if (lock && !recovered && recover) {
      const holder = await staleLockHolder(session.workDir, lock);
      if (holder) {
        session.options.onLine?.(
          `kubegarden: the state lock ${lock.id} was taken by terraform process ${holder.pid} (started ${holder.startedAt}), which no longer runs; releasing it.`,
        );
        await run(session, 'force-unlock', ['force-unlock', '-force', lock.id]);
        await forgetRun(session.workDir, holder.pid);
        recovered = true;
        continue;
      }
    }
    if (lock && !waited) continue;
    if (lock) throw lockedError(describe(session.spec), lock, new Error(result.output));
    throw failure(session, operation, result);
  }
}

const OWNER_FILE = '.kubegarden-owner';

async function claimWorkDir(workDir: string, owner: string, onLine: ((line: string) => void) | undefined): Promise<void> {
  const file = join(workDir, OWNER_FILE);
  let previous: string | undefined;
  try {
    previous = (await readFile(file, 'utf8')).trim();
  } catch {
    // a new directory, or one from before owners were recorded
  }
  if (previous === owner) return;
  if (previous !== undefined) {
    onLine?.(`kubegarden: ${workDir} was left by an earlier shoot of the same name (seed namespace ${previous}); starting it afresh.`);
    await rm(workDir, { recursive: true, force: true });
  }
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${owner}\n`, { mode: 0o600 });
}

/** Removes a deleted shoot's working directory on this machine (templates, plugins lock file, run records). */
export async function removeTerraformWorkDir(spec: Pick<InfraSpec, 'namespace'>, seedName: string, cacheRoot = defaultCacheRoot()): Promise<void> {
  await rm(terraformWorkDir(spec, seedName, cacheRoot), { recursive: true, force: true });
}

/** Where Terraform leaves a state it could not write to its backend. */
const ERRORED_STATE = 'errored.tfstate';

/**
 * An apply whose state backend (the seed's API server) went away at the end
 * leaves what it did in errored.tfstate in the working directory, and its
 * lock in the seed. Running on without that file would fork the state and
 * forget resources the apply created: push it first (taking over the lock
 * the dead run left), then keep it aside.
 */
async function pushErroredState(session: Session): Promise<void> {
  const file = join(session.workDir, ERRORED_STATE);
  try {
    await access(file);
  } catch {
    return;
  }
  session.options.onLine?.(`kubegarden: an earlier run could not save Terraform's state to the seed; saving it now from ${file}.`);
  try {
    await runLocked(session, 'state-push', ['state', 'push', '-no-color', ...lockArgs(session.options), ERRORED_STATE]);
  } catch (err) {
    const output = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
    if (!/cannot import state/i.test(output)) throw err;
    // Another run wrote the state since: neither copy may silently win.
    throw new KubegardenError(
      'conflict',
      `The Terraform state of ${describe(session.spec)} changed after an earlier run failed to save its own, which is kept in ${file}.`,
      {
        hint: `Compare the two (terraform state pull in ${session.workDir}), push the right one with "terraform state push -force", move ${ERRORED_STATE} away, and run again.`,
        cause: err,
      },
    );
  }
  await rename(file, `${file}.saved`);
}

async function readOutputs(session: Session): Promise<InfraOutputs> {
  const result = await run(session, 'output', ['output', '-json', '-no-color'], [0], { streamStdout: false });
  return parseInfraOutputs(result.stdout, describe(session.spec));
}

async function run(
  session: Session,
  operation: TerraformOperation,
  args: string[],
  okExits: number[] = [0],
  extra: { throwOnFailure?: boolean; streamStdout?: boolean } = {},
): Promise<ProcessResult> {
  const { options } = session;
  let record: Promise<RunHandle | undefined> = Promise.resolve(undefined);
  const result = await runProcess(session.binary.path, args, {
    cwd: session.workDir,
    env: session.env,
    redact: session.redact,
    onLine: options.onLine,
    streamStdout: extra.streamStdout,
    signal: options.signal,
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
    onSpawn: (pid) => {
      record = startRun(session.workDir, pid, session.binary.path, args[0] ?? operation).catch(() => undefined);
      options.onSpawn?.(pid, args);
    },
  });
  await (await record)?.finish({ exitCode: result.exitCode, signal: result.signal, lockLeft: lockLeftBehind(result.output) }).catch(() => undefined);
  if (extra.throwOnFailure !== false && !succeeded(result, okExits)) throw failure(session, operation, result);
  return result;
}

function succeeded(result: ProcessResult, okExits: number[]): boolean {
  return !result.canceled && result.exitCode !== undefined && okExits.includes(result.exitCode);
}

function failure(session: Session, operation: TerraformOperation, result: ProcessResult) {
  return translateFailure({
    operation,
    target: describe(session.spec),
    output: result.output,
    exitCode: result.exitCode,
    signal: result.signal,
    canceled: result.canceled,
  });
}

function lockArgs(options: Pick<TerraformOptions, 'lockTimeoutSeconds'>): string[] {
  const seconds = options.lockTimeoutSeconds ?? 0;
  return seconds > 0 ? [`-lock-timeout=${Math.ceil(seconds)}s`] : [];
}

// Inherited variables that would change what Terraform does behind
// kubegarden's back: its own settings (TF_CLI_ARGS, TF_WORKSPACE, TF_VAR_*,
// TF_LOG, ...), the kubernetes backend's defaults (KUBE_*), and ambient cloud
// credentials, which must never stand in for the shoot's own.
const SCRUBBED = /^(TF_|KUBE_|AWS_|GOOGLE_|GCLOUD_|CLOUDSDK_|ARM_|AZURE_|OS_)/;

async function terraformEnv(
  tmp: string,
  options: TerraformToolOptions,
  credentialsEnv: Record<string, string>,
): Promise<Record<string, string>> {
  const cacheRoot = options.cacheRoot ?? defaultCacheRoot();
  const pluginCache = pluginCacheDir(cacheRoot);
  await mkdir(pluginCache, { recursive: true });
  const pluginDir = options.pluginDir ?? nonEmpty(process.env[PLUGIN_DIR_ENV]);
  const mirrored = pluginDir !== undefined ? await listMirrorProviders(pluginDir) : [];
  const cliConfigPath = join(tmp, 'terraformrc.json');
  await writeFile(cliConfigPath, cliConfig({ pluginCacheDir: pluginCache, pluginDir, mirrored }), { mode: 0o600 });

  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !SCRUBBED.test(name)) env[name] = value;
  }
  Object.assign(env, {
    TF_CLI_CONFIG_FILE: cliConfigPath,
    // A data directory per run: concurrent runs of one shoot never share
    // .terraform, and nothing in it outlives the run.
    TF_DATA_DIR: join(tmp, 'data'),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
  });
  Object.assign(env, options.env ?? {}, credentialsEnv);
  return env;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function describe(spec: InfraSpec): string {
  return `shoot ${spec.project}/${spec.shootName}`;
}

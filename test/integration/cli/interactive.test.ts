// The CLI on a real terminal: tmux runs kubegarden in a pane, the test types
// the answers with send-keys and reads the screen with capture-pane. The
// garden is a real kube-apiserver; what the prompts offer comes from it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { parse } from 'yaml';
import { KubeClient } from '../../../src/lib/kube/client.ts';
import type { LocalCluster } from '../../../src/lib/local/cluster.ts';
import { kubegardenOk } from '../../helpers/cli.ts';
import { startTestCluster } from '../../helpers/testbed.ts';
import { minimalShoot } from '../../helpers/shoots.ts';

const devBin = fileURLToPath(new URL('../../../bin/dev.js', import.meta.url));
let sessions = 0;

/** One kubegarden process in a 200x50 tmux pane on a private tmux server (its socket in the test's directory). */
class Terminal {
  readonly socket: string;

  private constructor(dir: string) {
    this.socket = join(dir, `tmux-${++sessions}`);
  }

  private tmux(args: string[]) {
    return execa('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { env: terminalEnv(), extendEnv: false });
  }

  static async run(dir: string, args: string[], env: Record<string, string>): Promise<Terminal> {
    const t = new Terminal(dir);
    const vars = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // A shell prints kubegarden's exit status (tmux's own pane_dead_status is sometimes lost
    // when the pty closes before the child is reaped); the arguments reach it as "$@", unquoted
    // by nothing. remain-on-exit keeps the screen afterwards.
    const shell = ['sh', '-c', '"$@"; echo "[kubegarden exited $?]"', 'sh', process.execPath, devBin, ...args];
    await t.tmux(['set-option', '-g', 'remain-on-exit', 'on', ';', 'new-session', '-d', '-s', 'kg', '-x', '200', '-y', '50', ...vars, '--', ...shell]);
    return t;
  }

  async screen(): Promise<string> {
    return (await this.tmux(['capture-pane', '-p', '-J', '-t', 'kg', '-S', '-1000'])).stdout;
  }

  /** Waits until the screen matches; fails with the screen when it never does. */
  async waitFor(pattern: RegExp, what = String(pattern)): Promise<string> {
    for (let i = 0; i < 600; i++) {
      const text = await this.screen();
      if (pattern.test(text)) return text;
      await sleep(100);
    }
    throw new Error(`The terminal never showed ${what}:\n${await this.screen()}`);
  }

  async keys(...keys: string[]): Promise<void> {
    await this.tmux(['send-keys', '-t', 'kg', ...keys]);
  }

  async type(text: string): Promise<void> {
    await this.tmux(['send-keys', '-t', 'kg', '-l', text]);
  }

  /** Waits for kubegarden to exit; its exit status and everything it showed. */
  async exit(): Promise<{ status: number; screen: string }> {
    const screen = await this.waitFor(/\[kubegarden exited \d+\]/, 'kubegarden exiting');
    return { status: Number(/\[kubegarden exited (\d+)\]/.exec(screen)![1]), screen };
  }

  async close(): Promise<void> {
    await this.tmux(['kill-server']).catch(() => undefined);
  }
}

/** The test's environment without CI, as on a developer's terminal. */
function terminalEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'CI' && !k.startsWith('TMUX')) env[k] = v;
  return { ...env, TERM: 'xterm-256color', NO_COLOR: '1' };
}

describe('interactive prompts on a real terminal (tmux, real kube-apiserver)', function () {
  this.timeout(300_000);
  let garden: LocalCluster;
  let seed: LocalCluster;
  let client: KubeClient;
  let dir: string;
  let env: Record<string, string>;
  const terminals: Terminal[] = [];
  const run = async (args: string[], extra: Record<string, string> = {}) => {
    const t = await Terminal.run(dir, args, { ...env, ...extra });
    terminals.push(t);
    return t;
  };
  const shootRef = (name: string, project: string) => ({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', name, namespace: `garden-${project}` });

  before(async () => {
    [garden, seed] = await Promise.all([startTestCluster('garden'), startTestCluster('seed')]);
    client = await KubeClient.connect({ kubeconfig: garden.kubeconfigPath });
    dir = await mkdtemp(join(tmpdir(), 'kg-tty-'));
    // No target: everything comes from KUBECONFIG and the prompts.
    env = { KUBECONFIG: garden.kubeconfigPath, KUBEGARDEN_CONFIG: join(dir, 'config.yaml') };
    const g = ['--kubeconfig', garden.kubeconfigPath];
    await kubegardenOk(['garden', 'init', ...g]);
    await kubegardenOk(['project', 'create', 'dev', ...g]);
    await kubegardenOk(['project', 'create', 'ops', ...g]);
    for (const name of ['seed-one', 'seed-two']) {
      await kubegardenOk(['seed', 'register', name, ...g, '--seed-kubeconfig', seed.kubeconfigPath, '--provider', 'local', '--region', 'local']);
    }
  });
  afterEach(async () => {
    for (const t of terminals.splice(0)) await t.close();
  });
  after(async () => {
    client?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shoot create asks for what is missing, offering what the garden has, and uses the answers', async () => {
    const t = await run(['shoot', 'create', '--dry-run', '-o', 'yaml']);
    const projects = await t.waitFor(/Project \(--project\)[\s\S]*ops/);
    assert.match(projects, /dev[\s\S]*ops/);
    await t.keys('Down', 'Enter');
    await t.waitFor(/Shoot name \(NAME\)/);
    await t.type('tty');
    await t.keys('Enter');
    const providers = await t.waitFor(/Provider \(--provider\)[\s\S]*local/);
    assert.doesNotMatch(providers.slice(providers.lastIndexOf('Provider')), /aws/, 'only providers of registered seeds are offered');
    await t.keys('Enter');
    await t.waitFor(/Region \(--region\)/);
    await t.keys('Enter');
    const versions = await t.waitFor(/Kubernetes version \(--kubernetes-version\)[\s\S]*1\.35\.4/);
    assert.match(versions, /1\.37\.2[\s\S]*1\.36\.4[\s\S]*1\.35\.4/);
    await t.keys('Down', 'Enter');
    await t.waitFor(/Machine type of the workers/);
    await t.keys('Enter');
    await t.waitFor(/Seed \(--seed\)[\s\S]*seed-two/);
    await t.keys('Down', 'Down', 'Enter');
    const { status, screen } = await t.exit();
    assert.equal(status, 0, screen);
    const yaml = screen.slice(screen.indexOf('apiVersion: kubegarden.io/v1alpha1'), screen.indexOf('[kubegarden exited'));
    const shoot = parse(yaml) as { metadata: { name: string; namespace: string }; spec: { provider: { type: string; region: string; workers: Array<{ machineType: string }> }; kubernetes: { version: string }; seedName: string } };
    assert.equal(shoot.metadata.name, 'tty');
    assert.equal(shoot.metadata.namespace, 'garden-ops');
    assert.equal(shoot.spec.provider.type, 'local');
    assert.equal(shoot.spec.provider.region, 'local');
    assert.equal(shoot.spec.kubernetes.version, '1.36.4');
    assert.equal(shoot.spec.provider.workers[0]?.machineType, 'local');
    assert.equal(shoot.spec.seedName, 'seed-two');
  });

  it('a command needing a project offers the garden\'s projects when none is given or targeted', async () => {
    await client.apply(minimalShoot('listed', 'ops'));
    const t = await run(['shoot', 'list', '-o', 'name']);
    await t.waitFor(/Project \(--project\)[\s\S]*ops/);
    await t.keys('Down', 'Enter');
    const { status, screen } = await t.exit();
    assert.equal(status, 0, screen);
    assert.match(screen, /^shoot\/ops\/listed$/m);
  });

  it('with CI=true or --non-interactive nothing is asked: missing input fails at once with exit 2 naming the flag', async () => {
    const ci = await run(['shoot', 'create', 'quick', '-p', 'dev'], { CI: 'true' });
    const r = await ci.exit();
    assert.equal(r.status, 2, r.screen);
    assert.match(r.screen, /needs a provider: pass --provider/);
    assert.doesNotMatch(r.screen, /\?/);
    const flag = await run(['shoot', 'get', 'x', '--non-interactive']);
    const f = await flag.exit();
    assert.equal(f.status, 2, f.screen);
    assert.match(f.screen, /pass --project NAME/);
  });

  describe('shoot delete', () => {
    before(async () => {
      await client.apply(minimalShoot('doomed', 'dev', { seed: 'seed-one' }));
    });

    it('asks for the name; a wrong name aborts with exit 130 and deletes nothing', async () => {
      const t = await run(['shoot', 'delete', 'doomed', '-p', 'dev']);
      await t.waitFor(/Delete shoot "dev\/doomed": type the name "doomed" to confirm/);
      await t.type('doom');
      await t.keys('Enter');
      const { status, screen } = await t.exit();
      assert.equal(status, 130, screen);
      assert.match(screen, /Nothing was deleted: "doom" is not "doomed"/);
      const shoot = await client.get(shootRef('doomed', 'dev'));
      assert.ok(shoot && !shoot.metadata.deletionTimestamp, 'the Shoot is untouched');
    });

    // The test-bed seed runs no control plane, so the flow stops at a later step: what counts here is that it started.
    it('the right name starts the deletion: the Shoot is marked deleted in the garden', async () => {
      const t = await run(['shoot', 'delete', 'doomed', '-p', 'dev']);
      await t.waitFor(/type the name "doomed" to confirm/);
      await t.type('doomed');
      await t.keys('Enter');
      const { status, screen } = await t.exit();
      assert.notEqual(status, 130, screen);
      assert.match(screen, /Shoot marked for deletion/);
      const shoot = await client.get(shootRef('doomed', 'dev'));
      assert.ok(!shoot || shoot.metadata.deletionTimestamp, 'the Shoot is deleted or being deleted');
    });
  });
});

// Terraform failing under `kubegarden shoot create`, with the real CLI, the
// real terraform binary and the real hashicorp/aws plugin (from
// KUBEGARDEN_TF_PLUGIN_DIR), against a garden and seed in the test bed (a real
// kube-apiserver and etcd). The flow must stop at the infrastructure step with
// Terraform's message summarised in one sentence, record the failing step in
// Shoot.status, exit with the documented code, and leave the Terraform state
// intact, so that a re-run fails the same way and changes nothing.
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { KubeClient, type KubeObject } from '../../../src/lib/kube/client.ts';
import type { LocalCluster } from '../../../src/lib/local/cluster.ts';
import { kubegarden, kubegardenOk, type CliResult } from '../../helpers/cli.ts';
import { startTestCluster } from '../../helpers/testbed.ts';

interface ShootStatusJson {
  status?: {
    lastOperation?: { type: string; state: string; step?: string; description: string };
    lastErrors?: Array<{ description: string; step?: string }>;
  };
}

const PLUGIN_DIR = process.env['KUBEGARDEN_TF_PLUGIN_DIR'] || '/opt/tf-plugins';

describe('Terraform failures in shoot create (real terraform, real aws plugin, real garden and seed)', function () {
  this.timeout(300_000);
  let bed: LocalCluster;
  let client: KubeClient;
  let g: string[];
  const env = { KUBEGARDEN_TF_PLUGIN_DIR: PLUGIN_DIR };
  const cli = (args: string[], extra: Record<string, string> = {}) => kubegarden([...args, ...g], { env: { ...env, ...extra } });
  const cliOk = (args: string[]) => kubegardenOk([...args, ...g], { env });

  before(async function () {
    assert.ok(existsSync(`${PLUGIN_DIR}/registry.terraform.io/hashicorp/aws`), `the aws plugin is in ${PLUGIN_DIR}`);
    bed = await startTestCluster('tf-failure');
    client = await KubeClient.connect({ kubeconfig: bed.kubeconfigPath });
    g = ['--kubeconfig', bed.kubeconfigPath];
    await cliOk(['garden', 'init']);
    await cliOk(['project', 'create', 'dev']);
    // The test bed is garden and seed at once: no load balancers, no nodes; the
    // flow's infrastructure step runs beside the endpoint step and fails first.
    await cliOk(['seed', 'register', 'aws-eu', '--seed-kubeconfig', bed.kubeconfigPath, '--provider', 'aws', '--region', 'eu-west-1', '--zones', 'eu-west-1a']);
    await cliOk(['seed', 'register', 'aws-mars', '--seed-kubeconfig', bed.kubeconfigPath, '--provider', 'aws', '--region', 'mars-north-1', '--zones', 'mars-north-1a']);
    await cliOk(['seed', 'register', 'local', '--seed-kubeconfig', bed.kubeconfigPath, '--provider', 'local', '--region', 'local']);
    await client.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'aws-bad', namespace: 'garden-dev' },
      stringData: { accessKeyID: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    } as KubeObject);
  });
  after(async () => {
    client?.close();
    await bed?.stop();
  });

  const shootStatus = async (name: string) => (await client.get<KubeObject & ShootStatusJson>({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', name, namespace: 'garden-dev' }))?.status;
  const stateSecret = (name: string) => client.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', name: 'tfstate-default-infra', namespace: `shoot--dev--${name}` });

  /** The one "Error: ..." line of a run, with nothing of Terraform's diagnostics around it. */
  function oneSentence(r: CliResult): string {
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('Error: '));
    assert.equal(errors.length, 1, r.stderr);
    assert.ok(!/^\s*(with provider|on main\.tf|│)/m.test(r.stderr), `Terraform's diagnostic boxes stay out of the output (--verbose shows them):\n${r.stderr}`);
    return errors[0]!;
  }

  /** Fails the same way twice; the state Secret is parseable, empty, and unchanged by the second run. */
  async function failsTwice(name: string, args: string[], code: number, message: RegExp, extra: Record<string, string> = {}): Promise<string> {
    const first = await cli(['shoot', 'create', name, '-p', 'dev', ...args, '--timeout', '2m'], extra);
    assert.equal(first.exitCode, code, first.stderr);
    const sentence = oneSentence(first);
    assert.match(sentence, message);
    const status = await shootStatus(name);
    assert.equal(status?.lastOperation?.state, 'Error', JSON.stringify(status));
    assert.equal(status?.lastOperation?.step, 'infrastructure');
    assert.equal(status?.lastErrors?.[0]?.step, 'infrastructure', JSON.stringify(status?.lastErrors));
    assert.match(status?.lastErrors?.[0]?.description ?? '', /^Step "Creating the network with Terraform" failed: /);

    const before = await stateSecret(name);
    const tfstate = before?.data?.['tfstate'];
    assert.ok(tfstate, 'Terraform keeps its state Secret in the seed');
    const state = JSON.parse(gunzipSync(Buffer.from(tfstate, 'base64')).toString('utf8')) as { version: number; resources: unknown[] };
    assert.equal(state.version, 4, 'the state parses');
    assert.deepEqual(state.resources, [], 'nothing was created');
    const second = await cli(['shoot', 'create', name, '-p', 'dev', ...args, '--timeout', '2m'], extra);
    assert.equal(second.exitCode, code, second.stderr);
    assert.equal(oneSentence(second), sentence);
    const after = await stateSecret(name);
    assert.deepEqual(after?.data, before?.data, 'the Terraform state is unchanged by the failed re-run');
    assert.equal(
      await client.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: `shoot-${name}-lock`, namespace: 'garden-dev' }),
      undefined,
      'the shoot lock is released',
    );
    return sentence;
  }

  it('a provider error (an AWS region the plugin rejects): exit 8, one sentence naming the step and Terraform\'s summary', async () => {
    const sentence = await failsTwice(
      'mars',
      ['--provider', 'aws', '--region', 'mars-north-1', '--zones', 'mars-north-1a', '--credentials', 'aws-bad'],
      8,
      /^Error: Step "Creating the network with Terraform" failed: Terraform could not [^:]+ of shoot dev\/mars: invalid AWS Region: mars-north-1\.$/,
    );
    process.stderr.write(`      ${sentence}\n`);
  });

  it('a credential the cloud cannot check (no network here): exit 9, one sentence', async () => {
    const sentence = await failsTwice(
      'web',
      ['--provider', 'aws', '--region', 'eu-west-1', '--zones', 'eu-west-1a', '--credentials', 'aws-bad'],
      9,
      /^Error: Step "Creating the network with Terraform" failed: Terraform could not [^:]+ of shoot dev\/web: .*validating provider credentials.*\.$/,
    );
    process.stderr.write(`      ${sentence}\n`);
  });

  it('a terraform binary that does not exist (local provider): exit 3, one sentence', async () => {
    const r = await cli(['shoot', 'create', 'nobin', '-p', 'dev', '--provider', 'local', '--timeout', '2m'], { KUBEGARDEN_TERRAFORM: '/nonexistent/terraform' });
    assert.equal(r.exitCode, 3, r.stderr);
    const sentence = oneSentence(r);
    assert.match(sentence, /\/nonexistent\/terraform/);
    const status = await shootStatus('nobin');
    assert.equal(status?.lastOperation?.state, 'Error');
    assert.equal(status?.lastErrors?.[0]?.step, 'infrastructure', JSON.stringify(status));
    process.stderr.write(`      ${sentence}\n`);
  });
});

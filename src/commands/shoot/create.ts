import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, forceUnlockFlag, gardenFlags, jsonFlag, outputFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootCreate extends BaseCommand {
  static override description = `Create a shoot: its control plane in a seed, its network and workers with Terraform, its system components.

Runs as a tree of steps: namespace in the seed → endpoint → certificates ‖ network → etcd → kube-apiserver → wait for the API server → controller manager ‖ scheduler ‖ system components → worker pools → nodes Ready. Progress is recorded in the Shoot's status. Every step is idempotent: run it again to resume after an interruption; on a healthy shoot it changes nothing.`;

  static override examples = [
    '<%= config.bin %> shoot create demo --project local --provider local',
    '<%= config.bin %> shoot create web --project dev --provider aws --region eu-west-1 --zones eu-west-1a,eu-west-1b --kubernetes-version 1.37.2 --worker name=pool1,machine=m5.large,min=2,max=5,zones=eu-west-1a;eu-west-1b --credentials aws-dev',
    '<%= config.bin %> shoot create --project dev -f shoot.yaml',
    '<%= config.bin %> shoot create demo -p local --provider local --dry-run -o yaml',
  ];

  static override args = { name: Args.string({ description: 'Shoot name (project and shoot name together: at most 21 characters). Optional with -f.' }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    project: projectFlag(),
    file: Flags.string({ char: 'f', description: 'A Shoot manifest (kubegarden.io/v1alpha1), or - for stdin; flags override its fields.' }),
    provider: Flags.string({ description: 'Provider type: local, aws, gcp, azure or openstack.' }),
    region: Flags.string({ description: 'Region (default "local" for the local provider).' }),
    zones: Flags.string({ description: 'Comma-separated zones (default: one per provider convention).' }),
    'kubernetes-version': Flags.string({ description: 'Kubernetes version (default: the newest supported; see "kubegarden version").' }),
    worker: Flags.string({ description: 'A worker pool: name=..,machine=..,min=..,max=..,zones=a;b[,labels=k:v;k2:v2][,taints=k=v:NoSchedule]. Repeatable.', multiple: true }),
    seed: Flags.string({ description: 'Seed to run the control plane on (default: chosen by provider, region and free capacity).' }),
    'nodes-cidr': Flags.string({ description: 'Nodes range (default 10.250.0.0/16).' }),
    'pods-cidr': Flags.string({ description: 'Pods range (default 100.96.0.0/11).' }),
    'services-cidr': Flags.string({ description: 'Services range (default 100.64.0.0/13).' }),
    purpose: Flags.string({ description: 'evaluation, testing, development or production.' }),
    credentials: Flags.string({ description: 'Secret in the project namespace with the cloud credentials.' }),
    addons: Flags.string({ description: 'Comma-separated add-ons: metrics-server, dashboard.' }),
    wait: Flags.boolean({ description: 'Wait for the shoot to be ready (default). --no-wait records the operation, runs it in the background and returns; follow it with "shoot get".', default: true, allowNo: true }),
    timeout: Flags.string({ description: 'How long to wait for the API server and nodes.', default: '30m' }),
    'terraform-bin': Flags.string({ description: 'terraform or tofu binary (default: $KUBEGARDEN_TERRAFORM, then PATH).' }),
    'dry-run': Flags.boolean({ description: 'Print the Shoot that would be sent (defaults filled in) and the steps, and change nothing.', default: false }),
    quiet: Flags.boolean({ char: 'q', description: 'No progress output.', default: false }),
    'force-unlock': forceUnlockFlag(),
    ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags: parsed } = await this.parse(ShootCreate);
    const flags = { ...parsed, project: await this.resolveProject(parsed) };
    const { canPrompt } = await import('../../lib/ui/confirm.ts');
    const { askCreateInput, missingCreateInput } = await import('../../lib/ui/prompts.ts');
    const given = { name: args.name, provider: flags.provider, region: flags.region, kubernetesVersion: flags['kubernetes-version'], workers: flags.worker, seed: flags.seed };
    const interactive = !flags.file && canPrompt(flags['non-interactive']);
    const missing = interactive || flags.file ? undefined : missingCreateInput(given);
    if (missing) throw missing;
    const timeoutMs = await this.timeoutMs(flags.timeout);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { prepareCreate, runShootOperation } = await import('../../lib/shoots/operate.ts');
    const { createFlow } = await import('../../lib/flows/create.ts');
    const { withInterrupt } = await import('../../lib/ui/interrupt.ts');
    const list = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);
    await withGarden(flags, async (garden) => {
      const input = interactive ? await askCreateInput(garden, flags.project, given) : given;
      const prepared = await prepareCreate(garden, flags.project, input.name, {
        provider: input.provider, region: input.region, zones: list(flags.zones), kubernetesVersion: input.kubernetesVersion, workers: input.workers,
        seed: input.seed, nodesCidr: flags['nodes-cidr'], podsCidr: flags['pods-cidr'], servicesCidr: flags['services-cidr'], purpose: flags.purpose,
        credentials: flags.credentials, addons: list(flags.addons),
      }, flags.file);
      const flow = createFlow('Create');
      if (flags['dry-run']) {
        this.note(`Seed: ${prepared.seedName}\nSteps:\n${flow.describe()}`);
        return this.printResult(flags.output === 'table' ? 'yaml' : flags.output, { data: prepared.shoot, rows: [], columns: [] });
      }
      const name = prepared.shoot.metadata.name;
      if (!flags.wait) {
        const { answeredArgv } = await import('../../lib/ui/prompts.ts');
        const extraArgv = answeredArgv(given, input, flags.project, Boolean(parsed.project));
        return this.continueInBackground(garden, { command: 'shoot create', what: 'Create', project: flags.project, name, extraArgv, output: flags.output });
      }
      const result = await withInterrupt((signal) =>
        runShootOperation(garden, flags.project, name, 'Create', flow, { signal, quiet: flags.quiet, verbose: flags.verbose, forceUnlock: flags['force-unlock'], timeoutMs, terraformBin: flags['terraform-bin'], record: prepared.shoot }),
      );
      const { shootResult } = await import('../../lib/ui/results.ts');
      if (this.printDocument(flags.output, shootResult('shoot create', 'created', flags.project, name, this.startedAt, result))) return;
      this.success(`Shoot "${flags.project}/${name}" is ready at ${result.shoot?.status?.endpoint} (${Math.round(result.durationMs / 1000)}s).`);
      this.note(`Get a kubeconfig: kubegarden shoot kubeconfig ${name} --project ${flags.project} --output-file ${name}.kubeconfig`);
    });
  }
}

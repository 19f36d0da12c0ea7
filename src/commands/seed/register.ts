import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';
import type { SeedResult } from '../../lib/ui/results.ts';

export default class SeedRegister extends BaseCommand {
  static override description = `Register a cluster as a seed, or update a registered seed.

Checks that the seed answers and which Kubernetes version it runs, stores its kubeconfig as a Secret in the garden's kubegarden-system namespace, prepares the seed (its own kubegarden-system namespace), and creates or updates the Seed with its status. Nothing is written unless every check passes.`;

  static override examples = [
    '<%= config.bin %> seed register local --seed-kubeconfig ~/.kube/seed.yaml --provider local --region local',
    '<%= config.bin %> seed register aws-eu1 --seed-kubeconfig seed.yaml --provider aws --region eu-west-1 --zones eu-west-1a,eu-west-1b --ingress-domain seed.example.com --max-shoots 100',
  ];

  static override args = { name: Args.string({ description: 'Seed name: lower-case letters, digits and "-".', required: true }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    'seed-kubeconfig': Flags.string({ description: 'Kubeconfig of the seed cluster (needs cluster-admin there).', required: true }),
    'seed-context': Flags.string({ description: 'Context in the seed kubeconfig (default: its current context).' }),
    provider: Flags.string({ description: 'Provider type of the seed: local, aws, gcp, azure or openstack.', required: true }),
    region: Flags.string({ description: 'Region the seed runs in.', required: true }),
    zones: Flags.string({ description: 'Comma-separated zones of the seed.' }),
    'ingress-domain': Flags.string({ description: 'DNS domain under which shoot API servers are exposed.' }),
    'nodes-cidr': Flags.string({ description: "The seed's nodes range (default 172.18.0.0/16)." }),
    'pods-cidr': Flags.string({ description: "The seed's pods range (default 10.1.0.0/16)." }),
    'services-cidr': Flags.string({ description: "The seed's services range (default 10.2.0.0/16)." }),
    'max-shoots': Flags.integer({ description: 'How many shoot control planes the seed may host (default 250).', min: 1 }),
    ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SeedRegister);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { registerSeed } = await import('../../lib/garden/seeds.ts');
    const result = await withGarden(flags, (garden) =>
      registerSeed(garden, {
        name: args.name,
        seedKubeconfig: { kubeconfig: flags['seed-kubeconfig'], context: flags['seed-context'] },
        provider: flags.provider,
        region: flags.region,
        zones: flags.zones?.split(',').map((z) => z.trim()).filter(Boolean),
        ingressDomain: flags['ingress-domain'],
        networks: { nodes: flags['nodes-cidr'], pods: flags['pods-cidr'], services: flags['services-cidr'] },
        maxShoots: flags['max-shoots'],
      }),
    );
    const doc: SeedResult = { action: 'seed register', change: result.change, objects: [`seed/${args.name}`], warnings: [], durationMs: Date.now() - this.startedAt, seed: args.name, kubernetesVersion: result.kubernetesVersion };
    if (this.printDocument(flags.output, doc)) return;
    const verb = result.change === 'created' ? 'registered' : result.change === 'updated' ? 'updated' : 'already registered: nothing changed';
    this.success(`Seed "${args.name}" ${verb} (Kubernetes ${result.kubernetesVersion}, ${result.seed.status?.allocatedShoots ?? 0}/${result.seed.spec.capacity.shoots} shoots).`);
  }
}

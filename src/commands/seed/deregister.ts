import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';
import type { SeedResult } from '../../lib/ui/results.ts';

export default class SeedDeregister extends BaseCommand {
  static override description = `Remove a seed from the garden, with its stored kubeconfig.

Refused while a shoot is scheduled on the seed. --force deregisters anyway and says what it leaves behind (the shoots' control planes keep running in the seed, unmanaged).`;

  static override examples = ['<%= config.bin %> seed deregister old-seed', '<%= config.bin %> seed deregister broken-seed --force'];
  static override args = { name: Args.string({ description: 'Seed name.', required: true }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    force: Flags.boolean({ description: 'Deregister even though shoots still run on the seed.', default: false }),
    ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SeedDeregister);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { deregisterSeed } = await import('../../lib/garden/seeds.ts');
    const result = await withGarden(flags, (garden) => deregisterSeed(garden, args.name, { force: flags.force }));
    const doc: SeedResult = { action: 'seed deregister', change: 'deleted', objects: [`seed/${args.name}`], warnings: result.leftBehind.map((i) => `left behind: ${i}`), durationMs: Date.now() - this.startedAt, seed: args.name, leftBehind: result.leftBehind };
    if (this.printDocument(flags.output, doc)) return;
    for (const item of result.leftBehind) this.warning(`left behind: ${item}.`);
    this.success(`Seed "${args.name}" deregistered.`);
  }
}

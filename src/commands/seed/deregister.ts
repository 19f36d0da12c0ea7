import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, outputFlag } from '../../lib/ui/base-command.ts';

export default class SeedDeregister extends BaseCommand {
  static override description = `Remove a seed from the garden, with its stored kubeconfig.

Refused while a shoot is scheduled on the seed. --force deregisters anyway and says what it leaves behind (the shoots' control planes keep running in the seed, unmanaged).`;

  static override examples = ['<%= config.bin %> seed deregister old-seed', '<%= config.bin %> seed deregister broken-seed --force'];
  static override args = { name: Args.string({ description: 'Seed name.', required: true }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    force: Flags.boolean({ description: 'Deregister even though shoots still run on the seed.', default: false }),
    output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SeedDeregister);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { deregisterSeed } = await import('../../lib/garden/seeds.ts');
    const result = await withGarden(flags, (garden) => deregisterSeed(garden, args.name, { force: flags.force }));
    if (flags.output !== 'table') return this.printResult(flags.output, { data: result, rows: [], columns: [] });
    for (const item of result.leftBehind) this.warning(`left behind: ${item}.`);
    this.success(`Seed "${args.name}" deregistered.`);
  }
}

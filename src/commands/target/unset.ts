import { Args } from '@oclif/core';
import { BaseCommand, commonFlags, outputFlag } from '../../lib/ui/base-command.ts';

export default class TargetUnset extends BaseCommand {
  static override description = 'Unset a target level and the levels below it (garden → project → seed → shoot); without a level, unset everything. Registered gardens stay registered.';
  static override examples = ['<%= config.bin %> target unset shoot', '<%= config.bin %> target unset project', '<%= config.bin %> target unset'];
  static override args = { level: Args.string({ description: 'What to unset (default: everything).', options: ['garden', 'project', 'seed', 'shoot'] }) };
  static override flags = { ...commonFlags, output: outputFlag(['table', 'json', 'yaml']) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TargetUnset);
    const { unsetTargetLevel, describeTarget } = await import('../../lib/config/target.ts');
    const result = await unsetTargetLevel(args.level as 'garden' | 'project' | 'seed' | 'shoot' | undefined);
    if (flags.output !== 'table') return this.printResult(flags.output, { data: result.target, rows: [], columns: [] });
    this.success(`Unset ${args.level ?? 'every target'}; targeted now: ${describeTarget(result.target)}.`);
  }
}

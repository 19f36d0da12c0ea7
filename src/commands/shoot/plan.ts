import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootPlan extends BaseCommand {
  static override description = `Review a shoot's infrastructure before anything is applied: show Terraform's plan, or write the rendered Terraform (templates and terraform.tfvars.json) to a directory.

Nothing is applied and no credential is renewed. The exported terraform.tfvars.json holds the machines' cloud-config with their bootstrap token: it is written with mode 0600.`;

  static override examples = ['<%= config.bin %> shoot plan demo --project local', '<%= config.bin %> shoot plan web -p dev --export ./web-terraform'];
  static override args = { name: Args.string({ description: 'Shoot name (default: the targeted shoot).' }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    project: projectFlag(),
    export: Flags.string({ description: 'Write the rendered Terraform to this directory instead of planning.' }),
    'terraform-bin': Flags.string({ description: 'terraform or tofu binary (default: $KUBEGARDEN_TERRAFORM, then PATH).' }),
    ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.targeted(await this.parse(ShootPlan));
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { planShoot } = await import('../../lib/shoots/plan.ts');
    const outcome = await withGarden(flags, (garden) =>
      planShoot(garden, flags.project, args.name, { exportDir: flags.export, terraformBin: flags['terraform-bin'], onLine: flags.verbose ? (l) => this.note(l) : undefined }),
    );
    if (flags.output !== 'table') return this.printResult(flags.output, { data: outcome, rows: [], columns: [] });
    if (outcome.exported) {
      this.success(`Terraform for shoot "${flags.project}/${args.name}" written to ${outcome.exported.dir}: ${outcome.exported.files.join(', ')}.`);
      return this.note(`Review it, then: ${outcome.exported.initCommand}`);
    }
    this.print(outcome.text ?? '');
    this.note(outcome.hasChanges ? 'The plan has changes: "kubegarden shoot reconcile" applies them.' : 'No changes: the infrastructure matches the shoot.');
  }
}

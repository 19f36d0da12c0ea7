import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootWait extends BaseCommand {
  static override description = `Wait until a shoot is ready, or gone.

Polls the Shoot and says on stderr what it waits for: the last operation's type, state, progress and description, and the time waited. Ready means the last operation Succeeded, the spec is reconciled and every condition is True (a hibernated shoot: its operation Succeeded). Exits 0 when ready (or deleted), 6 on timeout, and 8 at once when the last operation ended in Error, Failed or Aborted and no kubegarden process holds the shoot's lock to run it again (its lastErrors are printed).`;

  static override examples = [
    '<%= config.bin %> shoot wait demo --project local --for ready',
    '<%= config.bin %> shoot wait demo -p local --for deleted --timeout 20m',
    '<%= config.bin %> shoot create demo -p local --provider local --no-wait && <%= config.bin %> shoot wait demo -p local --for ready --json | jq .status.lastOperation',
  ];

  static override args = { name: Args.string({ description: 'Shoot name (default: the targeted shoot).' }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    ...jsonFlag,
    project: projectFlag(),
    for: Flags.string({ description: 'What to wait for.', options: ['ready', 'deleted'], default: 'ready' }),
    timeout: Flags.string({ description: 'How long to wait.', default: '10m' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.targeted(await this.parse(ShootWait));
    const timeoutMs = await this.timeoutMs(flags.timeout);
    const target = flags.for as 'ready' | 'deleted';
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { waitForShoot } = await import('../../lib/shoots/wait.ts');
    const { withInterrupt } = await import('../../lib/ui/interrupt.ts');
    const { shootResult } = await import('../../lib/ui/results.ts');
    const shoot = await withGarden(flags, (garden) =>
      withInterrupt((signal) => waitForShoot(garden, flags.project, args.name, { for: target, timeoutMs, signal, onProgress: (l) => this.note(l) })),
    );
    const result = { ...shootResult('shoot wait', target === 'deleted' ? 'deleted' : 'unchanged', flags.project, args.name, this.startedAt, { shoot }), for: target };
    if (flags.json) return void this.printDocument('json', result);
    this.success(target === 'ready' ? `Shoot "${flags.project}/${args.name}" is ready.` : `Shoot "${flags.project}/${args.name}" is gone.`);
  }
}

import { Flags } from '@oclif/core';
import { BaseCommand, commonFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';

export default class LocalStatus extends BaseCommand {
  static override description = 'Show the processes of the local garden and of the shoot control planes it runs, with their health.';
  static override examples = ['<%= config.bin %> local status', '<%= config.bin %> local status -o json'];
  static override flags = {
    ...commonFlags,
    dir: Flags.string({ description: 'State directory (default: $XDG_STATE_HOME/kubegarden/local, or $KUBEGARDEN_LOCAL_DIR).' }),
    ...jsonFlag, output: outputFlag(['table', 'wide', 'json', 'yaml', 'name']),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LocalStatus);
    const { defaultLocalDir } = await import('../../lib/local/state.ts');
    const { localStatus } = await import('../../lib/local/up.ts');
    const status = await localStatus(flags.dir ?? defaultLocalDir());
    if (flags.output === 'json' || flags.output === 'yaml') return this.printResult(flags.output, { data: status, rows: [], columns: [] });
    this.note(`Local garden: ${status.phase}${status.server ? ` at ${status.server}` : ''}${status.supervisorPid ? ` (supervisor pid ${status.supervisorPid})` : ''}`);
    if (status.kubeconfig) this.note(`Kubeconfig: ${status.kubeconfig}`);
    if (flags.output === 'name') return this.print(status.processes.map((p) => `process/${p.name}\n`).join(''));
    this.printResult(flags.output, {
      data: status,
      rows: status.processes,
      empty: status.running ? 'No processes.' : 'Not running: start it with "kubegarden local up".',
      columns: [
        { header: 'PROCESS', get: (p) => p.name },
        { header: 'OWNER', get: (p) => p.owner ?? 'garden' },
        { header: 'PID', get: (p) => p.pid },
        { header: 'STATE', get: (p) => (!p.alive ? 'Dead' : p.healthy === false ? 'Unhealthy' : p.healthy ? 'Healthy' : 'Running') },
        { header: 'RESTARTS', get: (p) => p.restarts },
        { header: 'LOG', get: (p) => p.logFile, wide: true },
      ],
    });
  }
}

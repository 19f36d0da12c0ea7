import { Flags } from '@oclif/core';
import { BaseCommand, commonFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';
import type { LocalResult } from '../../lib/ui/results.ts';

export default class LocalDown extends BaseCommand {
  static override description = 'Stop the local garden and every process it runs. Its data is kept for the next "local up" unless --purge.';
  static override examples = ['<%= config.bin %> local down', '<%= config.bin %> local down --purge'];
  static override flags = {
    ...commonFlags,
    dir: Flags.string({ description: 'State directory (default: $XDG_STATE_HOME/kubegarden/local, or $KUBEGARDEN_LOCAL_DIR).' }),
    purge: Flags.boolean({ description: 'Also delete the state directory: the garden, its shoots and their data.', default: false }),
    ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LocalDown);
    const { defaultLocalDir } = await import('../../lib/local/state.ts');
    const { localDown } = await import('../../lib/local/up.ts');
    const result = await localDown(flags.dir ?? defaultLocalDir(), { purge: flags.purge });
    const doc: LocalResult = { action: 'local down', change: result.stopped.length ? 'stopped' : 'unchanged', objects: result.stopped.map((s) => `process/${s}`), warnings: [], durationMs: Date.now() - this.startedAt, ...result };
    if (this.printDocument(flags.output, doc)) return;
    for (const s of result.stopped) this.note(`stopped ${s}`);
    this.success(result.stopped.length ? `Local garden stopped${result.purged ? ' and its data deleted' : ''}.` : `Local garden was not running${result.purged ? '; its data is deleted' : ''}.`);
  }
}

import { BaseCommand, jsonFlag, outputFlag } from '../lib/ui/base-command.ts';
import { DEFAULT_KUBERNETES_VERSION, ETCD_VERSION, SUPPORTED_KUBERNETES_VERSIONS } from '../lib/api/versions.ts';
import { stringify } from 'yaml';

export default class Version extends BaseCommand {
  static override description = 'Show the kubegarden version and the Kubernetes versions it can provision.';
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version -o json'];
  static override flags = { ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']) };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    const info = {
      kubegarden: this.config.version,
      node: process.versions.node,
      platform: `${process.platform}/${process.arch}`,
      kubernetes: { supported: [...SUPPORTED_KUBERNETES_VERSIONS], default: DEFAULT_KUBERNETES_VERSION },
      etcd: ETCD_VERSION,
    };
    if (flags.output === 'json') return this.print(JSON.stringify(info, null, 2) + '\n');
    if (flags.output === 'yaml') return this.print(stringify(info));
    this.print(
      [
        `kubegarden ${info.kubegarden} (node ${info.node}, ${info.platform})`,
        `Kubernetes versions: ${info.kubernetes.supported.join(', ')} (default ${info.kubernetes.default})`,
        `etcd: ${info.etcd}`,
      ].join('\n') + '\n',
    );
  }
}

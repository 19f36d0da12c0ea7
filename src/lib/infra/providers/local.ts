// The local provider: terraform_data only, no credentials.
import { rollingBudget } from '../spec.ts';
import { byPool, shootTags, sorted, userData, volumeGb, zoneSubnets } from './common.ts';
import type { InfraProvider } from './provider.ts';

export const localProvider: InfraProvider = {
  name: 'local',
  plugins: [],
  tfvars(spec) {
    return {
      cluster_name: spec.namespace,
      region: spec.region,
      tags: shootTags(spec),
      networks: spec.networks,
      zones: zoneSubnets(spec, false, 30),
      workers: byPool(spec, (worker) => {
        const budget = rollingBudget(worker);
        return {
          machine_type: worker.machineType,
          minimum: worker.minimum,
          maximum: worker.maximum,
          max_surge: budget.surge,
          max_unavailable: budget.unavailable,
          volume_size_gb: volumeGb(worker, 50),
          volume_type: worker.volume?.type ?? 'standard',
          zones: worker.zones,
          kubernetes_version: worker.kubernetesVersion,
          labels: sorted(worker.labels),
          taints: worker.taints.map((taint) => ({ key: taint.key, value: taint.value ?? '', effect: taint.effect })),
        };
      }),
      user_data: userData(spec, 'plain'),
    };
  },
  credentialsEnv() {
    return {};
  },
};

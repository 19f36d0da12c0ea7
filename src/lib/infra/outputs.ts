// Parses `terraform output -json` into InfraOutputs. Every template has the
// same four outputs; anything else in the JSON is ignored.
import { KubegardenError, notFound } from '../ui/errors.ts';
import type { InfraOutputs, ScalingGroupOutput } from './types.ts';

export function parseInfraOutputs(json: string, target: string): InfraOutputs {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (cause) {
    throw new KubegardenError('unexpected', `Terraform's outputs for ${target} are not JSON.`, { cause });
  }
  if (!isRecord(raw)) throw malformed(target, 'the document is not an object');
  if (Object.keys(raw).length === 0) {
    throw notFound(`The infrastructure of ${target} has no Terraform outputs: it has not been applied yet, or it was destroyed.`);
  }
  const value = (name: string): unknown => {
    const output = raw[name];
    if (!isRecord(output) || !('value' in output)) throw malformed(target, `the output ${name} is missing`);
    return output.value;
  };

  const scalingGroups: Record<string, ScalingGroupOutput> = {};
  const groups = value('scaling_groups');
  if (!isRecord(groups)) throw malformed(target, 'scaling_groups is not an object');
  for (const [pool, group] of Object.entries(groups)) {
    if (!isRecord(group)) throw malformed(target, `scaling_groups.${pool} is not an object`);
    scalingGroups[pool] = {
      id: str(group.id, target, `scaling_groups.${pool}.id`),
      name: str(group.name, target, `scaling_groups.${pool}.name`),
      minimum: num(group.minimum, target, `scaling_groups.${pool}.minimum`),
      maximum: num(group.maximum, target, `scaling_groups.${pool}.maximum`),
      zones: strList(group.zones, target, `scaling_groups.${pool}.zones`),
      machineType: str(group.machine_type, target, `scaling_groups.${pool}.machine_type`),
      userDataHash: str(group.user_data_hash, target, `scaling_groups.${pool}.user_data_hash`),
    };
  }
  const subnets = value('subnet_ids');
  if (!isRecord(subnets)) throw malformed(target, 'subnet_ids is not an object');
  const subnetIds: Record<string, string> = {};
  for (const [zone, id] of Object.entries(subnets)) subnetIds[zone] = str(id, target, `subnet_ids.${zone}`);

  return {
    networkId: str(value('network_id'), target, 'network_id'),
    subnetIds,
    securityGroupId: str(value('security_group_id'), target, 'security_group_id'),
    scalingGroups,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown, target: string, what: string): string {
  if (typeof value !== 'string') throw malformed(target, `${what} is not a string`);
  return value;
}

function num(value: unknown, target: string, what: string): number {
  if (typeof value !== 'number') throw malformed(target, `${what} is not a number`);
  return value;
}

function strList(value: unknown, target: string, what: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw malformed(target, `${what} is not a list of strings`);
  return value as string[];
}

function malformed(target: string, detail: string): KubegardenError {
  return new KubegardenError('unexpected', `Terraform's outputs for ${target} do not have the expected shape (${detail}).`, {
    hint: 'The state may come from another version of the template: run the apply again to bring it up to date.',
  });
}

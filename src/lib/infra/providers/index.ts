import type { InfraProviderName } from '../types.ts';
import { awsProvider } from './aws.ts';
import { azureProvider } from './azure.ts';
import { gcpProvider } from './gcp.ts';
import { localProvider } from './local.ts';
import { openstackProvider } from './openstack.ts';
import type { InfraProvider } from './provider.ts';

export type { InfraProvider } from './provider.ts';

const PROVIDERS: Record<InfraProviderName, InfraProvider> = {
  local: localProvider,
  aws: awsProvider,
  gcp: gcpProvider,
  azure: azureProvider,
  openstack: openstackProvider,
};

export function infraProvider(name: InfraProviderName): InfraProvider {
  return PROVIDERS[name];
}

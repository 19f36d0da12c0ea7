// What each cloud contributes besides its template: the values of its
// terraform.tfvars.json, and the environment variables its credentials
// become. Both are pure.
import { invalid } from '../../ui/errors.ts';
import type { InfraProviderName, InfraSpec } from '../types.ts';

export interface InfraProvider {
  name: InfraProviderName;
  /** The provider plugins the template needs (registry addresses). */
  plugins: readonly string[];
  /** Every value the template reads, as terraform.tfvars.json holds it. Throws KubegardenError('invalid'). */
  tfvars(spec: InfraSpec): Record<string, unknown>;
  /** The shoot's credentials (its Secret's data, decoded) as the environment Terraform's provider reads. */
  credentialsEnv(credentials: Readonly<Record<string, string>>, target: string): Record<string, string>;
}

export interface CredentialMapping {
  env: string;
  /** Secret keys that fill it, in order of preference (the variable's own name always works). */
  keys: readonly string[];
}

/** Fills each variable from the first key present; names missing required ones (never values). */
export function mapCredentials(
  credentials: Readonly<Record<string, string>>,
  mappings: readonly CredentialMapping[],
  required: readonly string[],
  target: string,
  provider: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const mapping of mappings) {
    for (const key of [mapping.env, ...mapping.keys]) {
      const value = credentials[key];
      if (value !== undefined && value !== '') {
        env[mapping.env] = value;
        break;
      }
    }
  }
  const missing = required.filter((name) => env[name] === undefined);
  if (missing.length > 0) {
    const keys = missing.map((name) => {
      const mapping = mappings.find((m) => m.env === name);
      return mapping?.keys[0] ?? name;
    });
    throw invalid(`The ${provider} credentials of ${target} lack ${keys.join(', ')}.`, {
      hint: `Add ${keys.length === 1 ? 'this key' : 'these keys'} to the shoot's credentials Secret.`,
    });
  }
  return env;
}

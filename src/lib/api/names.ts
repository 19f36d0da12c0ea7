// Name rules shared by the CLI's validation and the CRD schemas.

export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS_LABEL_RE = new RegExp(DNS_LABEL_PATTERN);

/** The seed namespace `shoot--<project>--<name>` must stay short and unambiguous. */
export const MAX_PROJECT_AND_SHOOT_NAME = 21;
export const MAX_WORKER_NAME = 15;

export function dnsLabelProblem(name: string, maxLength = 63): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > maxLength) return `must be at most ${maxLength} characters (it has ${name.length})`;
  if (!DNS_LABEL_RE.test(name)) return 'must consist of lower-case letters, digits and "-", and start and end with a letter or digit';
  return undefined;
}

/** Project and shoot names also may not contain "--", the separator of seed namespaces. */
export function segmentNameProblem(name: string, maxLength = 63): string | undefined {
  return dnsLabelProblem(name, maxLength) ?? (name.includes('--') ? 'must not contain "--"' : undefined);
}

const LABEL_NAME_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN_RE.test(prefix))) return 'has an invalid prefix (a DNS subdomain is expected before "/")';
  if (name.length === 0 || name.length > 63 || !LABEL_NAME_RE.test(name)) return 'must be at most 63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !LABEL_NAME_RE.test(value)) return 'must be at most 63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  return undefined;
}

// Simulated worker machines for the local provider: honest stand-ins for a
// kubelet that runs no containers. A simulated machine boots from the same
// cloud-config a real one gets and joins the same way:
//
//   1. TLS bootstrap with the cloud-config's bootstrap token: it generates a
//      key, creates a certificates.k8s.io/v1 CertificateSigningRequest (signer
//      kubernetes.io/kube-apiserver-client-kubelet, CN system:node:<name>,
//      O system:nodes) and waits until the shoot's kube-controller-manager has
//      approved and signed it. Nothing here approves or signs anything.
//   2. With the issued certificate, as system:node:<name> (so the Node
//      authorizer and NodeRestriction apply), it registers its Node: labels
//      and taints from the cloud-config, node.kubegarden.io/simulated=true,
//      capacity, nodeInfo with the kubelet version, address 127.0.0.1.
//   3. It keeps the node Ready: renews its Lease in kube-node-lease every 10 s
//      and posts Ready=True (reason KubeletReady) every 40 s, as a kubelet does.
//
// The key and certificate persist in stateDir, so a restarted machine reuses
// them (no new CSR), like a rebooted kubelet. stop() ends the heartbeats: the
// node controller marks the node NotReady after its grace period.
import { createHash, createPublicKey } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeClient, type KubeObject, type ObjectRef } from '../kube/client.ts';
import { KubeApiError } from '../kube/errors.ts';
import { parseKubeconfig, renderKubeconfig } from '../kube/kubeconfig.ts';
import { waitFor } from '../kube/wait.ts';
import { generateKeyPairAsync, type KeyPairPem } from '../pki/primitives.ts';
import { KubegardenError, invalid } from '../ui/errors.ts';
import { parseCloudConfig, type CloudConfigTaint, type ParsedCloudConfig } from './cloud-config.ts';
import { inspectIssued, kubeletClientCsr, KUBELET_CLIENT_SIGNER, nodeUser } from './csr.ts';

export const SIMULATED_LABEL = 'node.kubegarden.io/simulated';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const SIMULATED_MESSAGE = "kubelet is posting ready status (simulated by kubegarden's local provider: this node runs no containers)";

export interface MachineCapacity {
  cpu: string;
  memory: string;
  pods: string;
}

export const DEFAULT_CAPACITY: MachineCapacity = { cpu: '2', memory: '4Gi', pods: '110' };

export interface SimulatedMachineOptions {
  /** The machine's (and its Node's) name: a DNS subdomain. */
  name: string;
  /** The cloud-config the machine boots with (renderCloudConfig). */
  cloudConfig: string;
  /** The machine's own directory (its "/var/lib/kubelet"): key, certificate, cluster identity. */
  stateDir: string;
  log?: ((line: string) => void) | undefined;
  /** Lease renewal period; default 10 s (the kubelet's). */
  leaseIntervalMs?: number | undefined;
  /** Node status period; default 40 s. */
  statusIntervalMs?: number | undefined;
  /** The Lease's spec.leaseDurationSeconds; default 40. */
  leaseDurationSeconds?: number | undefined;
  /** How long to wait for the API server and for the CSR to be signed; default 5 min. */
  bootstrapTimeoutMs?: number | undefined;
  capacity?: Partial<MachineCapacity> | undefined;
  /** Aborting stops the machine (without deleting its Node). */
  signal?: AbortSignal | undefined;
}

/** What deletes a Node: a client with the shoot's credentials (a kubelet may not delete its own Node). */
export type NodeDeleter = Pick<KubeClient, 'delete'>;

export interface StopOptions {
  /**
   * Also delete the Node and its Lease: the machine is gone for good. The Node
   * authorizer does not let a node delete its own Node object (in a real cloud the
   * node lifecycle controller does it), so this needs `client`.
   */
  deleteNode?: boolean;
  client?: NodeDeleter | undefined;
}

export interface SimulatedMachine {
  readonly name: string;
  readonly pool: string;
  readonly kubernetesVersion: string;
  /** sha256 (hex) of the cloud-config it booted with. */
  readonly cloudConfigHash: string;
  /** How it got its client certificate: a new CSR, or the one persisted in stateDir. */
  readonly joinedWith: 'csr' | 'persisted';
  /** The CSR that issued its certificate, when joinedWith is 'csr'. */
  readonly csrName: string | undefined;
  readonly stopped: boolean;
  /** When the Lease was last renewed by this machine. */
  readonly lastLeaseRenewal: Date | undefined;
  stop(options?: StopOptions): Promise<void>;
}

interface ClusterIdentity {
  server: string;
  caSha256: string;
}

const FILES = {
  key: 'pki/kubelet-client.key',
  cert: 'pki/kubelet-client.crt',
  cluster: 'pki/cluster.json',
};

const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function hashCloudConfig(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}

async function clientFor(identity: { server: string; caPem: string }, user: { token: string } | { certPem: string; keyPem: string }, userName: string, label: string): Promise<KubeClient> {
  const text = renderKubeconfig({ name: 'shoot', server: identity.server, caPem: identity.caPem, user, userName });
  return KubeClient.fromResolved(parseKubeconfig(text, label), label);
}

function apiMessage(err: unknown): string {
  if (err instanceof KubeApiError) return err.apiStatus?.message ?? err.message;
  return err instanceof Error ? err.message : String(err);
}

/** Persisted credentials, if they exist, belong to this cluster and node, and are valid for another minute. */
async function loadPersisted(dir: string, name: string, cluster: ClusterIdentity): Promise<{ keyPair?: KeyPairPem; certPem?: string }> {
  const stored = await readText(join(dir, FILES.cluster));
  const keyPem = await readText(join(dir, FILES.key));
  if (!stored || !keyPem) return {};
  let same = false;
  try {
    const id = JSON.parse(stored) as ClusterIdentity;
    same = id.server === cluster.server && id.caSha256 === cluster.caSha256;
  } catch {
    same = false;
  }
  if (!same) return {};
  let keyPair: KeyPairPem;
  try {
    keyPair = { privateKeyPem: keyPem, publicKeyPem: publicKeyOf(keyPem) };
  } catch {
    return {};
  }
  const certPem = await readText(join(dir, FILES.cert));
  if (!certPem) return { keyPair };
  const issued = inspectIssued(certPem, keyPair);
  const valid = issued && issued.subject.split('\n').includes(`CN=${nodeUser(name)}`) && issued.notAfter.getTime() > Date.now() + 60_000;
  return valid ? { keyPair, certPem } : { keyPair };
}

function joinError(name: string, server: string, err: unknown): KubegardenError {
  if (err instanceof KubeApiError && err.status === 401) {
    return new KubegardenError(
      'forbidden',
      `Machine "${name}" cannot join: the API server at ${server} rejected its bootstrap token (401 Unauthorized); the token in its cloud-config is wrong or expired, or its Secret is missing from kube-system.`,
      { cause: err, hint: "Render the machine's cloud-config again from the shoot's current bootstrap token, and make sure the shoot's system components (bootstrap) are deployed." },
    );
  }
  if (err instanceof KubeApiError && err.status === 403) {
    return new KubegardenError(
      'forbidden',
      `Machine "${name}" cannot join: its bootstrap token was accepted, but it may not request a certificate at ${server} (${apiMessage(err)}).`,
      { cause: err, hint: 'Deploy the bootstrap system component: it binds system:node-bootstrapper to system:bootstrappers.' },
    );
  }
  if (err instanceof KubegardenError) return err;
  return new KubegardenError('unexpected', `Machine "${name}" cannot join: ${apiMessage(err)}.`, { cause: err });
}

/** TLS bootstrap: create (or find again) the CSR and wait until the controller manager has signed it. */
async function bootstrapCertificate(
  name: string,
  parsed: ParsedCloudConfig,
  keyPair: KeyPairPem,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  log: (line: string) => void,
): Promise<{ certPem: string; csrName: string }> {
  const client = await clientFor(parsed.bootstrap, { token: parsed.bootstrap.token }, 'kubelet-bootstrap', `the shoot (bootstrap token of machine "${name}")`);
  const csr = kubeletClientCsr(name, keyPair);
  const ref: ObjectRef = { apiVersion: csr.apiVersion, kind: csr.kind, name: csr.metadata.name };
  let created = false;
  type CsrObject = KubeObject & { status?: { certificate?: string; conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } };
  try {
    const outcome = await waitFor<{ certPem: string } | { refused: string }>(
      async () => {
        let live = await client.get<CsrObject>(ref, signal);
        if (!live) {
          live = await client.create<CsrObject>(csr, signal);
          if (!created) log(`machine ${name}: requested a client certificate (CertificateSigningRequest ${ref.name}, signer ${KUBELET_CLIENT_SIGNER})`);
          created = true;
        }
        const refused = live.status?.conditions?.find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status === 'True');
        if (refused) return { ready: true, value: { refused: `${refused.type.toLowerCase()}${refused.reason ? ` (${refused.reason})` : ''}${refused.message ? `: ${refused.message}` : ''}` } };
        const certificate = live.status?.certificate;
        if (certificate) return { ready: true, value: { certPem: Buffer.from(certificate, 'base64').toString('utf8') } };
        const approved = live.status?.conditions?.some((c) => c.type === 'Approved' && c.status === 'True');
        return { ready: false, reason: approved ? `CertificateSigningRequest ${ref.name} is approved but not signed yet` : `CertificateSigningRequest ${ref.name} is not approved yet` };
      },
      { what: `the client certificate of machine "${name}" (is the shoot's kube-controller-manager running its CSR approving and signing controllers?)`, timeoutMs, intervalMs: 500, signal },
    );
    if ('refused' in outcome) throw new KubegardenError('forbidden', `Machine "${name}" cannot join: its CertificateSigningRequest ${ref.name} was ${outcome.refused}.`);
    if (!inspectIssued(outcome.certPem, keyPair)) throw new KubegardenError('unexpected', `Machine "${name}" got a certificate from CertificateSigningRequest ${ref.name} that does not certify its key.`);
    return { certPem: outcome.certPem, csrName: ref.name };
  } catch (err) {
    throw joinError(name, parsed.bootstrap.server, err);
  } finally {
    client.close();
  }
}

function nodeObject(name: string, parsed: ParsedCloudConfig, capacity: MachineCapacity): KubeObject {
  const bootId = createHash('sha256').update(`${name}/${Date.now()}`).digest('hex');
  const machineId = createHash('sha256').update(name).digest('hex').slice(0, 32);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        ...parsed.labels,
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        [SIMULATED_LABEL]: 'true',
      },
      annotations: { 'node.kubegarden.io/simulated-by': "kubegarden's local provider" },
    },
    spec: {
      ...(parsed.podCidr ? { podCIDR: parsed.podCidr, podCIDRs: [parsed.podCidr] } : {}),
      ...(parsed.taints.length > 0 ? { taints: parsed.taints.map((t: CloudConfigTaint) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })) } : {}),
    },
    status: {
      capacity: { ...capacity },
      allocatable: { ...capacity },
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        machineID: machineId,
        systemUUID: machineId,
        bootID: bootId.slice(0, 32),
        kernelVersion: 'simulated',
        osImage: 'kubegarden simulated machine',
        containerRuntimeVersion: 'simulated://0.0.0',
        kubeletVersion: `v${parsed.kubernetesVersion}`,
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

function conditions(now: Date, since: Date): unknown[] {
  const c = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: rfc3339(now),
    lastTransitionTime: rfc3339(since),
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available (simulated)'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure (simulated)'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available (simulated)'),
    c('Ready', 'True', 'KubeletReady', SIMULATED_MESSAGE),
  ];
}

/** Boots a simulated machine: TLS bootstrap (or persisted certificate), Node registration, heartbeats. */
export async function startSimulatedMachine(options: SimulatedMachineOptions): Promise<SimulatedMachine> {
  const { name, stateDir } = options;
  const log = options.log ?? (() => {});
  if (name.length > 253 || !DNS_SUBDOMAIN_RE.test(name)) throw invalid(`"${name}" cannot be a node name: use lower-case letters, digits, "-" and ".".`);
  let parsed: ParsedCloudConfig;
  try {
    parsed = parseCloudConfig(options.cloudConfig);
  } catch (err) {
    throw invalid(`Machine "${name}" cannot boot: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const cluster: ClusterIdentity = { server: parsed.bootstrap.server, caSha256: createHash('sha256').update(parsed.bootstrap.caPem).digest('hex') };
  const timeoutMs = options.bootstrapTimeoutMs ?? 5 * 60_000;
  const capacity: MachineCapacity = { ...DEFAULT_CAPACITY, ...options.capacity };
  await mkdir(join(stateDir, 'pki'), { recursive: true, mode: 0o700 });

  const persisted = await loadPersisted(stateDir, name, cluster);
  let keyPair = persisted.keyPair;
  let certPem = persisted.certPem;
  let csrName: string | undefined;
  const bootstrap = async () => {
    // A key from an unfinished bootstrap is reused: its CSR has the same name and may be signed by now.
    keyPair ??= await generateKeyPairAsync();
    await writeFile(join(stateDir, FILES.key), keyPair.privateKeyPem, { mode: 0o600 });
    await writeFile(join(stateDir, FILES.cluster), JSON.stringify(cluster), { mode: 0o600 });
    const issued = await bootstrapCertificate(name, parsed, keyPair, timeoutMs, options.signal, log);
    await writeFile(join(stateDir, FILES.cert), issued.certPem, { mode: 0o600 });
    csrName = issued.csrName;
    log(`machine ${name}: client certificate issued (CertificateSigningRequest ${issued.csrName})`);
    return issued.certPem;
  };
  if (!certPem || !keyPair) certPem = await bootstrap();
  else log(`machine ${name}: reusing its client certificate from ${join(stateDir, FILES.cert)}`);

  const userName = nodeUser(name);
  const label = `the shoot (as node "${name}")`;
  let client = await clientFor(parsed.bootstrap, { certPem, keyPem: keyPair!.privateKeyPem }, userName, label);
  const nodeRef: ObjectRef = { apiVersion: 'v1', kind: 'Node', name };
  const node = nodeObject(name, parsed, capacity);

  const register = async (): Promise<KubeObject> => {
    try {
      const created = await client.create<KubeObject>(node, options.signal);
      log(`machine ${name}: registered node ${name}`);
      return created;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 409) {
        const existing = await client.get<KubeObject>(nodeRef, options.signal);
        if (existing) return existing;
      }
      throw err;
    }
  };
  let registered: KubeObject;
  try {
    registered = await register();
  } catch (err) {
    // A persisted certificate the cluster no longer accepts (say, a rotated client CA): bootstrap again, as a kubelet does.
    if (err instanceof KubeApiError && err.status === 401 && csrName === undefined) {
      log(`machine ${name}: its persisted client certificate was rejected; bootstrapping again`);
      client.close();
      keyPair = await generateKeyPairAsync();
      certPem = await bootstrap();
      client = await clientFor(parsed.bootstrap, { certPem, keyPem: keyPair.privateKeyPem }, userName, label);
      registered = await register().catch((e: unknown) => {
        client.close();
        throw registrationError(name, e);
      });
    } else {
      client.close();
      throw registrationError(name, err);
    }
  }
  const nodeUid = registered.metadata.uid;

  const readySince = new Date();
  const leaseDurationSeconds = options.leaseDurationSeconds ?? 40;
  let lastLeaseRenewal: Date | undefined;
  let lastError = '';
  const report = (what: string, err: unknown) => {
    const message = `machine ${name}: ${what} failed: ${apiMessage(err)}`;
    if (message !== lastError) log(message);
    lastError = message;
  };

  const renewLease = async () => {
    const now = new Date();
    await client.apply({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        namespace: NODE_LEASE_NAMESPACE,
        ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUid }] } : {}),
      },
      spec: { holderIdentity: name, leaseDurationSeconds, renewTime: microTime(now) },
    });
    lastLeaseRenewal = now;
  };
  const postStatus = async () => {
    const status = node['status'] as Record<string, unknown>;
    await client.applyStatus({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { ...status, conditions: conditions(new Date(), readySince) } });
  };

  await postStatus();
  await renewLease();
  log(`machine ${name}: node ${name} is Ready (simulated)`);

  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const inflight = new Set<Promise<void>>();
  const every = (ms: number, what: string, beat: () => Promise<void>) => {
    const schedule = () => {
      if (stopped) return;
      const t = setTimeout(() => {
        timers.delete(t);
        const p = beat()
          .then(() => {
            lastError = '';
          })
          .catch((err: unknown) => report(what, err))
          .finally(() => {
            inflight.delete(p);
            schedule();
          });
        inflight.add(p);
      }, ms);
      timers.add(t);
    };
    schedule();
  };
  every(options.leaseIntervalMs ?? 10_000, 'renewing its Lease', renewLease);
  every(options.statusIntervalMs ?? 40_000, 'posting its node status', postStatus);

  const machine: SimulatedMachine = {
    name,
    pool: parsed.pool,
    kubernetesVersion: parsed.kubernetesVersion,
    cloudConfigHash: hashCloudConfig(options.cloudConfig),
    joinedWith: csrName ? 'csr' : 'persisted',
    csrName,
    get stopped() {
      return stopped;
    },
    get lastLeaseRenewal() {
      return lastLeaseRenewal;
    },
    async stop(stopOptions: StopOptions = {}) {
      if (!stopped) {
        stopped = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        await Promise.all([...inflight]);
        log(`machine ${name}: stopped (heartbeats end; the node controller marks node ${name} NotReady after its grace period)`);
      }
      try {
        if (stopOptions.deleteNode) {
          if (!stopOptions.client) throw invalid(`Deleting node "${name}" needs a client with the shoot's credentials: a node may not delete its own Node object.`);
          await stopOptions.client.delete({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name, namespace: NODE_LEASE_NAMESPACE });
          await stopOptions.client.delete(nodeRef);
          log(`machine ${name}: deleted node ${name}`);
        }
      } finally {
        client.close();
      }
    },
  };
  options.signal?.addEventListener('abort', () => void machine.stop(), { once: true });
  return machine;
}

function registrationError(name: string, err: unknown): KubegardenError {
  if (err instanceof KubeApiError && err.status === 403) {
    return new KubegardenError('forbidden', `Machine "${name}" may not register its node: ${apiMessage(err)}.`, {
      cause: err,
      hint: 'Labels in the kubernetes.io and k8s.io namespaces are reserved (NodeRestriction): remove them from the worker pool.',
    });
  }
  if (err instanceof KubegardenError) return err;
  return new KubegardenError('unexpected', `Machine "${name}" could not register its node: ${apiMessage(err)}.`, { cause: err });
}

// ---- a fleet ----------------------------------------------------------------

export interface DesiredMachine {
  name: string;
  cloudConfig: string;
}

export interface ReconcileMachinesOptions {
  /** The machines this process runs, by name; reconcileMachines updates it. */
  running: Map<string, SimulatedMachine>;
  /** Each machine's state lives in <stateRoot>/<name>. */
  stateRoot: string;
  log?: ((line: string) => void) | undefined;
  /**
   * Deletes the Nodes of removed machines (the shoot's admin client). Without it
   * their Nodes stay, NotReady, as after a VM vanished with no node lifecycle controller.
   */
  client?: NodeDeleter | undefined;
  /** Passed to every machine started. */
  machineOptions?: Pick<SimulatedMachineOptions, 'leaseIntervalMs' | 'statusIntervalMs' | 'leaseDurationSeconds' | 'bootstrapTimeoutMs' | 'capacity'>;
}

export interface ReconcileMachinesResult {
  started: string[];
  /** Running with a changed cloud-config: restarted with the new one (keeping its certificate if the cluster is the same). */
  restarted: string[];
  kept: string[];
  /** No longer desired: stopped, state removed (a deleted VM), Node deleted when options.client is given. */
  removed: string[];
  failed: Array<{ name: string; error: Error }>;
}

/**
 * Starts and stops simulated machines so that those running match `desired`.
 * Failures to start are collected, not thrown: the other machines still start.
 */
export async function reconcileMachines(desired: readonly DesiredMachine[], options: ReconcileMachinesOptions): Promise<ReconcileMachinesResult> {
  const result: ReconcileMachinesResult = { started: [], restarted: [], kept: [], removed: [], failed: [] };
  const wanted = new Map(desired.map((d) => [d.name, d]));
  if (wanted.size !== desired.length) throw invalid('The desired machines have duplicate names.');

  for (const [name, machine] of [...options.running]) {
    if (wanted.has(name) && !machine.stopped) continue;
    options.running.delete(name);
    if (!wanted.has(name)) {
      await machine.stop({ deleteNode: options.client !== undefined, client: options.client });
      await rm(join(options.stateRoot, name), { recursive: true, force: true });
      result.removed.push(name);
    }
  }

  await Promise.all(
    desired.map(async (d) => {
      const current = options.running.get(d.name);
      if (current && current.cloudConfigHash === hashCloudConfig(d.cloudConfig)) {
        result.kept.push(d.name);
        return;
      }
      if (current) {
        await current.stop();
        options.running.delete(d.name);
      }
      try {
        const machine = await startSimulatedMachine({ ...options.machineOptions, name: d.name, cloudConfig: d.cloudConfig, stateDir: join(options.stateRoot, d.name), log: options.log });
        options.running.set(d.name, machine);
        (current ? result.restarted : result.started).push(d.name);
      } catch (err) {
        result.failed.push({ name: d.name, error: err instanceof Error ? err : new Error(String(err)) });
      }
    }),
  );
  for (const list of [result.started, result.restarted, result.kept, result.removed]) list.sort();
  return result;
}


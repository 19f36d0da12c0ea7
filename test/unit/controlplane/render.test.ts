// The control plane as manifests: what render(values) gives for a local and an
// AWS shoot, read the way the seed (or the local runtime) would read it.
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  CHECKSUM_ANNOTATION_PREFIX,
  PRIORITY_CLASS_NAME,
  PRIORITY_CLASS_VALUE,
  controlPlaneComponents,
  priorityClasses,
  renderControlPlane,
} from '../../../src/lib/controlplane/index.ts';
import { etcdComponent } from '../../../src/lib/controlplane/etcd.ts';
import { ADMISSION_PLUGINS } from '../../../src/lib/controlplane/kube-apiserver.ts';
import { LABEL_MANAGED_BY, LABEL_PROJECT, LABEL_ROLE, LABEL_SHOOT } from '../../../src/lib/api/types.ts';
import { FRONT_PROXY_CLIENT_NAME } from '../../../src/lib/pki/catalog.ts';
import {
  LOCAL_PORTS,
  NETWORKS,
  awsValues,
  catalogSecretKeys,
  containerOf,
  differences,
  find,
  flagValue,
  localValues,
  secretFileReferences,
  workloads,
  type Service,
  type Workload,
} from './fixtures.ts';

const CASES = [
  ['local', localValues],
  ['aws', awsValues],
] as const;

describe('control plane rendering', () => {
  describe('every object', () => {
    for (const [provider, values] of CASES) {
      it(`is labelled with project, shoot, managed-by and role, and lives in the shoot's namespace (${provider})`, () => {
        const v = values();
        const objects = renderControlPlane(v);
        assert.ok(objects.length > 0);
        for (const o of objects) {
          const what = `${o.kind} ${o.metadata.name}`;
          assert.equal(o.metadata.namespace, 'shoot--dev--' + v.shoot, what);
          assert.equal(o.metadata.labels?.[LABEL_MANAGED_BY], 'kubegarden', what);
          assert.equal(o.metadata.labels?.[LABEL_PROJECT], 'dev', what);
          assert.equal(o.metadata.labels?.[LABEL_SHOOT], v.shoot, what);
          assert.ok(o.metadata.labels?.[LABEL_ROLE], `${what} has a role`);
        }
        for (const w of workloads(objects)) {
          assert.deepEqual(w.spec.template.metadata.labels, w.metadata.labels, `${w.kind} ${w.metadata.name}: pods carry the same labels`);
          assert.equal(w.spec.template.spec.priorityClassName, PRIORITY_CLASS_NAME);
          for (const c of w.spec.template.spec.containers) {
            assert.ok(c.resources?.requests?.['cpu'] && c.resources.requests['memory'], `${c.name} requests cpu and memory`);
          }
        }
      });

      it(`names in its flags only Secret keys the pki catalog writes, each mounted (${provider})`, () => {
        const catalog = catalogSecretKeys();
        const refs = secretFileReferences(renderControlPlane(values()));
        assert.ok(refs.length >= 30, `found ${refs.length} file references`);
        for (const ref of refs) {
          assert.equal(ref.problem, undefined, `${ref.workload}: ${ref.file}: ${ref.problem}`);
          assert.ok(catalog.get(ref.secret ?? '')?.has(ref.key ?? ''), `${ref.workload}: ${ref.file} reads ${ref.secret}/${ref.key}, which the catalog does not have`);
        }
        // And every key a Secret volume projects exists too (a missing one would hold the pod back).
        for (const w of workloads(renderControlPlane(values()))) {
          for (const vol of w.spec.template.spec.volumes ?? []) {
            for (const item of vol.secret?.items ?? []) assert.ok(catalog.get(vol.secret?.secretName ?? '')?.has(item.key), `${vol.secret?.secretName}/${item.key}`);
          }
        }
      });
    }
  });

  describe('the Secrets feed the flags the pki catalog says they feed', () => {
    const file = (secret: string, key: string) => `/srv/kubernetes/${secret}/${key}`;
    const expected: Array<[kind: string, name: string, flag: string, value: string]> = [
      ['StatefulSet', 'etcd-main', 'cert-file', file('etcd-server', 'tls.crt')],
      ['StatefulSet', 'etcd-main', 'key-file', file('etcd-server', 'tls.key')],
      ['StatefulSet', 'etcd-main', 'trusted-ca-file', file('ca-etcd', 'ca.crt')],
      ['StatefulSet', 'etcd-main', 'peer-cert-file', file('etcd-peer', 'tls.crt')],
      ['StatefulSet', 'etcd-main', 'peer-key-file', file('etcd-peer', 'tls.key')],
      ['StatefulSet', 'etcd-main', 'peer-trusted-ca-file', file('ca-etcd-peer', 'ca.crt')],
      ['Deployment', 'kube-apiserver', 'etcd-cafile', file('ca-etcd', 'ca.crt')],
      ['Deployment', 'kube-apiserver', 'etcd-certfile', file('etcd-client', 'tls.crt')],
      ['Deployment', 'kube-apiserver', 'etcd-keyfile', file('etcd-client', 'tls.key')],
      ['Deployment', 'kube-apiserver', 'tls-cert-file', file('kube-apiserver', 'tls.crt')],
      ['Deployment', 'kube-apiserver', 'tls-private-key-file', file('kube-apiserver', 'tls.key')],
      ['Deployment', 'kube-apiserver', 'client-ca-file', file('ca-client', 'ca.crt')],
      ['Deployment', 'kube-apiserver', 'kubelet-client-certificate', file('kube-apiserver-kubelet', 'tls.crt')],
      ['Deployment', 'kube-apiserver', 'kubelet-client-key', file('kube-apiserver-kubelet', 'tls.key')],
      ['Deployment', 'kube-apiserver', 'kubelet-certificate-authority', file('ca-kubelet', 'ca.crt')],
      ['Deployment', 'kube-apiserver', 'requestheader-client-ca-file', file('ca-front-proxy', 'ca.crt')],
      ['Deployment', 'kube-apiserver', 'proxy-client-cert-file', file('kube-aggregator', 'tls.crt')],
      ['Deployment', 'kube-apiserver', 'proxy-client-key-file', file('kube-aggregator', 'tls.key')],
      ['Deployment', 'kube-apiserver', 'service-account-key-file', file('service-account-key', 'bundle.pem')],
      ['Deployment', 'kube-apiserver', 'service-account-signing-key-file', file('service-account-key', 'sa.key')],
      ['Deployment', 'kube-apiserver', 'encryption-provider-config', file('encryption-config', 'encryption-configuration.yaml')],
      ['Deployment', 'kube-controller-manager', 'kubeconfig', file('kube-controller-manager', 'kubeconfig')],
      ['Deployment', 'kube-controller-manager', 'authentication-kubeconfig', file('kube-controller-manager', 'kubeconfig')],
      ['Deployment', 'kube-controller-manager', 'authorization-kubeconfig', file('kube-controller-manager', 'kubeconfig')],
      ['Deployment', 'kube-controller-manager', 'cluster-signing-kubelet-client-cert-file', file('ca-client', 'ca-current.crt')],
      ['Deployment', 'kube-controller-manager', 'cluster-signing-kubelet-client-key-file', file('ca-client', 'ca.key')],
      ['Deployment', 'kube-controller-manager', 'cluster-signing-kube-apiserver-client-cert-file', file('ca-client', 'ca-current.crt')],
      ['Deployment', 'kube-controller-manager', 'cluster-signing-kube-apiserver-client-key-file', file('ca-client', 'ca.key')],
      ['Deployment', 'kube-controller-manager', 'cluster-signing-kubelet-serving-cert-file', file('ca-kubelet', 'ca-current.crt')],
      ['Deployment', 'kube-controller-manager', 'cluster-signing-kubelet-serving-key-file', file('ca-kubelet', 'ca.key')],
      ['Deployment', 'kube-controller-manager', 'service-account-private-key-file', file('service-account-key', 'sa.key')],
      ['Deployment', 'kube-controller-manager', 'root-ca-file', file('ca', 'ca.crt')],
      ['Deployment', 'kube-scheduler', 'kubeconfig', file('kube-scheduler', 'kubeconfig')],
      ['Deployment', 'kube-scheduler', 'authentication-kubeconfig', file('kube-scheduler', 'kubeconfig')],
      ['Deployment', 'kube-scheduler', 'authorization-kubeconfig', file('kube-scheduler', 'kubeconfig')],
    ];
    const objects = renderControlPlane(awsValues());
    for (const [kind, name, flag, value] of expected) {
      it(`${name} --${flag}`, () => assert.equal(flagValue(containerOf(objects, kind, name).args, flag), value));
    }

    it('kube-apiserver mounts no CA private key; the controller manager only those it signs with', () => {
      const keysOf = (name: string) =>
        (find<Workload>(objects, 'Deployment', name).spec.template.spec.volumes ?? [])
          .filter((v) => v.secret !== undefined)
          .flatMap((v) => (v.secret?.items ?? []).map((i) => `${v.secret?.secretName}/${i.key}`));
      assert.deepEqual(keysOf('kube-apiserver').filter((k) => k.endsWith('/ca.key')), []);
      assert.deepEqual(keysOf('kube-controller-manager').filter((k) => k.endsWith('/ca.key')).sort(), ['ca-client/ca.key', 'ca-kubelet/ca.key']);
    });
  });

  describe('a local shoot', () => {
    const v = localValues();
    const objects = renderControlPlane(v);

    it('runs every pod on the host network, listening on the allocated loopback ports', () => {
      const expectedPorts: Record<string, number[]> = {
        'etcd-main': [LOCAL_PORTS.etcdClient, LOCAL_PORTS.etcdPeer, LOCAL_PORTS.etcdMetrics],
        'kube-apiserver': [LOCAL_PORTS.kubeApiserver],
        'kube-controller-manager': [LOCAL_PORTS.kubeControllerManager],
        'kube-scheduler': [LOCAL_PORTS.kubeScheduler],
      };
      const ws = workloads(objects);
      assert.deepEqual(ws.map((w) => w.metadata.name).sort(), Object.keys(expectedPorts).sort());
      for (const w of ws) {
        assert.equal(w.spec.template.spec.hostNetwork, true, w.metadata.name);
        const c = w.spec.template.spec.containers[0];
        assert.deepEqual(c?.ports?.map((p) => p.containerPort), expectedPorts[w.metadata.name]);
        for (const arg of c?.args ?? []) assert.doesNotMatch(arg, /0\.0\.0\.0/, `${w.metadata.name}: ${arg}`);
      }
    });

    it('puts the ports and loopback addresses in the arguments', () => {
      const etcd = containerOf(objects, 'StatefulSet', 'etcd-main').args;
      assert.equal(flagValue(etcd, 'listen-client-urls'), `https://127.0.0.1:${LOCAL_PORTS.etcdClient}`);
      assert.equal(flagValue(etcd, 'advertise-client-urls'), `https://127.0.0.1:${LOCAL_PORTS.etcdClient}`);
      assert.equal(flagValue(etcd, 'listen-peer-urls'), `https://127.0.0.1:${LOCAL_PORTS.etcdPeer}`);
      assert.equal(flagValue(etcd, 'initial-cluster'), `$(POD_NAME)=https://127.0.0.1:${LOCAL_PORTS.etcdPeer}`);
      assert.equal(flagValue(etcd, 'listen-metrics-urls'), `http://127.0.0.1:${LOCAL_PORTS.etcdMetrics}`);
      const api = containerOf(objects, 'Deployment', 'kube-apiserver').args;
      assert.equal(flagValue(api, 'etcd-servers'), `https://127.0.0.1:${LOCAL_PORTS.etcdClient}`);
      assert.equal(flagValue(api, 'secure-port'), String(LOCAL_PORTS.kubeApiserver));
      assert.equal(flagValue(api, 'bind-address'), '127.0.0.1');
      assert.equal(flagValue(api, 'advertise-address'), '127.0.0.1');
      assert.equal(flagValue(api, 'endpoint-reconciler-type'), 'none');
      assert.equal(flagValue(api, 'service-account-issuer'), `https://127.0.0.1:${LOCAL_PORTS.kubeApiserver}`);
      const kcm = containerOf(objects, 'Deployment', 'kube-controller-manager').args;
      assert.equal(flagValue(kcm, 'secure-port'), String(LOCAL_PORTS.kubeControllerManager));
      assert.equal(flagValue(kcm, 'bind-address'), '127.0.0.1');
      const sched = containerOf(objects, 'Deployment', 'kube-scheduler').args;
      assert.equal(flagValue(sched, 'secure-port'), String(LOCAL_PORTS.kubeScheduler));
    });

    it('has no Services (nothing listens behind them) and no VPN server', () => {
      assert.deepEqual(objects.filter((o) => o.kind === 'Service'), []);
      assert.equal(objects.some((o) => o.metadata.labels?.[LABEL_ROLE] === 'vpn-seed-server'), false);
      assert.deepEqual(controlPlaneComponents(v).map((c) => c.name), ['etcd-main', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    });

    it('replaces pods rather than surging, since a second one could not bind the same port', () => {
      for (const w of workloads(objects).filter((o) => o.kind === 'Deployment')) {
        assert.deepEqual((w.spec as unknown as { strategy: unknown }).strategy, { type: 'Recreate' }, w.metadata.name);
      }
    });

    it('uses images the local runtime maps to its binaries', () => {
      assert.equal(containerOf(objects, 'StatefulSet', 'etcd-main').image, 'registry.k8s.io/etcd:3.6.16-0');
      assert.equal(containerOf(objects, 'Deployment', 'kube-apiserver').image, 'registry.k8s.io/kube-apiserver:v1.37.2');
      for (const w of workloads(objects)) {
        const c = w.spec.template.spec.containers[0];
        assert.equal(c?.command?.[0], c?.image.split('/').pop()?.split(':')[0], `${w.metadata.name} runs its image's program`);
      }
    });
  });

  describe('an AWS shoot', () => {
    const v = awsValues();
    const objects = renderControlPlane(v);

    it('exposes kube-apiserver through a LoadBalancer Service on 443', () => {
      const svc = find<Service>(objects, 'Service', 'kube-apiserver');
      assert.equal(svc.spec.type, 'LoadBalancer');
      assert.deepEqual(svc.spec.ports.map((p) => [p.port, p.targetPort]), [[443, 'https']]);
    });

    it('gives etcd a ClusterIP client Service and a headless peer Service', () => {
      assert.equal(find<Service>(objects, 'Service', 'etcd-main-client').spec.type, 'ClusterIP');
      assert.equal(find<Service>(objects, 'Service', 'etcd-main-client').spec.clusterIP, undefined);
      assert.equal(find<Service>(objects, 'Service', 'etcd-main-peer').spec.clusterIP, 'None');
      assert.equal(find<Workload>(objects, 'StatefulSet', 'etcd-main').spec.serviceName, 'etcd-main-peer');
    });

    it('uses pod networking, etcd over its client Service, and listens on all addresses', () => {
      for (const w of workloads(objects)) assert.equal(w.spec.template.spec.hostNetwork, undefined, w.metadata.name);
      const etcd = containerOf(objects, 'StatefulSet', 'etcd-main').args;
      assert.equal(flagValue(etcd, 'listen-client-urls'), 'https://0.0.0.0:2379');
      assert.equal(flagValue(etcd, 'advertise-client-urls'), 'https://etcd-main-client.shoot--dev--demo.svc:2379');
      assert.equal(flagValue(etcd, 'initial-advertise-peer-urls'), 'https://$(POD_NAME).etcd-main-peer.shoot--dev--demo.svc:2380');
      assert.equal(flagValue(etcd, 'listen-metrics-urls'), 'http://0.0.0.0:2381');
      const api = containerOf(objects, 'Deployment', 'kube-apiserver').args;
      assert.equal(flagValue(api, 'etcd-servers'), 'https://etcd-main-client.shoot--dev--demo.svc:2379');
      assert.equal(flagValue(api, 'bind-address'), '0.0.0.0');
      assert.equal(flagValue(api, 'secure-port'), '443');
      assert.equal(flagValue(api, 'service-account-issuer'), 'https://api.demo.dev.example.com');
    });

    it('turns the endpoint reconciler off for a host-name endpoint and advertises an IP endpoint', () => {
      const api = containerOf(objects, 'Deployment', 'kube-apiserver').args;
      assert.equal(flagValue(api, 'endpoint-reconciler-type'), 'none');
      assert.equal(flagValue(api, 'advertise-address'), undefined);
      const ip = containerOf(renderControlPlane(awsValues({ endpoint: { host: '203.0.113.10', port: 443 } })), 'Deployment', 'kube-apiserver').args;
      assert.equal(flagValue(ip, 'advertise-address'), '203.0.113.10');
      assert.equal(flagValue(ip, 'endpoint-reconciler-type'), undefined);
    });

    it('deploys the VPN server behind its own LoadBalancer, routing the shoot networks to the shoot client only', () => {
      assert.deepEqual(controlPlaneComponents(v).map((c) => c.name), ['etcd-main', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'vpn-seed-server']);
      assert.equal(find<Service>(objects, 'Service', 'vpn-seed-server').spec.type, 'LoadBalancer');
      const config = find<KubeObjectWithData>(objects, 'ConfigMap', 'vpn-seed-server-config').data;
      const server = config['openvpn.conf'] ?? '';
      assert.match(server, /^route 10\.250\.0\.0 255\.255\.0\.0$/m);
      assert.match(server, /^route 100\.96\.0\.0 255\.224\.0\.0$/m);
      assert.match(server, /^route 100\.64\.0\.0 255\.248\.0\.0$/m);
      assert.match(server, /^ccd-exclusive$/m);
      assert.match(config['client-vpn-shoot-client'] ?? '', /^iroute 100\.96\.0\.0 255\.224\.0\.0$/m);
      const vpn = find<Workload>(objects, 'Deployment', 'vpn-seed-server');
      assert.ok(vpn.spec.template.metadata.annotations?.['checksum/configmap-vpn-seed-server-config']);
    });

    it('has PodDisruptionBudgets for etcd and kube-apiserver', () => {
      const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
      assert.deepEqual(pdbs.map((p) => p.metadata.name).sort(), ['etcd-main', 'kube-apiserver']);
      for (const p of pdbs) assert.deepEqual((p as unknown as KubeObjectWithSpec).spec, { maxUnavailable: 1, selector: { matchLabels: { [LABEL_ROLE]: p.metadata.name } } });
    });

    it('keeps single controllers single: no leader election, never two pods at once', () => {
      for (const name of ['kube-controller-manager', 'kube-scheduler']) {
        assert.equal(flagValue(containerOf(objects, 'Deployment', name).args, 'leader-elect'), 'false');
        assert.deepEqual((find<Workload>(objects, 'Deployment', name).spec as unknown as { strategy: unknown }).strategy, { type: 'Recreate' });
      }
      const ha = renderControlPlane(awsValues({ replicas: 2 }));
      assert.equal(flagValue(containerOf(ha, 'Deployment', 'kube-scheduler').args, 'leader-elect'), 'true');
      assert.equal(find<Workload>(ha, 'StatefulSet', 'etcd-main').spec.replicas, 1, 'etcd stays a single member');
    });
  });

  describe('etcd', () => {
    const objects = renderControlPlane(awsValues());
    const sts = find<Workload>(objects, 'StatefulSet', 'etcd-main');
    const args = containerOf(objects, 'StatefulSet', 'etcd-main').args;

    it('keeps its data on a 10Gi claim template, one directory below the mount', () => {
      assert.deepEqual(sts.spec.volumeClaimTemplates?.map((t) => [t.metadata.name, t.spec.resources.requests.storage]), [['etcd-data', '10Gi']]);
      assert.ok(containerOf(objects, 'StatefulSet', 'etcd-main').volumeMounts?.some((m) => m.name === 'etcd-data' && m.mountPath === '/var/etcd/data'));
      assert.equal(flagValue(args, 'data-dir'), '/var/etcd/data/new.etcd');
    });

    it('runs with the production settings', () => {
      assert.equal(flagValue(args, 'quota-backend-bytes'), String(8 * 1024 ** 3));
      assert.equal(flagValue(args, 'auto-compaction-mode'), 'periodic');
      assert.equal(flagValue(args, 'auto-compaction-retention'), '30m');
      assert.equal(flagValue(args, 'snapshot-count'), '10000');
      assert.equal(flagValue(args, 'client-cert-auth'), 'true');
      assert.equal(flagValue(args, 'peer-client-cert-auth'), 'true');
    });

    it('is probed on its plain metrics listener, since the client port wants a certificate', () => {
      const c = containerOf(objects, 'StatefulSet', 'etcd-main');
      assert.deepEqual(c.readinessProbe?.httpGet, { path: '/health', port: 'metrics', scheme: 'HTTP' });
      assert.equal(c.ports?.find((p) => p.name === 'metrics')?.containerPort, 2381);
    });

    it('deletes its claim on destroy along with the rendered objects', async () => {
      const deleted: string[] = [];
      const client = { delete: async (ref: { kind: string; name: string }) => (deleted.push(`${ref.kind}/${ref.name}`), true) } as never;
      await etcdComponent().destroy(client, awsValues());
      assert.ok(deleted.includes('PersistentVolumeClaim/etcd-data-etcd-main-0'));
      assert.ok(deleted.includes('StatefulSet/etcd-main'));
    });
  });

  describe('kube-apiserver', () => {
    const objects = renderControlPlane(awsValues());
    const args = containerOf(objects, 'Deployment', 'kube-apiserver').args;

    it('authorizes with Node and RBAC, admits with NodeRestriction, and hides profiling', () => {
      assert.equal(flagValue(args, 'authorization-mode'), 'Node,RBAC');
      assert.ok(flagValue(args, 'enable-admission-plugins')?.split(',').includes('NodeRestriction'));
      assert.deepEqual(flagValue(args, 'enable-admission-plugins')?.split(','), [...ADMISSION_PLUGINS]);
      assert.equal(flagValue(args, 'profiling'), 'false');
      assert.equal(flagValue(args, 'allow-privileged'), 'true');
      assert.equal(flagValue(args, 'service-cluster-ip-range'), NETWORKS.services);
      assert.equal(flagValue(args, 'requestheader-allowed-names'), FRONT_PROXY_CLIENT_NAME);
      assert.equal(flagValue(args, 'api-audiences'), 'https://api.demo.dev.example.com,kubernetes');
    });

    it('audits by a policy from its ConfigMap into a rotated log', () => {
      const cm = find<KubeObjectWithData>(objects, 'ConfigMap', 'kube-apiserver-audit-policy');
      const policy = parse(cm.data['audit-policy.yaml'] ?? '') as { apiVersion: string; kind: string; rules: Array<{ level: string; resources?: Array<{ resources: string[] }> }> };
      assert.equal(policy.kind, 'Policy');
      assert.equal(policy.apiVersion, 'audit.k8s.io/v1');
      const secretsRule = policy.rules.find((r) => r.resources?.some((g) => g.resources.includes('secrets')));
      assert.equal(secretsRule?.level, 'Metadata', 'Secret bodies never reach the audit log');
      assert.equal(flagValue(args, 'audit-policy-file'), '/etc/kubernetes/audit/audit-policy.yaml');
      assert.equal(flagValue(args, 'audit-log-path'), '/var/log/kube-apiserver/audit.log');
      for (const f of ['audit-log-maxage', 'audit-log-maxbackup', 'audit-log-maxsize']) assert.match(flagValue(args, f) ?? '', /^\d+$/, f);
    });

    it('rolls when the audit policy changes', () => {
      const before = find<Workload>(objects, 'Deployment', 'kube-apiserver');
      const custom = renderControlPlane(awsValues({ auditPolicy: { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'None' }] } }));
      const after = find<Workload>(custom, 'Deployment', 'kube-apiserver');
      assert.deepEqual(differences(before, after), ['spec.template.metadata.annotations.checksum/configmap-kube-apiserver-audit-policy']);
    });

    it('is probed on /readyz and /livez over HTTPS', () => {
      const c = containerOf(objects, 'Deployment', 'kube-apiserver');
      assert.deepEqual(c.readinessProbe?.httpGet, { path: '/readyz', port: 'https', scheme: 'HTTPS' });
    });
  });

  describe('repeatability', () => {
    for (const [provider, values] of CASES) {
      it(`renders byte-identical manifests from equal values (${provider})`, () => {
        assert.equal(JSON.stringify(renderControlPlane(values())), JSON.stringify(renderControlPlane(values())));
      });
    }

    it('changes only the pod-template annotation of the pods that mount a Secret whose checksum changed', () => {
      const v = awsValues();
      const before = renderControlPlane(v);
      const after = renderControlPlane({ ...v, checksums: { ...v.checksums, 'etcd-server': 'another-sum' } });
      const index = before.findIndex((o) => o.kind === 'StatefulSet');
      assert.deepEqual(differences(before, after), [`${index}.spec.template.metadata.annotations.${CHECKSUM_ANNOTATION_PREFIX}secret-etcd-server`]);
    });

    it('leaves every pod alone when a Secret no pod mounts changes', () => {
      const v = awsValues();
      const after = renderControlPlane({ ...v, checksums: { ...v.checksums, 'kube-proxy': 'x', 'bootstrap-token': 'y' } });
      assert.deepEqual(differences(renderControlPlane(v), after), []);
    });
  });

  describe('hibernation', () => {
    for (const [provider, values] of CASES) {
      it(`scales every workload to 0 and keeps etcd's claim template (${provider})`, () => {
        const objects = renderControlPlane(values({ hibernated: true }));
        for (const w of workloads(objects)) assert.equal(w.spec.replicas, 0, `${w.kind} ${w.metadata.name}`);
        const etcd = find<Workload>(objects, 'StatefulSet', 'etcd-main');
        assert.deepEqual(etcd.spec.volumeClaimTemplates?.map((t) => t.metadata.name), ['etcd-data']);
        assert.deepEqual(etcd.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
        const awake = renderControlPlane(values());
        assert.deepEqual(
          differences(awake, objects).filter((p) => !p.endsWith('.spec.replicas')),
          [],
          'hibernation changes replicas and nothing else',
        );
      });
    }
  });

  describe('seed-wide objects', () => {
    it('has one PriorityClass for every shoot control plane, labelled as kubegarden’s', () => {
      const [pc, ...rest] = priorityClasses() as Array<KubeObjectWithValue>;
      assert.equal(rest.length, 0);
      assert.equal(pc?.metadata.name, PRIORITY_CLASS_NAME);
      assert.equal(pc?.value, PRIORITY_CLASS_VALUE);
      assert.ok((pc?.value ?? Infinity) <= 1_000_000_000, 'user-defined classes stay at or below one billion');
      assert.equal(pc?.metadata.labels?.[LABEL_MANAGED_BY], 'kubegarden');
      assert.equal(pc?.metadata.namespace, undefined);
    });
  });
});

interface KubeObjectWithData {
  kind: string;
  metadata: { name: string };
  apiVersion: string;
  data: Record<string, string>;
  [k: string]: unknown;
}
interface KubeObjectWithSpec {
  spec: unknown;
}
interface KubeObjectWithValue {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  value: number;
  [k: string]: unknown;
}

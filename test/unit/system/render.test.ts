import { strict as assert } from 'node:assert';
import { parse } from 'yaml';
import type { KubeObject } from '../../../src/lib/kube/client.ts';
import * as bootstrap from '../../../src/lib/system/bootstrap.ts';
import * as coredns from '../../../src/lib/system/coredns.ts';
import { renderSystem } from '../../../src/lib/system/index.ts';
import * as kubeProxy from '../../../src/lib/system/kube-proxy.ts';
import { defaultSystemImages, LABEL_COMPONENT } from '../../../src/lib/system/values.ts';
import * as vpnShoot from '../../../src/lib/system/vpn-shoot.ts';
import { isKubegardenError } from '../../../src/lib/ui/errors.ts';
import { CA, values } from './fixtures.ts';

const find = (objects: KubeObject[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} is rendered`);
  return o as KubeObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const all = (v = values({ addons: { metricsServer: true, dashboard: true } })) => renderSystem(v).flatMap((c) => c.objects);

const VPN = { endpoint: { host: 'vpn.seed.example.com', port: 8132 }, caPem: CA, certPem: 'CERT', keyPem: 'KEY', tlsAuthKey: 'TLSAUTH' };

describe('system components: rendering', () => {
  describe('every render', () => {
    it('is pure: same values, same manifests, and the values are left as they were', () => {
      const v = values({ addons: { metricsServer: true, dashboard: true }, vpn: true, vpnClient: VPN });
      const snapshot = structuredClone(v);
      assert.deepEqual(renderSystem(v), renderSystem(v));
      assert.deepEqual(v, snapshot);
    });

    it('labels every object with the shoot, the project, the component and managed-by', () => {
      for (const { component, objects } of renderSystem(values({ addons: { metricsServer: true, dashboard: true }, vpn: true, vpnClient: VPN }))) {
        assert.ok(objects.length > 0, component);
        for (const o of objects) {
          const labels = o.metadata.labels ?? {};
          assert.equal(labels['app.kubernetes.io/managed-by'], 'kubegarden', `${o.kind} ${o.metadata.name}`);
          assert.equal(labels['kubegarden.io/shoot'], 'demo');
          assert.equal(labels['kubegarden.io/project'], 'dev');
          assert.equal(labels[LABEL_COMPONENT], component);
        }
      }
    });

    it('names each object once', () => {
      const keys = all(values({ addons: { metricsServer: true, dashboard: true }, vpn: true, vpnClient: VPN })).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      assert.equal(new Set(keys).size, keys.length);
    });

    it('uses images for the shoot version', () => {
      assert.equal(defaultSystemImages('1.36.4').kubeProxy, 'registry.k8s.io/kube-proxy:v1.36.4');
      const ds = find(kubeProxy.render(values()), 'DaemonSet', 'kube-proxy');
      assert.equal(ds.spec.template.spec.containers[0].image, 'registry.k8s.io/kube-proxy:v1.37.2');
      assert.equal(values({ images: { coredns: 'mirror/coredns:x' } }).images.coredns, 'mirror/coredns:x');
      assert.throws(() => defaultSystemImages('v1.37'), isKubegardenError);
    });
  });

  describe('bootstrap', () => {
    const v = values();
    const objects = bootstrap.render(v);

    it('copies the bootstrap token Secret into kube-system', () => {
      const secret = find(objects, 'Secret', `bootstrap-token-${v.bootstrapToken.id}`);
      assert.equal(secret.metadata.namespace, 'kube-system');
      assert.equal(secret.type, 'bootstrap.kubernetes.io/token');
      assert.equal(decode(secret.data['token-id']), v.bootstrapToken.id);
      assert.equal(decode(secret.data['token-secret']), v.bootstrapToken.secret);
      assert.equal(decode(secret.data['usage-bootstrap-authentication']), 'true');
      assert.equal(decode(secret.data['usage-bootstrap-signing']), 'true');
      assert.match(decode(secret.data['auth-extra-groups']), /^system:bootstrappers:kubegarden/);
      assert.equal(decode(secret.data['expiration']), '2030-01-08T00:00:00Z');
    });

    it('publishes cluster-info in kube-public with the server and the CA, and no credentials', () => {
      const cm = find(objects, 'ConfigMap', 'cluster-info');
      assert.equal(cm.metadata.namespace, 'kube-public');
      const kc = parse(cm.data.kubeconfig);
      assert.equal(kc.clusters[0].cluster.server, 'https://api.demo.example.com');
      assert.equal(decode(kc.clusters[0].cluster['certificate-authority-data']), CA);
      assert.deepEqual(kc.users, []);
    });

    it('lets bootstrappers request node client certificates, approved automatically, and nodes renew theirs', () => {
      const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding') as Array<KubeObject & { roleRef: { name: string }; subjects: Array<{ kind: string; name: string }> }>;
      const bound = Object.fromEntries(bindings.map((b) => [b.roleRef.name, b.subjects.map((s) => `${s.kind}:${s.name}`)]));
      assert.deepEqual(bound, {
        'system:node-bootstrapper': ['Group:system:bootstrappers'],
        'system:certificates.k8s.io:certificatesigningrequests:nodeclient': ['Group:system:bootstrappers'],
        'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient': ['Group:system:nodes'],
      });
    });
  });

  describe('kube-proxy', () => {
    const objects = kubeProxy.render(values());

    it('configures iptables mode with the pods range as cluster CIDR', () => {
      const config = parse(find(objects, 'ConfigMap', 'kube-proxy-config').data['config.conf']);
      assert.equal(config.kind, 'KubeProxyConfiguration');
      assert.equal(config.mode, 'iptables');
      assert.equal(config.clusterCIDR, '100.96.0.0/11');
      assert.equal(config.clientConnection.kubeconfig, '/var/lib/kube-proxy/kubeconfig');
    });

    it('keeps its kubeconfig (a private key) in a Secret, not a ConfigMap', () => {
      assert.equal(decode(find(objects, 'Secret', 'kube-proxy-kubeconfig').data.kubeconfig), values().kubeProxyKubeconfig);
      for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) assert.doesNotMatch(JSON.stringify(cm), /client-key-data/);
    });

    it('runs on every node: host network, privileged, tolerating every taint, bound to system:node-proxier', () => {
      const spec = find(objects, 'DaemonSet', 'kube-proxy').spec.template.spec;
      assert.equal(spec.hostNetwork, true);
      assert.equal(spec.containers[0].securityContext.privileged, true);
      assert.deepEqual(spec.tolerations, [{ operator: 'Exists' }]);
      assert.equal(find(objects, 'ClusterRoleBinding', 'kubegarden:node-proxier').roleRef.name, 'system:node-proxier');
    });
  });

  describe('CoreDNS', () => {
    it('puts the kube-dns Service at the tenth address of the services range', () => {
      assert.equal(find(coredns.render(values()), 'Service', 'kube-dns').spec.clusterIP, '100.64.0.10');
      const other = values({ networking: { pods: '10.244.0.0/16', services: '10.96.0.0/12', nodes: '10.0.0.0/16' } });
      assert.equal(find(coredns.render(other), 'Service', 'kube-dns').spec.clusterIP, '10.96.0.10');
      const ports = find(coredns.render(values()), 'Service', 'kube-dns').spec.ports.map((p: { port: number; protocol: string }) => `${p.port}/${p.protocol}`);
      assert.ok(ports.includes('53/UDP') && ports.includes('53/TCP'));
    });

    it('serves the cluster domain and forwards the rest to the node resolvers', () => {
      const corefile = find(coredns.render(values({ clusterDomain: 'garden.internal' })), 'ConfigMap', 'coredns').data.Corefile as string;
      assert.match(corefile, /kubernetes garden\.internal in-addr\.arpa ip6\.arpa \{/);
      for (const plugin of [/forward \. \/etc\/resolv\.conf/, /\n\s+cache 30\n/, /\n\s+health \{/, /\n\s+ready\n/]) assert.match(corefile, plugin);
    });

    it('refuses a cluster domain that would change the Corefile', () => {
      assert.throws(() => coredns.render(values({ clusterDomain: 'cluster.local {\n}\nevil' })), /is not a DNS name/);
    });

    it('runs two replicas apart, ready on /ready:8181', () => {
      const dep = find(coredns.render(values()), 'Deployment', 'coredns');
      assert.equal(dep.spec.replicas, 2);
      assert.ok(dep.spec.template.spec.affinity.podAntiAffinity);
      assert.deepEqual(dep.spec.template.spec.containers[0].readinessProbe.httpGet, { path: '/ready', port: 8181, scheme: 'HTTP' });
    });
  });

  describe('add-ons and the VPN client', () => {
    const componentsOf = (v: ReturnType<typeof values>) => Object.fromEntries(renderSystem(v).map((c) => [c.component, c.objects.length]));

    it('renders metrics-server and the dashboard only when enabled', () => {
      const off = componentsOf(values());
      assert.equal(off['metrics-server'], 0);
      assert.equal(off['dashboard'], 0);
      const on = all();
      find(on, 'APIService', 'v1beta1.metrics.k8s.io');
      find(on, 'ClusterRole', 'system:aggregated-metrics-reader');
      find(on, 'Deployment', 'metrics-server');
      find(on, 'Service', 'metrics-server');
      assert.equal(find(on, 'Deployment', 'kubernetes-dashboard').metadata.namespace, 'kubernetes-dashboard');
      find(on, 'Namespace', 'kubernetes-dashboard');
      const onlyMetrics = componentsOf(values({ addons: { metricsServer: true } }));
      assert.ok((onlyMetrics['metrics-server'] ?? 0) > 0);
      assert.equal(onlyMetrics['dashboard'], 0);
    });

    it('renders the VPN client only when vpn is true, and then needs its endpoint and credentials', () => {
      assert.equal(componentsOf(values())['vpn-shoot'], 0);
      assert.throws(() => vpnShoot.render(values({ vpn: true })), /needs a VPN client/);
      const objects = vpnShoot.render(values({ vpn: true, vpnClient: VPN }));
      const conf = decode(find(objects, 'Secret', 'vpn-shoot').data['client.conf']);
      assert.match(conf, /^remote vpn\.seed\.example\.com 8132$/m);
      find(objects, 'Deployment', 'vpn-shoot');
    });

    it('refuses a VPN endpoint that would add lines to the OpenVPN configuration', () => {
      assert.throws(() => vpnShoot.render(values({ vpn: true, vpnClient: { ...VPN, endpoint: { host: 'a.example.com 1\nscript-security 3', port: 1 } } })), /not a host name/);
      assert.throws(() => vpnShoot.render(values({ vpn: true, vpnClient: { ...VPN, endpoint: { host: 'a.example.com', port: 70000 } } })), /not a port number/);
    });
  });
});

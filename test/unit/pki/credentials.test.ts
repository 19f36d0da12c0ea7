import { strict as assert } from 'node:assert';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import forge from 'node-forge';
import { parse } from 'yaml';
import { CA_NAMES, CREDENTIAL_NAMES, LEAF_NAMES, leafSpecs, resolveParams } from '../../../src/lib/pki/catalog.ts';
import type { CAName, LeafName } from '../../../src/lib/pki/catalog.ts';
import { inspectCertificate, splitPem } from '../../../src/lib/pki/inspect.ts';
import type { InMemorySecretStore } from '../../../src/lib/pki/store.ts';
import type { ReconcileResult } from '../../../src/lib/pki/types.ts';
import { DAY_MS, NOW, PARAMS, YEAR_MS, baselineStore, opensslVerify, readKubeconfig } from './helpers.ts';

const NS = 'shoot--dev--demo';
const svc = (name: string): string[] => [name, `${name}.${NS}`, `${name}.${NS}.svc`, `${name}.${NS}.svc.cluster.local`];
const sorted = (xs: string[]): string[] => [...xs].sort();

interface Expectation {
  issuer: CAName;
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usages: ('client' | 'server')[];
}

/** What each consumer of a certificate checks: who signed it, whom it names, what it may do. */
const EXPECTED: Record<LeafName, Expectation> = {
  'etcd-server': {
    issuer: 'ca-etcd',
    commonName: 'etcd-main-server',
    dnsNames: [...svc('etcd-main-client'), `*.etcd-main-peer.${NS}.svc`, `*.etcd-main-peer.${NS}.svc.cluster.local`, 'localhost'],
    ipAddresses: ['127.0.0.1'],
    usages: ['client', 'server'],
  },
  'etcd-peer': {
    issuer: 'ca-etcd-peer',
    commonName: 'etcd-main-peer',
    dnsNames: [...svc('etcd-main-peer'), `*.etcd-main-peer.${NS}.svc`, `*.etcd-main-peer.${NS}.svc.cluster.local`, 'localhost'],
    ipAddresses: ['127.0.0.1'],
    usages: ['client', 'server'],
  },
  'etcd-client': { issuer: 'ca-etcd', commonName: 'kube-apiserver-etcd-client', usages: ['client'] },
  'kube-apiserver': {
    issuer: 'ca',
    commonName: 'kube-apiserver',
    dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...svc('kube-apiserver')],
    ipAddresses: ['100.64.0.1'],
    usages: ['server'],
  },
  'kube-apiserver-kubelet': { issuer: 'ca-client', commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usages: ['client'] },
  'kube-aggregator': { issuer: 'ca-front-proxy', commonName: 'system:kube-aggregator', usages: ['client'] },
  'kube-controller-manager': { issuer: 'ca-client', commonName: 'system:kube-controller-manager', usages: ['client'] },
  'kube-scheduler': { issuer: 'ca-client', commonName: 'system:kube-scheduler', usages: ['client'] },
  'kube-proxy': { issuer: 'ca-client', commonName: 'system:kube-proxy', usages: ['client'] },
  'vpn-server': { issuer: 'ca-vpn', commonName: 'vpn-seed-server', dnsNames: svc('vpn-seed-server'), usages: ['server'] },
  'vpn-client': { issuer: 'ca-vpn', commonName: 'vpn-shoot-client', usages: ['client'] },
};

/** Data keys of each Secret, as documented for the Kubernetes-backed store and the component manifests. */
const EXPECTED_KEYS: Record<string, string[]> = {
  ...Object.fromEntries(CA_NAMES.map((n) => [n, ['ca-current.crt', 'ca.crt', 'ca.key']])),
  ...Object.fromEntries(LEAF_NAMES.map((n) => [n, ['tls.crt', 'tls.key']])),
  'kube-controller-manager': ['kubeconfig', 'tls.crt', 'tls.key'],
  'kube-scheduler': ['kubeconfig', 'tls.crt', 'tls.key'],
  'service-account-key': ['bundle.pem', 'sa.key', 'sa.pub'],
  'encryption-config': ['encryption-configuration.yaml'],
  'bootstrap-token': ['auth-extra-groups', 'description', 'expiration', 'token-id', 'token-secret', 'usage-bootstrap-authentication', 'usage-bootstrap-signing'],
  'vpn-tlsauth': ['vpn.tlsauth'],
};

function keyUsageOf(pem: string): Record<string, unknown> {
  return forge.pki.certificateFromPem(pem).getExtension('keyUsage') as Record<string, unknown>;
}

describe('A shoot’s credentials generated from an empty store', () => {
  let store: InMemorySecretStore;
  let result: ReconcileResult;
  before(async () => {
    ({ store, result } = await baselineStore());
  });

  describe('the report', () => {
    it('lists every credential once, as created because it was missing', () => {
      assert.deepEqual(result.report.map((c) => c.name), CREDENTIAL_NAMES);
      for (const change of result.report) assert.deepEqual([change.action, change.reason], ['created', 'missing'], change.name);
    });
  });

  describe('the Secrets', () => {
    it('are one per credential, named after it, with the documented data keys', () => {
      assert.deepEqual(sorted([...store.secrets.keys()]), sorted([...CREDENTIAL_NAMES]));
      for (const [name, secret] of store.secrets) assert.deepEqual(Object.keys(secret.data).sort(), EXPECTED_KEYS[name], name);
    });

    it('are labelled as kubegarden’s, for this shoot, and with the credential they hold', () => {
      for (const [name, secret] of store.secrets) {
        assert.deepEqual(
          secret.labels,
          { 'app.kubernetes.io/managed-by': 'kubegarden', 'kubegarden.io/shoot': 'demo', 'kubegarden.io/credential': name },
          name,
        );
      }
    });

    it('hold what the returned credentials hold', () => {
      for (const name of CA_NAMES) {
        assert.equal(store.secrets.get(name)?.data['ca.crt'], result.credentials.cas[name].bundlePem);
        assert.equal(store.secrets.get(name)?.data['ca.key'], result.credentials.cas[name].keyPem);
      }
      for (const name of LEAF_NAMES) {
        assert.equal(store.secrets.get(name)?.data['tls.crt'], result.credentials.leaves[name].certPem);
        assert.equal(store.secrets.get(name)?.data['tls.key'], result.credentials.leaves[name].keyPem);
      }
    });
  });

  describe('the certificate authorities', () => {
    it('are seven distinct self-signed roots, valid for ten years', () => {
      const fingerprints = new Set<string>();
      for (const name of CA_NAMES) {
        const ca = result.credentials.cas[name];
        const x509 = new X509Certificate(ca.certPem);
        fingerprints.add(x509.fingerprint256);
        assert.equal(x509.ca, true, name);
        assert.ok(x509.checkIssued(x509) && x509.verify(x509.publicKey), `${name} is not self-signed`);
        assert.ok(opensslVerify(ca.certPem, ca.certPem).ok, name);
        assert.ok(x509.checkPrivateKey(createPrivateKey(ca.keyPem)), name);
        assert.equal(new Date(x509.validTo).getTime() - NOW.getTime(), 10 * YEAR_MS, name);
        assert.equal(keyUsageOf(ca.certPem)['keyCertSign'], true, name);
        assert.equal(ca.bundlePem, ca.certPem, `${name} bundle outside a rotation`);
        assert.equal(createPrivateKey(ca.keyPem).asymmetricKeyDetails?.modulusLength, 2048, name);
      }
      assert.equal(fingerprints.size, CA_NAMES.length);
    });
  });

  describe('every leaf certificate', () => {
    for (const name of LEAF_NAMES) {
      const want = EXPECTED[name];
      it(`${name} is signed by ${want.issuer} (Node and openssl agree) and by no other CA`, () => {
        const leaf = result.credentials.leaves[name];
        const x509 = new X509Certificate(leaf.certPem);
        for (const caName of CA_NAMES) {
          const ca = new X509Certificate(result.credentials.cas[caName].certPem);
          const signed = x509.checkIssued(ca) && x509.verify(ca.publicKey);
          assert.equal(signed, caName === want.issuer, `${name} against ${caName}`);
        }
        const purpose = want.usages.includes('server') ? 'sslserver' : 'sslclient';
        const verdict = opensslVerify(result.credentials.cas[want.issuer].certPem, leaf.certPem, { purpose });
        assert.ok(verdict.ok, verdict.output);
        assert.equal(opensslVerify(result.credentials.cas.ca.certPem, leaf.certPem).ok, want.issuer === 'ca');
        assert.ok(x509.checkPrivateKey(createPrivateKey(leaf.keyPem)));
        assert.equal(createPrivateKey(leaf.keyPem).asymmetricKeyDetails?.modulusLength, 2048);
      });

      it(`${name} names ${want.commonName} with the SANs and usages its peers check, for one year`, () => {
        const info = inspectCertificate(result.credentials.leaves[name].certPem);
        assert.equal(info.commonName, want.commonName);
        assert.deepEqual(info.organizations, want.organizations ?? []);
        assert.deepEqual(info.dnsNames, sorted(want.dnsNames ?? []));
        assert.deepEqual(info.ipAddresses, sorted(want.ipAddresses ?? []));
        assert.deepEqual(info.usages, want.usages);
        assert.equal(info.isCA, false);
        assert.equal(info.notAfter.getTime() - NOW.getTime(), YEAR_MS);
        const keyUsage = keyUsageOf(result.credentials.leaves[name].certPem);
        assert.equal(keyUsage['digitalSignature'], true);
        assert.equal(keyUsage['keyEncipherment'], true);
        assert.notEqual(keyUsage['keyCertSign'], true);
      });
    }

    it('includes the peer’s usage for etcd: openssl accepts etcd-peer and etcd-server both as server and as client', () => {
      for (const name of ['etcd-peer', 'etcd-server'] as const) {
        const leaf = result.credentials.leaves[name].certPem;
        const ca = result.credentials.cas[EXPECTED[name].issuer].certPem;
        assert.ok(opensslVerify(ca, leaf, { purpose: 'sslserver' }).ok, `${name} as server`);
        assert.ok(opensslVerify(ca, leaf, { purpose: 'sslclient' }).ok, `${name} as client`);
      }
    });

    it('client-only certificates are refused as servers, serving-only ones as clients', () => {
      const { leaves, cas } = result.credentials;
      assert.equal(opensslVerify(cas['ca-client'].certPem, leaves['kube-scheduler'].certPem, { purpose: 'sslserver' }).ok, false);
      assert.equal(opensslVerify(cas.ca.certPem, leaves['kube-apiserver'].certPem, { purpose: 'sslclient' }).ok, false);
    });
  });

  describe('key pairs', () => {
    it('are shared only by kube-apiserver’s client certificates, and by etcd’s two certificates; the serving key is its own', () => {
      const { leaves, cas } = result.credentials;
      const owners = new Map<string, string[]>();
      const all: [string, string][] = [...CA_NAMES.map((n): [string, string] => [n, cas[n].keyPem]), ...LEAF_NAMES.map((n): [string, string] => [n, leaves[n].keyPem])];
      for (const [name, key] of all) owners.set(key, [...(owners.get(key) ?? []), name]);
      const shared = [...owners.values()].filter((names) => names.length > 1).map((names) => names.sort());
      assert.deepEqual(shared.sort(), [
        ['etcd-client', 'kube-aggregator', 'kube-apiserver-kubelet'],
        ['etcd-peer', 'etcd-server'],
      ]);
    });
  });

  describe('the kubeconfigs of in-seed components', () => {
    for (const name of ['kube-controller-manager', 'kube-scheduler'] as const) {
      it(`${name} reaches the API server inside the seed, trusts the cluster CA and presents its own certificate`, () => {
        const leaf = result.credentials.leaves[name];
        assert.equal(store.secrets.get(name)?.data['kubeconfig'], leaf.kubeconfig);
        const view = readKubeconfig(leaf.kubeconfig ?? '');
        assert.equal(view.server, 'https://kube-apiserver');
        assert.equal(view.caPem, result.credentials.cas.ca.bundlePem);
        assert.equal(view.certPem, leaf.certPem);
        assert.equal(view.keyPem, leaf.keyPem);
        assert.ok(opensslVerify(view.caPem, result.credentials.leaves['kube-apiserver'].certPem, { purpose: 'sslserver' }).ok);
      });
    }

    it('kube-proxy has none until the external endpoint is known (it runs on the shoot’s nodes)', () => {
      assert.equal(result.credentials.leaves['kube-proxy'].kubeconfig, undefined);
      assert.equal(store.secrets.get('kube-proxy')?.data['kubeconfig'], undefined);
    });
  });

  describe('the service-account signing key', () => {
    it('is a 2048-bit RSA key whose public key is published, alone, in the bundle', () => {
      const sa = result.credentials.serviceAccount;
      const key = createPrivateKey(sa.privateKeyPem);
      assert.equal(key.asymmetricKeyType, 'rsa');
      assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
      const derived = createPublicKey(key).export({ type: 'spki', format: 'der' });
      assert.ok(createPublicKey(sa.publicKeyPem).export({ type: 'spki', format: 'der' }).equals(derived));
      const bundle = splitPem(sa.bundlePem);
      assert.equal(bundle.length, 1);
      assert.ok(createPublicKey(bundle[0] ?? '').export({ type: 'spki', format: 'der' }).equals(derived));
    });

    it('has no issuer until the external endpoint or an explicit issuer is known', () => {
      assert.equal(result.credentials.serviceAccount.issuer, undefined);
    });
  });

  describe('the encryption configuration', () => {
    it('encrypts Secrets with one random 32-byte AES-CBC key and still reads unencrypted ones', () => {
      const doc = parse(result.credentials.encryptionConfig) as {
        apiVersion: string;
        kind: string;
        resources: { resources: string[]; providers: { aescbc?: { keys: { name: string; secret: string }[] }; identity?: object }[] }[];
      };
      assert.equal(doc.apiVersion, 'apiserver.config.k8s.io/v1');
      assert.equal(doc.kind, 'EncryptionConfiguration');
      assert.equal(doc.resources.length, 1);
      assert.deepEqual(doc.resources[0]?.resources, ['secrets']);
      const [first, second, ...rest] = doc.resources[0]?.providers ?? [];
      assert.equal(first?.aescbc?.keys.length, 1);
      assert.equal(Buffer.from(first?.aescbc?.keys[0]?.secret ?? '', 'base64').length, 32);
      assert.match(first?.aescbc?.keys[0]?.name ?? '', /^key\d+$/);
      assert.deepEqual(second, { identity: {} });
      assert.deepEqual(rest, []);
    });
  });

  describe('the kubelet bootstrap token', () => {
    it('has the [a-z0-9]{6}.[a-z0-9]{16} form and expires in seven days', () => {
      const token = result.credentials.bootstrapToken;
      assert.match(token.token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      assert.equal(token.token, `${token.id}.${token.secret}`);
      assert.equal(token.expiration.getTime() - NOW.getTime(), 7 * DAY_MS);
    });

    it('comes with the shoot-side bootstrap.kubernetes.io/token Secret to create', () => {
      const token = result.credentials.bootstrapToken;
      assert.equal(token.shootSecret.namespace, 'kube-system');
      assert.equal(token.shootSecret.name, `bootstrap-token-${token.id}`);
      assert.equal(token.shootSecret.type, 'bootstrap.kubernetes.io/token');
      const data = token.shootSecret.stringData;
      assert.equal(data['token-id'], token.id);
      assert.equal(data['token-secret'], token.secret);
      assert.equal(data['expiration'], '2026-03-08T12:00:00Z');
      assert.equal(data['usage-bootstrap-authentication'], 'true');
      assert.equal(data['usage-bootstrap-signing'], 'true');
      // The API server only accepts extra groups of this form.
      assert.match(data['auth-extra-groups'] ?? '', /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/);
      assert.deepEqual(store.secrets.get('bootstrap-token')?.data, data);
    });
  });

  describe('the VPN tls-auth key', () => {
    it('is a 2048-bit OpenVPN static key in its V1 file format', () => {
      const lines = result.credentials.vpnTLSAuthKey.trimEnd().split('\n');
      const begin = lines.indexOf('-----BEGIN OpenVPN Static key V1-----');
      const end = lines.indexOf('-----END OpenVPN Static key V1-----');
      assert.ok(begin >= 0 && end === lines.length - 1, 'BEGIN and END markers');
      const body = lines.slice(begin + 1, end);
      assert.equal(body.length, 16);
      for (const line of body) assert.match(line, /^[0-9a-f]{32}$/);
      assert.equal(Buffer.from(body.join(''), 'hex').length, 256);
      for (const line of lines.slice(0, begin)) assert.match(line, /^#/);
    });
  });

  describe('parameters', () => {
    it('are echoed in the names the certificates carry (a different namespace and services range)', () => {
      // The same spec for other inputs, so the SANs are proven to come from the parameters.
      const specs = leafSpecs(resolveParams({ ...PARAMS, namespace: 'shoot--p--x', servicesCIDR: '10.96.0.0/12', clusterDomain: 'shoot.local' }));
      const apiserver = specs.find((s) => s.name === 'kube-apiserver');
      assert.ok(apiserver?.dnsNames.includes('kubernetes.default.svc.shoot.local'));
      assert.ok(apiserver?.dnsNames.includes('kube-apiserver.shoot--p--x.svc.cluster.local'));
      assert.deepEqual(apiserver?.ipAddresses, ['10.96.0.1']);
    });
  });
});

// The VPN client in the shoot: it dials the VPN server in the seed so that the
// shoot's control plane (which lives in the seed) can reach pods, Services and
// kubelets behind the shoot's network (logs, exec, port-forward, webhooks).
// Only on real providers: a local shoot's nodes are simulated and its control
// plane already runs on the same machine.
//
// The container runs `openvpn --config /etc/openvpn/client.conf`; the
// configuration and the credentials (ca-vpn, vpn-client, vpn-tlsauth) are one Secret.
import type { KubeObject } from '../kube/client.ts';
import { invalid } from '../ui/errors.ts';
import { manifestComponent, type ComponentClient, type ComponentOptions, type SystemComponent } from './component.ts';
import { componentLabels, type SystemValues, type VpnClientValues } from './values.ts';

export const NAME = 'vpn-shoot';
const NAMESPACE = 'kube-system';
const SELECTOR = { app: 'vpn-shoot' };
const CONFIG_DIR = '/etc/openvpn';

const HOST_RE = /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|\d{1,3}(\.\d{1,3}){3})$/i;

/** The OpenVPN client configuration. The endpoint is checked first: it is the only value in the text. */
export function openvpnClientConfig(endpoint: VpnClientValues['endpoint']): string {
  if (endpoint.host.length > 253 || !HOST_RE.test(endpoint.host)) throw invalid(`The VPN server address "${endpoint.host}" is not a host name or IPv4 address.`);
  if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535) throw invalid(`The VPN server port ${endpoint.port} is not a port number (1-65535).`);
  return [
    'client',
    'dev tun0',
    'proto tcp-client',
    `remote ${endpoint.host} ${endpoint.port}`,
    'resolv-retry infinite',
    'nobind',
    'persist-key',
    'persist-tun',
    `ca ${CONFIG_DIR}/secret/ca.crt`,
    `cert ${CONFIG_DIR}/secret/tls.crt`,
    `key ${CONFIG_DIR}/secret/tls.key`,
    `tls-auth ${CONFIG_DIR}/secret/vpn.tlsauth 1`,
    'remote-cert-tls server',
    'keepalive 10 60',
    'verb 3',
    '',
  ].join('\n');
}

/** Every object, whether or not the VPN is enabled (destroy needs them all); credentials are empty when absent. */
export function manifests(values: SystemValues): KubeObject[] {
  const labels = componentLabels(values, NAME);
  const podLabels = { ...labels, ...SELECTOR };
  const vpn = values.vpnClient;
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const data = vpn
    ? {
        'client.conf': b64(openvpnClientConfig(vpn.endpoint)),
        'ca.crt': b64(vpn.caPem),
        'tls.crt': b64(vpn.certPem),
        'tls.key': b64(vpn.keyPem),
        'vpn.tlsauth': b64(vpn.tlsAuthKey),
      }
    : {};
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'vpn-shoot', namespace: NAMESPACE, labels }, automountServiceAccountToken: false },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'vpn-shoot', namespace: NAMESPACE, labels }, type: 'Opaque', data },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'vpn-shoot', namespace: NAMESPACE, labels: podLabels },
      spec: {
        replicas: 1,
        selector: { matchLabels: SELECTOR },
        // One tunnel at a time: the server accepts one client per shoot.
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels: podLabels },
          spec: {
            serviceAccountName: 'vpn-shoot',
            automountServiceAccountToken: false,
            priorityClassName: 'system-cluster-critical',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
            containers: [
              {
                name: 'vpn-shoot',
                image: values.images.vpnClient,
                command: ['openvpn', '--config', `${CONFIG_DIR}/secret/client.conf`],
                // A tun device and routes: needs the host's /dev/net/tun and NET_ADMIN.
                securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } },
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                volumeMounts: [
                  { name: 'vpn-shoot', mountPath: `${CONFIG_DIR}/secret`, readOnly: true },
                  { name: 'dev-net-tun', mountPath: '/dev/net/tun' },
                ],
              },
            ],
            volumes: [
              { name: 'vpn-shoot', secret: { secretName: 'vpn-shoot', defaultMode: 0o400 } },
              { name: 'dev-net-tun', hostPath: { path: '/dev/net/tun', type: 'CharDevice' } },
            ],
          },
        },
      },
    },
  ];
}

/** The manifests to apply: none unless vpn is true; then the VPN client values are required. */
export function render(values: SystemValues): KubeObject[] {
  if (!values.vpn) return [];
  if (!values.vpnClient) throw invalid(`Shoot "${values.shoot}" needs a VPN client, but no VPN server endpoint and credentials were given.`);
  return manifests(values);
}

export function vpnShootComponent(client: ComponentClient, values: SystemValues, options: ComponentOptions = {}): SystemComponent {
  if (values.vpn) render(values); // validate up front: a missing endpoint is a bug in the caller, not a deploy failure
  return manifestComponent(client, { name: NAME, enabled: values.vpn, objects: manifests(values) }, options);
}

// The seed side of the shoot's VPN (cloud seeds only): an OpenVPN server the
// VPN client in the shoot dials through a LoadBalancer Service, so that the
// seed reaches the shoot's node, pod and service networks. Server and client
// authenticate each other with certificates of ca-vpn and the shared tls-auth
// key; only the client with the shoot client certificate's name is admitted.
import { parseCidr, overlaps } from '../api/cidr.ts';
import type { Networks } from '../api/types.ts';
import { DATA_KEYS, VPN_SERVER_SERVICE } from '../pki/catalog.ts';
import type { KubeObject } from '../kube/client.ts';
import { invalid } from '../ui/errors.ts';
import { defineComponent } from './component.ts';
import type { Component, ComponentOptions } from './component.ts';
import { checksumAnnotations, deployment, objectMeta, secretFile, secretVolumes, selectorLabels } from './meta.ts';
import type { SecretFiles } from './meta.ts';
import type { ControlPlaneValues } from './values.ts';

export const VPN_ROLE = 'vpn-seed-server';
export const VPN_DEPLOYMENT = 'vpn-seed-server';
export { VPN_SERVER_SERVICE };
export const VPN_CONFIGMAP = 'vpn-seed-server-config';
export const VPN_PORT = 1194;
/** Addresses inside the tunnel; must not overlap the shoot's networks. */
export const VPN_TUNNEL_NETWORK = '192.168.123.0/24';
/** The common name of the vpn-client certificate (pki catalog): the one client admitted. */
export const VPN_CLIENT_COMMON_NAME = 'vpn-shoot-client';
const CONFIG_DIR = '/etc/openvpn';
const CONFIG_KEY = 'openvpn.conf';
const CLIENT_CONFIG_KEY = 'client-vpn-shoot-client';

export const VPN_SECRETS: readonly SecretFiles[] = [
  { secret: 'vpn-server', keys: [DATA_KEYS.tlsCert, DATA_KEYS.tlsKey] },
  { secret: 'ca-vpn', keys: [DATA_KEYS.caCert] },
  { secret: 'vpn-tlsauth', keys: [DATA_KEYS.vpnTLSAuth] },
];

/** "10.250.0.0/16" → "10.250.0.0 255.255.0.0", OpenVPN's notation. */
export function networkAndMask(cidr: string): string {
  const parsed = parseCidr(cidr);
  if (parsed === undefined) throw invalid(`The network ${cidr} is not an IPv4 CIDR; the VPN server routes IPv4 networks only.`);
  const mask = parsed.prefix === 0 ? 0 : (0xffffffff << (32 - parsed.prefix)) >>> 0;
  const dotted = [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join('.');
  return `${cidr.slice(0, cidr.indexOf('/'))} ${dotted}`;
}

function shootNetworks(networking: Networks): string[] {
  return [networking.nodes, networking.pods, networking.services];
}

/** The server's configuration and the admitted client's, as ConfigMap data; one directive per line. */
export function vpnConfig(values: ControlPlaneValues): Record<string, string> {
  const tunnel = parseCidr(VPN_TUNNEL_NETWORK);
  for (const network of shootNetworks(values.networking)) {
    const parsed = parseCidr(network);
    if (tunnel !== undefined && parsed !== undefined && overlaps(tunnel, parsed)) {
      throw invalid(`The shoot network ${network} overlaps the VPN tunnel network ${VPN_TUNNEL_NETWORK}; choose other shoot networks.`);
    }
  }
  const lines = (directives: string[][]) => directives.map((d) => d.join(' ')).join('\n') + '\n';
  const server = lines([
    ['port', String(VPN_PORT)],
    ['proto', 'tcp-server'],
    ['dev', 'tun0'],
    ['topology', 'subnet'],
    ['server', networkAndMask(VPN_TUNNEL_NETWORK)],
    ['ca', secretFile('ca-vpn', DATA_KEYS.caCert)],
    ['cert', secretFile('vpn-server', DATA_KEYS.tlsCert)],
    ['key', secretFile('vpn-server', DATA_KEYS.tlsKey)],
    ['dh', 'none'],
    ['tls-auth', secretFile('vpn-tlsauth', DATA_KEYS.vpnTLSAuth), '0'],
    ['tls-version-min', '1.2'],
    ['data-ciphers', 'AES-256-GCM:AES-128-GCM'],
    ['auth', 'SHA256'],
    ['keepalive', '10', '60'],
    ['persist-key'],
    ['persist-tun'],
    // Only a client with a file here is admitted: the shoot's, by its certificate's name.
    ['client-config-dir', `${CONFIG_DIR}/ccd`],
    ['ccd-exclusive'],
    ...shootNetworks(values.networking).map((n) => ['route', networkAndMask(n)]),
    ['verb', '3'],
  ]);
  const client = lines(shootNetworks(values.networking).map((n) => ['iroute', networkAndMask(n)]));
  return { [CONFIG_KEY]: server, [CLIENT_CONFIG_KEY]: client };
}

export function render(values: ControlPlaneValues): KubeObject[] {
  if (!values.vpn) return [];
  const config = vpnConfig(values);
  const { volumes, mounts } = secretVolumes(VPN_SECRETS);
  const container = {
    name: 'openvpn',
    image: values.images.vpnSeedServer,
    command: ['openvpn'],
    args: ['--config', `${CONFIG_DIR}/${CONFIG_KEY}`],
    ports: [{ name: 'openvpn', containerPort: VPN_PORT, protocol: 'TCP' }],
    readinessProbe: { tcpSocket: { port: 'openvpn' }, periodSeconds: 10, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port: 'openvpn' }, initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3 },
    resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '256Mi' } },
    // A tun device and routes: NET_ADMIN, not a privileged container.
    securityContext: { capabilities: { add: ['NET_ADMIN'] } },
    volumeMounts: [...mounts, { name: 'config', mountPath: CONFIG_DIR, readOnly: true }, { name: 'dev-net-tun', mountPath: '/dev/net/tun' }],
  };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: objectMeta(values, VPN_ROLE, VPN_CONFIGMAP), data: config },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: objectMeta(values, VPN_ROLE, VPN_SERVER_SERVICE),
      spec: {
        type: 'LoadBalancer',
        selector: selectorLabels(VPN_ROLE),
        ports: [{ name: 'openvpn', port: VPN_PORT, targetPort: 'openvpn', protocol: 'TCP' }],
      },
    },
    deployment(values, {
      name: VPN_DEPLOYMENT,
      role: VPN_ROLE,
      replicas: values.replicas,
      recreate: false,
      containers: [container],
      volumes: [
        ...volumes,
        {
          name: 'config',
          configMap: {
            name: VPN_CONFIGMAP,
            items: [
              { key: CONFIG_KEY, path: CONFIG_KEY },
              { key: CLIENT_CONFIG_KEY, path: `ccd/${VPN_CLIENT_COMMON_NAME}` },
            ],
          },
        },
        { name: 'dev-net-tun', hostPath: { path: '/dev/net/tun', type: 'CharDevice' } },
      ],
      annotations: checksumAnnotations(values, VPN_SECRETS.map((s) => s.secret), { [VPN_CONFIGMAP]: config }),
    }),
  ];
}

export function vpnSeedServerComponent(options: ComponentOptions = {}): Component {
  return defineComponent({ name: 'vpn-seed-server', render }, options);
}

export const vpnSeedServer: Component = vpnSeedServerComponent();

// The credentials of one shoot as the rest of kubegarden consumes them, and
// the report of what a reconcile did to them.
import type { CAName, CredentialName, LeafName } from './catalog.ts';

export interface CAValue {
  /** The current CA certificate: it signs everything issued now. */
  certPem: string;
  keyPem: string;
  /** What to trust: the current CA, followed by the previous one while a rotation is prepared. */
  bundlePem: string;
  /** The previous CA, still trusted, while a rotation is prepared. */
  previousCertPem: string | undefined;
}

export interface LeafValue {
  certPem: string;
  keyPem: string;
  /** For kube-controller-manager, kube-scheduler and kube-proxy; undefined while its server is unknown. */
  kubeconfig?: string | undefined;
}

export interface ServiceAccountKeyValue {
  /** --service-account-signing-key-file */
  privateKeyPem: string;
  publicKeyPem: string;
  /** --service-account-key-file: the current public key, then any previous one still accepted. */
  bundlePem: string;
  /** --service-account-issuer; undefined until the external endpoint (or an explicit issuer) is known. */
  issuer: string | undefined;
}

export interface BootstrapTokenValue {
  id: string;
  secret: string;
  /** `<id>.<secret>`, what a kubelet's bootstrap kubeconfig carries. */
  token: string;
  expiration: Date;
  /** The Secret to create in the shoot so the API server accepts the token. */
  shootSecret: {
    namespace: 'kube-system';
    name: string;
    type: 'bootstrap.kubernetes.io/token';
    stringData: Record<string, string>;
  };
}

export interface ShootCredentials {
  cas: Record<CAName, CAValue>;
  leaves: Record<LeafName, LeafValue>;
  serviceAccount: ServiceAccountKeyValue;
  /** --encryption-provider-config file contents. */
  encryptionConfig: string;
  bootstrapToken: BootstrapTokenValue;
  /** OpenVPN static key for tls-auth, shared by the VPN server and client. */
  vpnTLSAuthKey: string;
}

/**
 * created: there was no Secret. renewed: new key material replaced old.
 * updated: same key material, derived data rewritten (a kubeconfig, a bundle, labels). kept: untouched.
 */
export type CredentialAction = 'created' | 'renewed' | 'updated' | 'kept';

export interface CredentialChange {
  name: CredentialName;
  action: CredentialAction;
  /** One phrase, safe to print: never contains key material. */
  reason: string;
}

export interface ReconcileResult {
  credentials: ShootCredentials;
  /** One entry per credential, in CREDENTIAL_NAMES order. */
  report: CredentialChange[];
}

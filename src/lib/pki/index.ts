// The shoot credentials API: what flows and commands import.
//
// One Secret per credential, named after it, in the shoot's seed namespace, labelled
// app.kubernetes.io/managed-by=kubegarden, kubegarden.io/shoot=<shoot>,
// kubegarden.io/credential=<Secret name>. Data values are UTF-8 text.
//
// | Secret                  | keys                                  | signed by      | consumer, flag                                                    |
// | ----------------------- | ------------------------------------- | -------------- | ----------------------------------------------------------------- |
// Every CA Secret also holds ca-current.crt: the signing CA alone, for signers that take exactly
// one certificate (kube-controller-manager's --cluster-signing-*-cert-file) while ca.crt is a bundle.
// | ca                      | ca.crt, ca.key (+ ca-previous.crt)    | self           | clients trusting kube-apiserver (kubeconfigs)                     |
// | ca-client               | ca.crt, ca.key (+ ca-previous.crt)    | self           | kube-apiserver --client-ca-file; kubelet --client-ca-file;        |
// |                         |                                       |                | KCM --cluster-signing-kube-apiserver-client-*/kubelet-client-*    |
// | ca-etcd                 | ca.crt, ca.key (+ ca-previous.crt)    | self           | etcd --trusted-ca-file; kube-apiserver --etcd-cafile              |
// | ca-etcd-peer            | ca.crt, ca.key (+ ca-previous.crt)    | self           | etcd --peer-trusted-ca-file                                       |
// | ca-front-proxy          | ca.crt, ca.key (+ ca-previous.crt)    | self           | kube-apiserver --requestheader-client-ca-file                     |
// | ca-kubelet              | ca.crt, ca.key (+ ca-previous.crt)    | self           | kube-apiserver --kubelet-certificate-authority;                   |
// |                         |                                       |                | KCM --cluster-signing-kubelet-serving-*                           |
// | ca-vpn                  | ca.crt, ca.key (+ ca-previous.crt)    | self           | VPN server and client (ca)                                        |
// | etcd-server             | tls.crt, tls.key                      | ca-etcd        | etcd --cert-file/--key-file                                       |
// | etcd-peer               | tls.crt, tls.key                      | ca-etcd-peer   | etcd --peer-cert-file/--peer-key-file                             |
// | etcd-client             | tls.crt, tls.key                      | ca-etcd        | kube-apiserver --etcd-certfile/--etcd-keyfile                     |
// | kube-apiserver          | tls.crt, tls.key                      | ca             | kube-apiserver --tls-cert-file/--tls-private-key-file             |
// | kube-apiserver-kubelet  | tls.crt, tls.key                      | ca-client      | kube-apiserver --kubelet-client-certificate/--kubelet-client-key  |
// | kube-aggregator         | tls.crt, tls.key                      | ca-front-proxy | kube-apiserver --proxy-client-cert-file/--proxy-client-key-file;  |
// |                         |                                       |                | --requestheader-allowed-names=system:kube-aggregator              |
// | kube-controller-manager | tls.crt, tls.key, kubeconfig          | ca-client      | KCM --kubeconfig (server: params.internalServer)                  |
// | kube-scheduler          | tls.crt, tls.key, kubeconfig          | ca-client      | scheduler --kubeconfig (server: params.internalServer)            |
// | kube-proxy              | tls.crt, tls.key (+ kubeconfig)       | ca-client      | kube-proxy --kubeconfig, once the external endpoint is known      |
// | vpn-server              | tls.crt, tls.key                      | ca-vpn         | VPN server (seed)                                                 |
// | vpn-client              | tls.crt, tls.key                      | ca-vpn         | VPN client (shoot)                                                |
// | service-account-key     | sa.key, sa.pub, bundle.pem            | –              | --service-account-signing-key-file=sa.key,                        |
// |                         |                                       |                | --service-account-key-file=bundle.pem (KCM: --service-account-    |
// |                         |                                       |                | private-key-file=sa.key)                                          |
// | encryption-config       | encryption-configuration.yaml         | –              | kube-apiserver --encryption-provider-config                       |
// | bootstrap-token         | token-id, token-secret, expiration,   | –              | copied verbatim into kube-system/bootstrap-token-<id> in the      |
// |                         | usage-bootstrap-*, auth-extra-groups, |                | shoot (type bootstrap.kubernetes.io/token); kubelets use          |
// |                         | description                           |                | `<token-id>.<token-secret>` in their bootstrap kubeconfig         |
// | vpn-tlsauth             | vpn.tlsauth                           | –              | OpenVPN tls-auth, server and client                               |
export * from './addresses.ts';
export * from './catalog.ts';
export * from './inspect.ts';
export * from './kubeconfig.ts';
export * from './material.ts';
export * from './primitives.ts';
export { reconcileCredentials, renewCredential } from './reconcile.ts';
export type { ReconcileOptions } from './reconcile.ts';
export * from './rotation.ts';
export * from './store.ts';
export type * from './types.ts';

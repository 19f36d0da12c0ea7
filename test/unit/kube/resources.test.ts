import { strict as assert } from 'node:assert';
import { collectionPath, knownResource, objectPath, resourceName, type ResourceInfo } from '../../../src/lib/kube/resources.ts';

function known(apiVersion: string, kind: string): ResourceInfo {
  const info = knownResource(apiVersion, kind);
  assert.ok(info, `${apiVersion}/${kind} should be known`);
  return info;
}

describe('REST paths', () => {
  describe('of a namespaced core kind', () => {
    const secrets = known('v1', 'Secret');

    it('live under /api/v1/namespaces/<ns>', () => {
      assert.equal(collectionPath(secrets, 'kubegarden-system'), '/api/v1/namespaces/kubegarden-system/secrets');
      assert.equal(objectPath(secrets, 'seed-local-kubeconfig', 'kubegarden-system'), '/api/v1/namespaces/kubegarden-system/secrets/seed-local-kubeconfig');
    });

    it('list across all namespaces without a namespace', () => {
      assert.equal(collectionPath(secrets), '/api/v1/secrets');
    });

    it('are named by their plural alone', () => {
      assert.equal(resourceName(secrets), 'secrets');
    });
  });

  describe('of a cluster-scoped core kind', () => {
    it('ignore a namespace', () => {
      const namespaces = known('v1', 'Namespace');
      assert.equal(objectPath(namespaces, 'garden-dev'), '/api/v1/namespaces/garden-dev');
      assert.equal(objectPath(namespaces, 'garden-dev', 'default'), '/api/v1/namespaces/garden-dev');
      assert.equal(collectionPath(known('v1', 'Node'), 'default'), '/api/v1/nodes');
    });
  });

  describe('of a namespaced kind in a group', () => {
    it('live under /apis/<group>/<version>/namespaces/<ns>', () => {
      assert.equal(objectPath(known('apps/v1', 'Deployment'), 'kube-apiserver', 'shoot--dev--demo'), '/apis/apps/v1/namespaces/shoot--dev--demo/deployments/kube-apiserver');
      assert.equal(objectPath(known('coordination.k8s.io/v1', 'Lease'), 'demo', 'garden-dev'), '/apis/coordination.k8s.io/v1/namespaces/garden-dev/leases/demo');
    });

    it('place Shoots in their project namespace, named shoots.kubegarden.io', () => {
      const shoots = known('kubegarden.io/v1alpha1', 'Shoot');
      assert.equal(objectPath(shoots, 'demo', 'garden-dev'), '/apis/kubegarden.io/v1alpha1/namespaces/garden-dev/shoots/demo');
      assert.equal(collectionPath(shoots), '/apis/kubegarden.io/v1alpha1/shoots');
      assert.equal(resourceName(shoots), 'shoots.kubegarden.io');
    });
  });

  describe('of a cluster-scoped kind in a group', () => {
    it('place Seeds, CRDs and ClusterRoles at the top of their group, whatever namespace is passed', () => {
      assert.equal(objectPath(known('kubegarden.io/v1alpha1', 'Seed'), 'local', 'garden-dev'), '/apis/kubegarden.io/v1alpha1/seeds/local');
      assert.equal(
        objectPath(known('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), 'shoots.kubegarden.io'),
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/shoots.kubegarden.io',
      );
      assert.equal(objectPath(known('rbac.authorization.k8s.io/v1', 'ClusterRole'), 'kubegarden-admin', 'x'), '/apis/rbac.authorization.k8s.io/v1/clusterroles/kubegarden-admin');
      assert.equal(resourceName(known('kubegarden.io/v1alpha1', 'Seed')), 'seeds.kubegarden.io');
    });
  });

  it('escape names and namespaces so they cannot change the path', () => {
    assert.equal(objectPath(known('v1', 'ConfigMap'), 'a/b c', 'ns?x'), '/api/v1/namespaces/ns%3Fx/configmaps/a%2Fb%20c');
  });

  it('are unknown for kinds that need discovery, or a wrong version', () => {
    assert.equal(knownResource('example.com/v1', 'Widget'), undefined);
    assert.equal(knownResource('apps/v1beta1', 'Deployment'), undefined);
    assert.equal(knownResource('v1', 'secret'), undefined);
  });
});

import { strict as assert } from 'node:assert';
import { parseInfraOutputs } from '../../../src/lib/infra/outputs.ts';

const OUTPUT = {
  network_id: { sensitive: false, type: 'string', value: 'vpc-1' },
  subnet_ids: { sensitive: false, type: ['object', {}], value: { 'eu-west-1a': 'subnet-a' } },
  security_group_id: { sensitive: false, type: 'string', value: 'sg-1' },
  scaling_groups: {
    sensitive: false,
    type: ['object', {}],
    value: {
      worker: { id: 'arn:x', name: 'shoot--dev--web-worker', minimum: 1, maximum: 2, zones: ['eu-west-1a'], machine_type: 'm6i.large', user_data_hash: 'ab12' },
    },
  },
};

describe('reading the infrastructure outputs', () => {
  it('turns terraform output -json into typed values', () => {
    assert.deepEqual(parseInfraOutputs(JSON.stringify(OUTPUT), 'shoot dev/web'), {
      networkId: 'vpc-1',
      subnetIds: { 'eu-west-1a': 'subnet-a' },
      securityGroupId: 'sg-1',
      scalingGroups: {
        worker: { id: 'arn:x', name: 'shoot--dev--web-worker', minimum: 1, maximum: 2, zones: ['eu-west-1a'], machineType: 'm6i.large', userDataHash: 'ab12' },
      },
    });
  });

  it('says when there is nothing applied', () => {
    assert.throws(() => parseInfraOutputs('{}', 'shoot dev/web'), { code: 'notFound', message: /has no Terraform outputs/ });
  });

  it('names what is wrong with outputs of another shape', () => {
    const broken = { ...OUTPUT, network_id: { value: 7 } };
    assert.throws(() => parseInfraOutputs(JSON.stringify(broken), 'shoot dev/web'), /network_id is not a string/);
  });
});

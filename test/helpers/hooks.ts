// Mocha root hooks: whatever a test started is stopped when the run ends.
import { stopAllTestClusters } from './testbed.ts';

export const mochaHooks = {
  async afterAll(this: unknown) {
    await stopAllTestClusters();
  },
};

import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configPath, loadConfig, loadTarget, saveConfig, setTarget, unsetTarget, upsertGarden } from '../../../src/lib/config/config.ts';
import { gardenSource, shootFromTarget } from '../../../src/lib/config/resolve.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';

describe('the kubegarden config file', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kg-config-'));
  });
  afterEach(async () => {
    for (const k of ['KUBEGARDEN_CONFIG', 'XDG_CONFIG_HOME', 'HOME']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await rm(dir, { recursive: true, force: true });
  });

  describe('where it is', () => {
    it('is $KUBEGARDEN_CONFIG when set, above everything else', () => {
      assert.equal(configPath({ KUBEGARDEN_CONFIG: '/a/b.yaml', XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/a/b.yaml');
    });
    it('is in $XDG_CONFIG_HOME when set', () => {
      assert.equal(configPath({ XDG_CONFIG_HOME: '/x', HOME: '/h' }), '/x/kubegarden/config.yaml');
    });
    it('is in ~/.config otherwise, and ignores a relative XDG_CONFIG_HOME as the XDG spec asks', () => {
      assert.equal(configPath({ HOME: '/h' }), '/h/.config/kubegarden/config.yaml');
      assert.equal(configPath({ XDG_CONFIG_HOME: 'rel', HOME: '/h' }), '/h/.config/kubegarden/config.yaml');
      assert.equal(configPath({ KUBEGARDEN_CONFIG: '', HOME: '/h' }), '/h/.config/kubegarden/config.yaml');
    });
  });

  describe('reading and writing', () => {
    it('reads a missing file as empty', async () => {
      assert.deepEqual(await loadConfig(join(dir, 'none.yaml')), { gardens: [], target: {} });
    });

    it('round-trips gardens and target, creating directories, with mode 0600 and no temporary file left', async () => {
      const path = join(dir, 'deep', 'kubegarden', 'config.yaml');
      const config = { gardens: [{ name: 'local', kubeconfig: '/k/garden.kubeconfig', context: 'garden' }], target: { garden: 'local', project: 'dev' } };
      await saveConfig(config, path);
      assert.deepEqual(await loadConfig(path), config);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.deepEqual(parse(await readFile(path, 'utf8')), config);
      await saveConfig({ ...config, target: {} }, path);
      assert.deepEqual(await loadTarget(path), {});
      const { readdir } = await import('node:fs/promises');
      assert.deepEqual(await readdir(join(dir, 'deep', 'kubegarden')), ['config.yaml']);
    });

    it('tightens an existing file with looser permissions to 0600 on write', async () => {
      const path = join(dir, 'config.yaml');
      await writeFile(path, 'gardens: []\n', { mode: 0o644 });
      await saveConfig({ gardens: [], target: { garden: 'g' } }, path);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
    });

    it('follows XDG_CONFIG_HOME when no path is given', async () => {
      delete process.env['KUBEGARDEN_CONFIG'];
      process.env['XDG_CONFIG_HOME'] = dir;
      await saveConfig({ gardens: [], target: { garden: 'xdg' } });
      assert.deepEqual(parse(await readFile(join(dir, 'kubegarden', 'config.yaml'), 'utf8')).target, { garden: 'xdg' });
      assert.deepEqual(await loadTarget(), { garden: 'xdg' });
    });

    it('refuses a malformed file with a configuration error (exit 3) naming the file', async () => {
      const path = join(dir, 'bad.yaml');
      for (const text of ['gardens: [', 'gardens: 5\n', '- a\n', 'gardens:\n- name: x\n']) {
        await writeFile(path, text);
        await assert.rejects(loadConfig(path), (err: unknown) => err instanceof KubegardenError && err.exitCode === 3 && err.message.includes(path));
      }
    });

    it('adds a garden, or replaces the one of the same name', () => {
      let c = upsertGarden({ gardens: [], target: {} }, { name: 'a', kubeconfig: '/1' });
      c = upsertGarden(c, { name: 'b', kubeconfig: '/2' });
      c = upsertGarden(c, { name: 'a', kubeconfig: '/3', context: 'x' });
      assert.deepEqual(c.gardens, [{ name: 'b', kubeconfig: '/2' }, { name: 'a', kubeconfig: '/3', context: 'x' }]);
    });
  });

  describe('targeting levels', () => {
    const full = { garden: 'g', project: 'p', seed: 's', shoot: 'x' };
    it('keeps the levels above and clears the levels below the one targeted', () => {
      assert.deepEqual(setTarget(full, 'garden', 'g2'), { garden: 'g2' });
      assert.deepEqual(setTarget(full, 'project', 'p2'), { garden: 'g', project: 'p2' });
      assert.deepEqual(setTarget(full, 'seed', 's2'), { garden: 'g', project: 'p', seed: 's2' });
      assert.deepEqual(setTarget(full, 'shoot', 'x2'), { ...full, shoot: 'x2' });
    });
    it('unsets a level with every level below it, and everything without a level', () => {
      assert.deepEqual(unsetTarget(full, 'shoot'), { garden: 'g', project: 'p', seed: 's' });
      assert.deepEqual(unsetTarget(full, 'seed'), { garden: 'g', project: 'p' });
      assert.deepEqual(unsetTarget(full, 'project'), { garden: 'g' });
      assert.deepEqual(unsetTarget(full, 'garden'), {});
      assert.deepEqual(unsetTarget(full), {});
    });
  });

  describe('fallbacks', () => {
    it('uses --kubeconfig/--context first, then the targeted garden, then kubectl defaults', async () => {
      process.env['KUBEGARDEN_CONFIG'] = join(dir, 'c.yaml');
      assert.deepEqual(await gardenSource({}), {});
      await saveConfig({ gardens: [{ name: 'g', kubeconfig: '/k', context: 'c' }], target: { garden: 'g' } });
      assert.deepEqual(await gardenSource({}), { kubeconfig: '/k', context: 'c' });
      assert.deepEqual(await gardenSource({ kubeconfig: '/flag' }), { kubeconfig: '/flag', context: undefined });
      await saveConfig({ gardens: [], target: { garden: 'gone' } });
      await assert.rejects(gardenSource({}), /targeted garden "gone" is not registered/);
    });

    it('takes the targeted shoot only for the targeted project, and otherwise names the argument', async () => {
      process.env['KUBEGARDEN_CONFIG'] = join(dir, 'c.yaml');
      assert.equal(await shootFromTarget('given', 'p'), 'given');
      await assert.rejects(shootFromTarget(undefined, 'p'), (err: unknown) => err instanceof KubegardenError && err.exitCode === 2 && /shoot NAME argument/.test(err.message));
      await saveConfig({ gardens: [], target: { project: 'p', shoot: 'x' } });
      assert.equal(await shootFromTarget(undefined, 'p'), 'x');
      await assert.rejects(shootFromTarget(undefined, 'other'), /targeted shoot "x" is in project "p", not "other"/);
    });
  });
});

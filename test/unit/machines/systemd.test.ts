import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { commandLine, parseCommandLine, quoteArg, renderUnit, unitValue } from '../../../src/lib/machines/systemd.ts';

describe('systemd command lines', () => {
  it('leaves plain arguments bare', () => {
    assert.equal(commandLine(['/usr/local/bin/kubelet', '--config=/var/lib/kubelet/config.yaml', '--node-labels=a=b,c.io/d=e']), '/usr/local/bin/kubelet --config=/var/lib/kubelet/config.yaml --node-labels=a=b,c.io/d=e');
  });

  it('quotes and escapes what systemd would interpret', () => {
    assert.equal(quoteArg('a b'), '"a b"');
    assert.equal(quoteArg('say "hi"'), '"say \\"hi\\""');
    assert.equal(quoteArg('line\nbreak'), '"line\\nbreak"');
    assert.equal(quoteArg('${HOME}'), '"$${HOME}"');
    assert.equal(quoteArg('100%h'), '"100%%h"');
    assert.equal(quoteArg(';'), '";"');
    assert.equal(quoteArg(''), '""');
    assert.equal(quoteArg('back\\slash'), '"back\\\\slash"');
  });

  it('reads back every argument exactly, whatever it contains', () => {
    const samples = ['', ' ', 'a b', '"', "'", '\\', '\\"', '$', '$$', '%', '%%', '${X}', '$(id)', '\n', '\r\n', '\t', '\x01\x7f', 'é ü 日本', '"; rm -rf / #', 'end\\'];
    for (let i = 0; i < 50; i++) samples.push(randomBytes(12).toString('latin1'));
    const argv = ['/bin/prog', ...samples];
    assert.deepEqual(parseCommandLine(commandLine(argv)), argv);
    assert.ok(!commandLine(argv).includes('\n'), 'one line');
  });

  it('renders units and finds values in the right section', () => {
    const unit = renderUnit([
      { name: 'Unit', entries: [['Description', 'x']] },
      { name: 'Service', entries: [['ExecStart', commandLine(['/bin/true', 'a b'])]] },
    ]);
    assert.equal(unit, '[Unit]\nDescription=x\n\n[Service]\nExecStart=/bin/true "a b"\n');
    assert.equal(unitValue(unit, 'Service', 'ExecStart'), '/bin/true "a b"');
    assert.equal(unitValue(unit, 'Unit', 'ExecStart'), undefined);
  });
});

import assert from 'node:assert/strict';
import { EXIT_CODE_DOCS } from '../../../src/lib/ui/errors.ts';
import { exitCodesHelp, isExitCodesHelp } from '../../../src/lib/ui/exit-codes.ts';

describe('kubegarden help exit-codes', () => {
  it('is recognised only as "help exit-codes"', () => {
    assert.equal(isExitCodesHelp(['help', 'exit-codes']), true);
    assert.equal(isExitCodesHelp(['help', 'shoot']), false);
    assert.equal(isExitCodesHelp(['exit-codes']), false);
  });

  it('lists every documented code with its name and meaning', () => {
    const text = exitCodesHelp();
    for (const d of EXIT_CODE_DOCS) assert.match(text, new RegExp(`^ +${d.code}  ${d.name} +${d.meaning.replace(/[.()/]/g, '\\$&')}$`, 'm'));
  });
});

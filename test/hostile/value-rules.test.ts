/**
 * The checks of resolve and the quoting of render refuse values by one set of rules
 * (src/model/value-rules.ts): a value the check refuses for a place is exactly one the quoting
 * helper of that place cannot carry, and the backstop says the same words as the check.
 * If either side gains a refusal of its own, a value below is accepted by one and refused by the other.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { breach, unrepresentableAsExecutable, unrepresentableInUnit, VALUE_RULES, type ValueKind } from '../../src/model/value-rules.js';
import { envValue, execPath, execWord, shWord, unitPath, UnrepresentableError } from '../../src/render/quote.js';

/** Each quoting helper that refuses values, the check that guards it in resolve, and the rules both name. */
const PAIRS: Array<{ helper: (value: string) => string; kind: ValueKind; check?: (value: string) => string | undefined }> = [
  { helper: execPath, kind: 'executable', check: unrepresentableAsExecutable }, // fleet.tmux, hosts.*.tmux
  { helper: unitPath, kind: 'unitPath', check: unrepresentableInUnit }, // envFiles
  { helper: shWord, kind: 'cString' },
  { helper: execWord, kind: 'cString' },
  { helper: envValue, kind: 'cString' },
];

/** Characters that one rule or another is about, and ordinary ones around them. */
const ALPHABET = ['\0', '\x01', '\t', '\n', '\r', '\x1b', '\x7f', '\\', '"', "'", '/', '.', '~', ' ', ':', '%', '$', '*', '?', '[', 'a', 'é', '🚀', '\uD800', '\uDC00', '\uFDD0', '\uFFFE', '\u{1FFFF}'];
const value = fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 12 });

/** Values that break each rule alone, so that every row of the table is tried on purpose. */
const EXAMPLES: Record<string, string[]> = {
  executable: ['/usr/bin/tmux', '/opt/it\'s/tmux', '/opt/a\\b', '/opt/a"b', '/opt/a\tb', '/usr/bin/', '/a\0b', '/a\uD800', '/a\uFDD0', '/usr/bin/t mux', '/%h/tmux'],
  unitPath: ['/a', '~', '~/s.env', '/a\nb', '/a\rb', '/a\\', ' /a', '/a ', '/a/./b', '/a/../b', '/a//b', '/a/', '~/../x', '/a\0', '/a\uDFFF', '/a\u{10FFFF}', '/a*?[%'],
  cString: ['', 'a\0b', '\uD800', "it's $HOME"],
};

function refusal(helper: (value: string) => string, value: string): string | undefined {
  try {
    helper(value);
    return undefined;
  } catch (error) {
    if (!(error instanceof UnrepresentableError)) throw error;
    return error.message;
  }
}

describe('one set of value rules for checks and quoting', () => {
  for (const { helper, kind, check } of PAIRS) {
    const agree = (v: string) => {
      const refused = breach(kind, v);
      if (check) expect(check(v), JSON.stringify(v)).toBe(refused);
      const backstop = refusal(helper, v);
      expect(backstop === undefined, `${helper.name}(${JSON.stringify(v)}) refused: ${backstop}`).toBe(refused === undefined);
      if (refused !== undefined) expect(backstop).toContain(`: it contains ${refused}`);
    };

    it(`${helper.name}: refuses exactly what the ${kind} rules refuse, in the check's words`, () => {
      for (const v of EXAMPLES[kind]!) agree(v);
      fc.assert(fc.property(value, (v) => agree(v)), { numRuns: 2000, seed: 29 });
    });
  }

  it('every rule of a kind is broken by one of its examples (the examples reach each row)', () => {
    for (const kind of ['executable', 'unitPath', 'cString'] as const) {
      const reached = new Set(EXAMPLES[kind]!.map((v) => breach(kind, v)));
      for (const rule of VALUE_RULES[kind]) expect(reached, `${kind}: ${rule.what}`).toContain(rule.what);
    }
  });
});

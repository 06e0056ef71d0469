import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addAgent } from '../../src/author/add-agent.js';
import { removeAgent } from '../../src/author/remove-agent.js';
import { formatDiagnostic } from '../../src/errors.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { ROSTERS } from './fixtures.js';

const NEW = { name: 'scribe', runtime: 'claude', role: 'docs', lifecycle: 'on-demand', workdir: '~/docs dir', env: { TZ: 'UTC', ODD: 'a: "b" #c', NUM: '0700' } } as const;

function messages(outcome: ReturnType<typeof addAgent>): string {
  return outcome.diagnostics.map((d) => formatDiagnostic(d, outcome.sources)).join('\n');
}

describe('add then remove gives back the original bytes', () => {
  for (const [name, text] of Object.entries(ROSTERS)) {
    it(name, () => {
      const added = addAgent(text, 'roster.yaml', { ...NEW, env: { ...NEW.env } });
      expect(added.ok, messages(added)).toBe(true);
      expect(added.fleet!.agents.map((a) => a.name)).toContain('scribe');
      const scribe = added.fleet!.agents.find((a) => a.name === 'scribe')!;
      expect(Object.fromEntries(scribe.env)).toMatchObject({ NUM: '0700', ODD: 'a: "b" #c', TZ: 'UTC' });
      expect(scribe.workdir).toBe('~/docs dir');
      // Nothing the user wrote is lost or rewritten.
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      if (!/agents: \[/.test(text) && !/^\s+\[\]$/m.test(text)) for (const line of text.split(eol)) expect(added.text.split(eol)).toContain(line);
      if (eol === '\r\n') expect(added.text.replace(/\r\n/g, '')).not.toContain('\n');
      const removed = removeAgent(added.text, 'roster.yaml', 'scribe');
      expect(removed.ok, messages(removed)).toBe(true);
      expect(removed.text).toBe(text);
    });
  }

  it('a second add then both removes, in either order', () => {
    const text = ROSTERS.commented!;
    const one = addAgent(text, 'roster.yaml', { name: 'a1', runtime: 'pi' });
    const two = addAgent(one.text, 'roster.yaml', { name: 'a2', runtime: 'codex' });
    expect(two.ok, messages(two)).toBe(true);
    expect(removeAgent(removeAgent(two.text, 'roster.yaml', 'a2').text, 'roster.yaml', 'a1').text).toBe(text);
    expect(removeAgent(removeAgent(two.text, 'roster.yaml', 'a1').text, 'roster.yaml', 'a2').text).toBe(text);
  });

  it('keeps blank-line separation between agents when the roster uses it', () => {
    const added = addAgent(ROSTERS.commented!, 'roster.yaml', { name: 'a1', runtime: 'pi' });
    expect(added.text).toContain(`    lifecycle: on-demand\n\n  - name: a1\n    runtime: pi\n\n\n# trailing comment`);
  });

  it('follows the indentation of the existing items', () => {
    const added = addAgent(ROSTERS.wideIndent!, 'roster.yaml', { name: 'a1', runtime: 'pi' });
    expect(added.text.endsWith('    role: research\n-   name: a1\n    runtime: pi\n')).toBe(true);
  });

  it('writes the first agent of an empty list as a block list', () => {
    const added = addAgent(ROSTERS.emptyAgents!, 'roster.yaml', { name: 'a1', runtime: 'pi' });
    expect(added.text).toBe('version: 1\nprofile: research\nagents:\n  - name: a1\n    runtime: pi\n');
  });

  it('quotes values that YAML would otherwise read as something else', () => {
    const added = addAgent(ROSTERS.emptyAgents!, 'roster.yaml', { name: 'a1', runtime: 'pi', env: { A: 'true', B: '1.5', C: '', D: '- x' } });
    expect(added.ok, messages(added)).toBe(true);
    const env = Object.fromEntries(added.fleet!.agents.find((a) => a.name === 'a1')!.env);
    expect(env).toEqual({ A: 'true', B: '1.5', C: '', D: '- x' });
  });
});

describe('refusals leave the text as it was', () => {
  const refused = (outcome: ReturnType<typeof addAgent>, code: string, original: string) => {
    expect(outcome.ok).toBe(false);
    expect(outcome.text).toBe(original);
    expect(outcome.diagnostics.map((d) => d.code)).toContain(code);
  };

  it('a second orchestrator is R5', () => {
    const text = ROSTERS.commented!;
    const outcome = addAgent(text, 'roster.yaml', { name: 'boss', runtime: 'claude', class: 'orchestrator' });
    refused(outcome, 'R5', text);
    expect(messages(outcome)).toMatch(/error\[R5\]: the fleet has 2 orchestrators \(orchestrator, boss\)/);
  });

  it('a name the roster has', () => {
    const text = ROSTERS.commented!;
    const outcome = addAgent(text, 'roster.yaml', { name: 'ops', runtime: 'pi' });
    refused(outcome, 'DUPLICATE_NAME', text);
    expect(messages(outcome)).toMatch(/^roster\.yaml:28:11: error\[DUPLICATE_NAME\]/);
  });

  it("a name the preset brings", () => {
    const text = ROSTERS.commented!;
    const outcome = addAgent(text, 'roster.yaml', { name: 'code-review', runtime: 'pi' });
    refused(outcome, 'DUPLICATE_NAME', text);
    expect(messages(outcome)).toMatch(/already in the fleet: the coding preset defines it\n  hint: .*mosaic-gen remove code-review/);
  });

  it('an invalid name, an unknown runtime, a contradiction', () => {
    const text = ROSTERS.commented!;
    refused(addAgent(text, 'roster.yaml', { name: 'Bad_Name', runtime: 'pi' }), 'NAME', text);
    const unknown = addAgent(text, 'roster.yaml', { name: 'a1', runtime: 'clade' });
    refused(unknown, 'UNKNOWN_RUNTIME', text);
    expect(messages(unknown)).toContain("did you mean 'claude'?");
    refused(addAgent(text, 'roster.yaml', { name: 'a1', runtime: 'pi', role: 'orchestrator', class: 'worker' }), 'ROLE_CLASS', text);
    refused(addAgent(text, 'roster.yaml', { name: 'a1', runtime: 'pi', env: { 'BAD-KEY': 'x' } }), 'ENV_KEY', text);
    refused(addAgent(text, 'roster.yaml', { name: 'a1', runtime: 'pi', workdir: 'relative/dir' }), 'RELATIVE_PATH', text);
  });

  it('a roster that does not parse', () => {
    const text = 'version: 1\nagents:\n  - name: a\n    runtime: [\n';
    refused(addAgent(text, 'roster.yaml', { name: 'b', runtime: 'pi' }), 'YAML_SYNTAX', text);
    refused(removeAgent(text, 'roster.yaml', 'a') as ReturnType<typeof addAgent>, 'YAML_SYNTAX', text);
  });

  it('remove of an unknown agent, with a suggestion', () => {
    const text = ROSTERS.commented!;
    const outcome = removeAgent(text, 'roster.yaml', 'coder');
    refused(outcome, 'UNKNOWN_AGENT', text);
    expect(messages(outcome)).toMatch(/did you mean 'coder0'\?/);
    refused(removeAgent(text, 'roster.yaml', 'coder1'), 'UNKNOWN_AGENT', text);
  });

  it('remove of the orchestrator or the enhancer breaks an invariant', () => {
    const text = ROSTERS.commented!;
    refused(removeAgent(text, 'roster.yaml', 'orchestrator'), 'R5', text);
    refused(removeAgent(text, 'roster.yaml', 'enhancer'), 'FLOOR', text);
  });

  it('positions point into the file on disk, not the edited text', () => {
    const text = ROSTERS.commented!;
    const outcome = removeAgent(text, 'roster.yaml', 'enhancer');
    // `agents:` is on line 14 of the original.
    expect(messages(outcome)).toMatch(/^roster\.yaml:14:1: error\[FLOOR\]/);
  });
});

describe('preset agents', () => {
  it('remove of a preset agent adds it to omit', () => {
    const removed = removeAgent(ROSTERS.commented!, 'roster.yaml', 'security-review');
    expect(removed.ok, messages(removed)).toBe(true);
    expect(removed.text).toBe(ROSTERS.commented!.replace('omit: [ coder1 ]', 'omit: [ coder1, security-review ]'));
    expect(removed.changes).toEqual(["added 'security-review' to omit: (the coding preset brings it)"]);
  });

  it('remove of an overridden preset agent drops its entry and omits it', () => {
    const removed = removeAgent(ROSTERS.commented!, 'roster.yaml', 'coder0');
    expect(removed.ok, messages(removed)).toBe(true);
    expect(removed.text).not.toContain('name: coder0');
    expect(removed.text).toContain('omit: [ coder1, coder0 ]');
    expect(removed.fleet!.agents.map((a) => a.name)).not.toContain('coder0');
  });

  it('a roster without omit gets one, before agents and their comments', () => {
    const removed = removeAgent(ROSTERS.crlf!, 'roster.yaml', 'enhancer');
    expect(removed.ok).toBe(false); // general needs its enhancer
    const text = 'version: 1\nprofile: coding\n\n# ours\nagents:\n  - name: extra\n    runtime: pi\n';
    const out = removeAgent(text, 'roster.yaml', 'coder1');
    expect(out.text).toBe('version: 1\nprofile: coding\n\nomit: [coder1]\n\n# ours\nagents:\n  - name: extra\n    runtime: pi\n');
  });

  it('add of an omitted preset name takes it out of omit and overrides the preset agent', () => {
    const added = addAgent(ROSTERS.commented!, 'roster.yaml', { name: 'coder1', runtime: 'claude' });
    expect(added.ok, messages(added)).toBe(true);
    expect(added.text).toContain('omit: [  ]   # not needed yet');
    const coder1 = added.fleet!.agents.find((a) => a.name === 'coder1')!;
    expect(coder1).toMatchObject({ runtime: 'claude', role: 'coder', lifecycle: 'on-demand' });
  });

  it('remove then add of a preset agent on an init roster', () => {
    const text = 'version: 1\nprofile: coding\nomit: []\nagents: []\n';
    const removed = removeAgent(text, 'roster.yaml', 'coder1');
    expect(removed.text).toBe('version: 1\nprofile: coding\nomit: [coder1]\nagents: []\n');
    const back = addAgent(removed.text, 'roster.yaml', { name: 'coder1', runtime: 'codex' });
    expect(back.text).toBe('version: 1\nprofile: coding\nomit: []\nagents:\n  - name: coder1\n    runtime: codex\n');
  });
});

describe("the repository's own rosters", () => {
  const files = ['roster.yaml', 'templates/presets/general.yaml', 'templates/presets/coding.yaml', 'templates/presets/research.yaml', 'templates/presets/minimal.yaml'];
  for (const file of files) {
    it(`add then remove on ${file}`, () => {
      const text = readFileSync(join(PACKAGE_ROOT, file), 'utf8');
      const added = addAgent(text, file, { name: 'scribe', runtime: 'pi', lifecycle: 'on-demand' });
      expect(added.ok, messages(added)).toBe(true);
      expect(removeAgent(added.text, file, 'scribe').text).toBe(text);
    });
  }
});

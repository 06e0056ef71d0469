import { afterAll, describe, expect, it } from 'vitest';
import { MAX_ROSTER_BYTES } from '../../src/load/read-roster-file.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, rosterFile, tempDir } from '../support/cli.js';

/**
 * Each bad roster yields exactly these diagnostics, in this order: code, line:col, and a hint
 * fragment where one helps. The files are written as shown (tabs included).
 */
interface Case {
  name: string;
  yaml: string;
  expect: Array<{ code: string; at?: string; hint?: string; message?: string; severity?: 'error' | 'warning' }>;
}

const seed = `version: 1
transport: tmux
agents:
  - name: orchestrator
    runtime: pi
    class: orchestrator
  - name: enhancer
    runtime: claude
    role: enhancer
`;

const CASES: Case[] = [
  { name: 'empty file', yaml: '', expect: [{ code: 'EMPTY' }] },
  { name: 'only comments', yaml: '# nothing here\n', expect: [{ code: 'EMPTY' }] },
  { name: 'not YAML', yaml: 'version: 1\nagents: [\n', expect: [{ code: 'YAML_SYNTAX', at: '3:1' }] },
  { name: 'a list, not a mapping', yaml: '- name: a\n', expect: [{ code: 'NOT_A_MAPPING', at: '1:1', message: 'not a list' }] },
  { name: 'a scalar, not a mapping', yaml: 'hello\n', expect: [{ code: 'NOT_A_MAPPING', at: '1:1' }] },
  { name: 'tabs', yaml: 'version: 1\nagents:\n\t- name: a\n', expect: [{ code: 'YAML_TAB', at: '3:1', hint: 'spaces' }] },
  { name: 'duplicate key', yaml: 'version: 1\nversion: 1\nagents: []\n', expect: [{ code: 'YAML_DUPLICATE_KEY', at: '2:1' }] },
  { name: 'a list as a key', yaml: 'version: 1\nagents: []\nfleet:\n  env: {? [a] : b}\n', expect: [{ code: 'YAML_SYNTAX', at: '4:11', message: 'plain text' }] },
  { name: 'two documents', yaml: 'version: 1\nagents: []\n---\nversion: 1\n', expect: [{ code: 'YAML_MULTIPLE_DOCUMENTS', at: '3:1' }] },
  // yaml reads an over-indented key as the rest of the value before it and said so at that value: `15:14 Nested mappings are not allowed in compact mappings`.
  { name: 'a key indented more than the keys before it', yaml: `${seed}  - name: coder\n    runtime: codex\n    env:\n      TZ: UTC\n    limits: { memory: 1G }\n      workdir: ~/src\n`, expect: [{ code: 'YAML_SYNTAX', at: '15:7', message: '`workdir:` is indented more than the keys before it', hint: 'line it up with `limits:` on line 14 (column 5)' }] },
  { name: 'a key indented more than a plain value before it', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n      workdir: ~/src\n'), expect: [{ code: 'YAML_SYNTAX', at: '10:7', message: '`workdir:` is indented more than the keys before it', hint: 'line it up with `role:` on line 9' }] },
  { name: 'a key indented more in a nested mapping', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    env:\n      A: b\n        B: c\n'), expect: [{ code: 'YAML_SYNTAX', at: '12:9', message: '`B:` is indented more than the keys before it' }] },
  // One agent's schema errors hid its other errors until the next run.
  { name: 'every problem of one agent in one run', yaml: seed.replace('    runtime: claude\n    role: enhancer\n', '    runtime: claud\n    role: enhancer\n    lifecyle: on-demand\n    workdir: src/app\n    env: { A: [1] }\n'), expect: [{ code: 'UNKNOWN_RUNTIME', at: '8:14', hint: "did you mean 'claude'?" }, { code: 'UNKNOWN_KEY', at: '10:5', hint: "did you mean 'lifecycle'?" }, { code: 'RELATIVE_PATH', at: '11:14' }, { code: 'TYPE', at: '12:15' }] },
  { name: 'a broken runtime or host is not also missing', yaml: seed.replace('    runtime: claude\n', '    runtime: 7\n    host: { a: 1 }\n    workdir: src\n'), expect: [{ code: 'TYPE', at: '8:14' }, { code: 'TYPE', at: '9:11' }, { code: 'RELATIVE_PATH', at: '10:14' }] },
  { name: 'missing version', yaml: 'agents: []\n', expect: [{ code: 'VERSION', at: '1:1', hint: 'version: 1' }] },
  { name: 'wrong version', yaml: 'version: 2\nagents: []\n', expect: [{ code: 'VERSION', at: '1:10', hint: 'version: 1' }] },
  { name: 'version as string', yaml: 'version: "1"\nagents: []\n', expect: [{ code: 'VERSION', at: '1:10' }] },
  { name: 'missing agents', yaml: 'version: 1\n', expect: [{ code: 'MISSING_KEY', at: '1:1', message: "no 'agents'" }] },
  { name: 'misspelt top-level key', yaml: `${seed}runtime: {}\n`, expect: [{ code: 'UNKNOWN_KEY', at: '10:1', hint: "did you mean 'runtimes'?" }] },
  { name: 'misspelt agent key', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    lifecyle: on-demand\n'), expect: [{ code: 'UNKNOWN_KEY', at: '10:5', hint: "did you mean 'lifecycle'?" }] },
  { name: 'unknown key, no close match', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    colour: red\n'), expect: [{ code: 'UNKNOWN_KEY', at: '10:5', hint: 'allowed keys: name, runtime' }] },
  { name: 'misspelt profile', yaml: `profile: codng\n${seed}`, expect: [{ code: 'ENUM', at: '1:10', hint: "did you mean 'coding'?" }] },
  { name: 'bad lifecycle', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    lifecycle: sometimes\n'), expect: [{ code: 'ENUM', at: '10:16', hint: 'always-on, on-demand' }] },
  { name: 'bad class', yaml: seed.replace('class: orchestrator', 'class: boss'), expect: [{ code: 'ENUM', at: '6:12', hint: 'orchestrator, worker' }] },
  { name: 'bad transport', yaml: seed.replace('transport: tmux', 'transport: screen'), expect: [{ code: 'ENUM', at: '2:12' }] },
  { name: 'uppercase agent name', yaml: seed.replace('name: enhancer', 'name: Enhancer'), expect: [{ code: 'NAME', at: '7:11', hint: 'Lowercase letters' }] },
  { name: 'agent name too long', yaml: seed.replace('name: enhancer', `name: ${'a'.repeat(33)}`), expect: [{ code: 'NAME', at: '7:11' }] },
  { name: 'agent name with a dot', yaml: seed.replace('name: enhancer', 'name: en.hancer'), expect: [{ code: 'NAME', at: '7:11' }] },
  { name: 'env key not an identifier', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    env: { 1BAD: x }\n'), expect: [{ code: 'ENV_KEY', at: '10:12', hint: "letters, digits and '_'" }] },
  { name: 'env value a list', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    env: { A: [1] }\n'), expect: [{ code: 'TYPE', at: '10:15', message: 'not a list' }] },
  { name: 'env value empty', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    env:\n      A:\n'), expect: [{ code: 'TYPE', at: '11:9' }] },
  { name: 'agents a mapping', yaml: 'version: 1\nagents: {}\n', expect: [{ code: 'TYPE', at: '2:9', message: 'must be a list' }] },
  { name: 'runtime command empty', yaml: `runtimes:\n  x: { command: [] }\n${seed}`, expect: [{ code: 'INVALID', at: '2:17', message: 'must not be empty' }] },
  { name: 'duplicate agent name', yaml: `${seed}  - name: enhancer\n    runtime: codex\n`, expect: [{ code: 'DUPLICATE_NAME', at: '10:11' }] },
  { name: 'unknown runtime', yaml: seed.replace('runtime: claude', 'runtime: claud'), expect: [{ code: 'UNKNOWN_RUNTIME', at: '8:14', hint: "did you mean 'claude'?" }] },
  { name: 'unknown runtime, far off', yaml: seed.replace('runtime: claude', 'runtime: gemini'), expect: [{ code: 'UNKNOWN_RUNTIME', at: '8:14', hint: 'known runtimes: claude, codex' }] },
  { name: 'unknown runtime of three agents: one error', yaml: `${seed.replace('runtime: pi', 'runtime: gemini').replace('runtime: claude', 'runtime: gemini')}  - name: coder\n    runtime: gemini\n`, expect: [{ code: 'UNKNOWN_RUNTIME', at: '5:14', message: 'so do 2 more: enhancer, coder' }] },
  { name: 'bad runtime command of two agents: one error', yaml: `runtimes:\n  x: { command: ["a\\0b"] }\n${seed.replace('runtime: pi', 'runtime: x').replace('runtime: claude', 'runtime: x')}`, expect: [{ code: 'UNREPRESENTABLE', at: '2:6', message: "the command of runtime 'x'" }] },
  { name: 'no runtime', yaml: seed.replace('    runtime: claude\n', ''), expect: [{ code: 'NO_RUNTIME', at: '7:11' }] },
  { name: 'two orchestrators', yaml: `${seed}  - name: boss\n    runtime: codex\n    class: orchestrator\n`, expect: [{ code: 'R5', at: '12:12', message: 'orchestrator, boss' }] },
  { name: 'two orchestrators by role', yaml: `${seed}  - name: boss\n    runtime: codex\n    role: orchestrator\n`, expect: [{ code: 'R5', at: '12:11' }] },
  { name: 'no orchestrator', yaml: 'version: 1\nagents:\n  - name: a\n    runtime: pi\n    role: enhancer\n', expect: [{ code: 'R5', at: '2:1', hint: 'class: orchestrator' }] },
  { name: 'role and class disagree', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    class: orchestrator\n'), expect: [{ code: 'ROLE_CLASS', at: '10:12' }, { code: 'R5', at: '10:12' }] },
  { name: 'orchestrator role as worker', yaml: seed.replace('class: orchestrator', 'class: worker\n    role: orchestrator'), expect: [{ code: 'R5', at: '3:1' }, { code: 'ROLE_CLASS', at: '6:12' }] },
  { name: 'floor under a profile', yaml: 'version: 1\nprofile: general\nomit: [enhancer]\nagents: []\n', expect: [{ code: 'FLOOR', at: '4:1', hint: 'role: enhancer' }] },
  { name: 'coding preset with a second orchestrator', yaml: 'version: 1\nprofile: coding\nagents:\n  - name: coder0\n    class: orchestrator\n', expect: [{ code: 'ROLE_CLASS', at: '5:12' }, { code: 'R5', at: '5:12' }] },
  { name: 'no agents at all', yaml: 'version: 1\nprofile: minimal\nomit: [coder0]\nagents: []\n', expect: [{ code: 'NO_AGENTS', at: '4:1', hint: 'omit fewer' }] },
  { name: 'preset orchestrator overridden as a coder', yaml: 'version: 1\nprofile: general\nagents:\n  - name: orchestrator\n    role: coder\n', expect: [{ code: 'ROLE_CLASS', at: '5:11' }] },
  { name: 'reserved env name', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    env: { MOSAIC_AGENT: me }\n'), expect: [{ code: 'ENV_KEY', at: '10:12', hint: 'MOSAIC_AGENT' }] },
  { name: 'colon in fleet.path', yaml: `fleet: { path: ["/opt/a:b"] }\n${seed}`, expect: [{ code: 'UNREPRESENTABLE', at: '1:17', message: 'colon' }] },
  { name: 'envFiles path not normalized', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    envFiles: ["/etc/a b/../c.env"]\n'), expect: [{ code: 'UNREPRESENTABLE', at: '10:16', message: 'normalized' }] },
  { name: 'Unicode noncharacter', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    args: ["a\\uFDD0b"]\n'), expect: [{ code: 'UNREPRESENTABLE', at: '10:12', message: 'noncharacter' }] },
  { name: 'omit of an unknown preset agent', yaml: 'version: 1\nprofile: coding\nomit: [coder9]\nagents: []\n', expect: [{ code: 'UNKNOWN_OMIT', at: '3:8', hint: "did you mean 'coder0'?" }] },
  { name: 'omit without a profile', yaml: `omit: [x]\n${seed}`, expect: [{ code: 'UNKNOWN_OMIT', at: '1:8', hint: 'profile' }] },
  { name: 'omitted and defined', yaml: 'version: 1\nprofile: coding\nomit: [coder0]\nagents:\n  - name: coder0\n    runtime: pi\n', expect: [{ code: 'OMIT_REDEFINED', at: '5:11' }] },
  { name: 'relative workdir', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    workdir: src/app\n'), expect: [{ code: 'RELATIVE_PATH', at: '10:14', hint: '~/' }] },
  { name: 'NUL in an env value', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    env: { A: "x\\0y" }\n'), expect: [{ code: 'UNREPRESENTABLE', at: '10:15', message: 'NUL' }] },
  { name: 'newline in an env file path', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    envFiles: ["/a\\nb"]\n'), expect: [{ code: 'UNREPRESENTABLE', at: '10:16', message: 'line break' }] },
  { name: 'memory in GB', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    limits: { memory: 4GB }\n'), expect: [{ code: 'INVALID', at: '10:23', message: "memory '4GB' is not a size systemd reads", hint: 'write 4G' }] },
  { name: 'memory in lowercase mebibytes', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    limits:\n      memoryHigh: 512mib\n'), expect: [{ code: 'INVALID', at: '11:19', hint: 'write 512M' }] },
  { name: 'cpu in cores', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    limits: { cpu: 1.5 }\n'), expect: [{ code: 'INVALID', at: '10:20', message: "cpu '1.5' is not a percentage", hint: '150%' }] },
  { name: 'no memory at all', yaml: `fleet: { limits: { memory: 0 } }\n${seed}`, expect: [{ code: 'INVALID', at: '1:28', message: "fleet.limits: memory '0' is 0 bytes", hint: 'infinity' }] },
  { name: 'tasks not a number', yaml: `fleet: { limits: { tasks: lots } }\n${seed}`, expect: [{ code: 'INVALID', at: '1:27', hint: 'whole number' }] },
  { name: 'a misspelt limit', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    limits: { memroy: 1G }\n'), expect: [{ code: 'UNKNOWN_KEY', at: '10:15', hint: 'memory' }] },
  // The code and words come from the key's definition (x-code, title): a bad host name was called "not a valid runtime name".
  { name: 'host name not an inventory name', yaml: `hosts: { "-x": {} }\n${seed.replace('class: orchestrator', 'class: orchestrator\n    host: "-x"')}`, expect: [{ code: 'NAME', at: '1:10', message: "'-x' is not a valid host name", hint: 'Ansible inventory' }, { code: 'NAME', at: '8:11' }] },
  { name: 'runtime name not a name', yaml: `runtimes: { Bad: { command: [x] } }\n${seed}`, expect: [{ code: 'NAME', at: '1:13', message: "'Bad' is not a valid runtime name", hint: 'lowercase letters' }] },
  { name: 'tmux not absolute', yaml: `fleet: { tmux: tmux }\n${seed}`, expect: [{ code: 'INVALID', at: '1:16', hint: '/usr/bin/tmux' }] },
  { name: 'bad session name', yaml: `fleet: { session: "my fleet" }\n${seed}`, expect: [{ code: 'NAME', at: '1:19' }] },
  { name: 'no agents and no profile', yaml: 'version: 1\ntransport: tmux\n', expect: [{ code: 'MISSING_KEY', at: '1:1', message: "no 'agents'" }] },
  // A part that breaks the schema hides nothing of the rest, and leads to no error of its own.
  { name: 'a schema error does not hide a semantic one', yaml: seed.replace('    class: orchestrator\n', '    class: orchestrator\n    colour: red\n').replace('runtime: claude', 'runtime: claud'), expect: [{ code: 'UNKNOWN_KEY', at: '7:5' }, { code: 'UNKNOWN_RUNTIME', at: '9:14', hint: "did you mean 'claude'?" }] },
  { name: 'a broken orchestrator is not a missing one', yaml: seed.replace('    class: orchestrator\n', '    class: orchestrator\n    args: {}\n'), expect: [{ code: 'TYPE', at: '7:11' }] },
  { name: 'a broken runtime is not an unknown one', yaml: `runtimes:\n  mine: { command: mine }\n${seed.replace('runtime: claude', 'runtime: mine')}`, expect: [{ code: 'TYPE', at: '2:20' }] },
  { name: 'a broken profile hides nothing of the agents', yaml: 'version: 1\nprofile: codng\nagents:\n  - name: coder0\n  - name: x\n    runtime: nope\n    role: coder\n  - name: x\n    runtime: pi\n', expect: [{ code: 'ENUM', at: '2:10' }, { code: 'UNKNOWN_RUNTIME', at: '6:14' }, { code: 'DUPLICATE_NAME', at: '8:11' }] },
  { name: 'several errors at once', yaml: 'version: 1\nprofile: codin\nagents:\n  - name: X\n    lifecyle: on-demand\n', expect: [{ code: 'ENUM', at: '2:10' }, { code: 'NAME', at: '4:11' }, { code: 'UNKNOWN_KEY', at: '5:5' }] },
  // Issue 27: how a runtime reports and resumes, when a change restarts an agent.
  { name: 'a runtime that reports two ways', yaml: `${seed}runtimes:\n  mine: { command: [mine], report: { silence: 5, hooks: claude } }\n`, expect: [{ code: 'INVALID', at: '11:36', message: 'says 2 ways (hooks, silence)', hint: 'silence: SECONDS' }] },
  { name: 'report args that never run the reporter', yaml: `${seed}runtimes:\n  mine: { command: [mine], report: { args: [--on-idle, idle] } }\n`, expect: [{ code: 'INVALID', at: '11:44', message: 'never name the reporter', hint: '{report}' }] },
  { name: 'a silence out of bounds', yaml: `${seed}runtimes:\n  mine: { command: [mine], report: { silence: 0 } }\n`, expect: [{ code: 'INVALID', at: '11:47', message: 'is 0 seconds', hint: 'from 1 to 86400' }] },
  { name: 'hooks of a runtime that has none', yaml: `${seed}runtimes:\n  mine: { command: [mine], report: { hooks: gemini } }\n`, expect: [{ code: 'ENUM', at: '11:45', hint: 'claude, codex' }] },
  { name: 'resume words without the session', yaml: `${seed}runtimes:\n  mine: { command: [mine], resume: [--continue] }\n`, expect: [{ code: 'INVALID', at: '11:36', message: 'never names the session', hint: '{session}' }] },
  { name: 'an update policy that does not exist', yaml: seed.replace('    role: enhancer\n', '    role: enhancer\n    update: later\n'), expect: [{ code: 'ENUM', at: '10:13', hint: 'idle, now, manual' }] },
  { name: 'a restart gap out of bounds', yaml: `${seed}fleet: { restartGap: 900 }\n`, expect: [{ code: 'INVALID', at: '10:22', message: 'restartGap is 900 seconds', hint: 'from 0 to 600' }] },
];

describe('invalid rosters', () => {
  const cleanups: Array<() => void> = [];
  afterAll(() => cleanups.forEach((c) => c()));

  it.each(CASES)('$name', async ({ yaml, expect: expected }) => {
    const { dir, cleanup } = rosterFile(yaml);
    cleanups.push(cleanup);
    const result = await cli(['validate', 'roster.yaml', '--format', 'json'], { cwd: dir });
    const report = JSON.parse(result.stdout) as { valid: boolean; diagnostics: Array<{ code: string; line?: number; col?: number; hint?: string; message: string; severity: string }> };
    const errors = report.diagnostics.filter((d) => d.severity === 'error');
    expect(result.status).toBe(1);
    expect(report.valid).toBe(false);
    expect(errors.map((d) => d.code)).toEqual(expected.map((e) => e.code));
    expected.forEach((e, i) => {
      const d = errors[i]!;
      if (e.at) expect(`${d.line}:${d.col}`).toBe(e.at);
      if (e.hint) expect(d.hint).toContain(e.hint);
      if (e.message) expect(d.message).toContain(e.message);
    });
    // The text form carries the same facts in FILE:LINE:COL: error[CODE]: form.
    const text = await cli(['validate', 'roster.yaml'], { cwd: dir });
    expect(text.status).toBe(1);
    expect(text.stdout).toBe('');
    const first = expected[0]!;
    expect(text.stderr).toContain(first.at ? `roster.yaml:${first.at}: error[${first.code}]: ` : `roster.yaml: error[${first.code}]: `);
    expect(text.stderr).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
  });
});

describe('what a terminal shows', () => {
  it("a key's control characters are shown escaped, so they cannot rewrite the line", async () => {
    const { dir, cleanup } = rosterFile(`${seed}"bad\\rkey\\e[2J": 1\n`);
    const result = await cli(['validate', 'roster.yaml'], { cwd: dir });
    cleanup();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("roster.yaml:10:1: error[UNKNOWN_KEY]: unknown key 'bad\\rkey\\u001b[2J' in the roster\n");
  });
});

describe('files that are not rosters', () => {
  it('a missing file', async () => {
    const dir = tempDir();
    const result = await cli(['validate', 'nope.yaml'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^nope\.yaml: error\[NOT_FOUND\]: nope\.yaml does not exist\n {2}hint: /);
  });

  it('a directory', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'roster.yaml'));
    const result = await cli(['validate'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error[NOT_A_FILE]: roster.yaml is a directory');
  });

  it('a binary file', async () => {
    const { dir } = rosterFile(Buffer.from([0x76, 0x3a, 0x20, 0x00, 0xff, 0x0a]));
    const result = await cli(['validate'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error[ENCODING]');
  });

  it('invalid UTF-8', async () => {
    const { dir } = rosterFile(Buffer.concat([Buffer.from('version: 1\nagents: []\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const result = await cli(['validate'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error[ENCODING]: roster.yaml contains a byte that is not valid UTF-8');
  });

  it('a huge file is refused before parsing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'roster.yaml'), `version: 1\nagents: []\n${'#'.repeat(MAX_ROSTER_BYTES)}\n`);
    const result = await cli(['validate'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`error[TOO_LARGE]: roster.yaml is ${MAX_ROSTER_BYTES + 23} bytes; the limit is ${MAX_ROSTER_BYTES} bytes\n`);
  });

  it('deep nesting is an error, not a crash', async () => {
    const { dir } = rosterFile(`version: 1\nagents: ${'['.repeat(20000)}${']'.repeat(20000)}\n`);
    const result = await cli(['validate'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error\[(YAML_SYNTAX|TYPE|INVALID|NAME)\]/);
  });

  it('an alias bomb is refused', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const { dir } = rosterFile(`version: 1\nagents: []\nfleet:\n  env:\n${lines.map((l) => `    X${l}`).join('\n')}\n`);
    const result = await cli(['validate'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error\[[A-Z_]+\]/);
  });
});

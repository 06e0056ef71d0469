/**
 * Placing agents on hosts: the default host places every agent without `host:` (a preset's
 * included), and every error about placing or pooling is at the line of the user's roster to
 * change, never in the package's own preset files.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, type Diagnostic } from '../../src/errors.js';
import { parseRoster } from '../../src/load/parse-roster.js';
import { resolveFleet } from '../../src/resolve/resolve-fleet.js';
import { validateRoster } from '../../src/validate/validate-roster.js';
import { cli, rosterFile } from '../support/cli.js';

async function validate(text: string) {
  const { dir } = rosterFile(text);
  return cli(['validate', 'roster.yaml', '--json'], { cwd: dir });
}

async function errors(text: string): Promise<string> {
  const { dir } = rosterFile(text);
  const result = await cli(['validate', 'roster.yaml'], { cwd: dir });
  expect(result.status).toBe(1);
  expect(result.stderr).not.toContain('presets/');
  return result.stderr;
}

const HOSTS = 'hosts:\n  alpha: {}\n  beta: {}\n';
const PRESET = ['orchestrator', 'enhancer', 'coder0', 'coder1', 'code-review', 'security-review'];

describe('the default host', () => {
  it.each([
    ['fleet.host', `version: 1\nprofile: coding\nfleet: { host: beta }\n${HOSTS}`],
    ['default: true on a host', 'version: 1\nprofile: coding\nhosts:\n  alpha: {}\n  beta: { default: true }\n'],
  ])('places every preset agent without host: (%s); an agent with one stays there', async (_, roster) => {
    const result = await validate(`${roster}agents:\n  - { name: coder1, host: alpha }\n`);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).fleet.hosts).toEqual([
      { name: 'alpha', agents: ['coder1'] },
      { name: 'beta', agents: PRESET.filter((a) => a !== 'coder1') },
    ]);
  });

  it("a preset's agents without a host: one error at the roster's hosts: line, with the lines to add", async () => {
    const stderr = await errors(`version: 1\nprofile: coding\n${HOSTS}agents:\n  - { name: orchestrator, host: alpha }\n`);
    expect(stderr).toBe(
      "roster.yaml:3:1: error[UNKNOWN_HOST]: the coding preset's agents enhancer, coder0, coder1, code-review, security-review have no host\n" +
        '  hint: add a default host for every agent without one: `host: alpha` under fleet: (or `default: true` on a host); or place each under agents: ' +
        '`- { name: enhancer, host: alpha }`, `- { name: coder0, host: alpha }`, `- { name: coder1, host: alpha }`, `- { name: code-review, host: alpha }`, `- { name: security-review, host: alpha }`\n',
    );
  });

  it('is one of hosts, and one only', async () => {
    expect(await errors(`version: 1\nprofile: coding\nfleet: { host: alpa }\n${HOSTS}`)).toBe("roster.yaml:3:16: error[UNKNOWN_HOST]: fleet.host names 'alpa', which is not under hosts\n  hint: did you mean 'alpha'?\n");
    expect(await errors('version: 1\nprofile: minimal\nfleet: { host: alpha }\n')).toContain("roster.yaml:3:16: error[UNKNOWN_HOST]: fleet.host names 'alpha', but the roster has no hosts");
    expect(await errors('version: 1\nprofile: coding\nhosts:\n  alpha: { default: true }\n  beta: { default: true }\n')).toBe(
      "roster.yaml:5:20: error[INVALID]: host 'beta' is marked default, and so is 'alpha': there is one default host\n  hint: keep `default: true` on one host\n",
    );
  });
});

describe('pools', () => {
  const ROSTER = (agents: string) => `version: 1\nprofile: minimal\n${HOSTS}fleet: { host: alpha }\nagents:\n${agents}`;

  it('refuses a pool of the orchestrator or of an enhancer, at its replicas:', async () => {
    const stderr = await errors('version: 1\nprofile: coding\nagents:\n  - name: orchestrator\n    replicas: 2\n  - name: enhancer\n    replicas: 3\n');
    expect(stderr).toContain("roster.yaml:5:15: error[POOL]: agent 'orchestrator' is the orchestrator (the fleet has exactly one); it cannot be a pool of 2\n  hint: remove `replicas:` (or set it to 1)\n");
    expect(stderr).toContain("roster.yaml:7:15: error[POOL]: agent 'enhancer' is an enhancer (the two-agent floor is one orchestrator and one enhancer); it cannot be a pool of 3\n");
    // A pool of one is the agent NAME-1, and breaks neither rule.
    const one = await validate('version: 1\nprofile: coding\nagents:\n  - { name: orchestrator, replicas: 1 }\n');
    expect(one.status, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout).fleet.agents.map((a: { name: string }) => a.name)).toContain('orchestrator-1');
  });

  it('refuses instance names past the name rule, or taken by another agent', async () => {
    const long = 'a'.repeat(30);
    expect(await errors(ROSTER(`  - { name: ${long}, runtime: pi, replicas: 9 }\n  - { name: ${long}b, runtime: pi, replicas: 10 }\n`))).toBe(
      `roster.yaml:9:69: error[NAME]: agent '${long}b' with replicas: 10 makes '${long}b-10', longer than an agent name may be (32 characters)\n  hint: shorten the name to at most 29 characters, or make the pool smaller\n`,
    );
    expect(await errors(ROSTER('  - { name: w, runtime: pi, replicas: 2 }\n  - { name: w-2, runtime: pi }\n'))).toBe(
      "roster.yaml:8:39: error[DUPLICATE_NAME]: agent 'w' with replicas: 2 makes 'w-2', the name of another agent\n  hint: rename one of them, or change the size of the pool\n",
    );
  });

  it('takes a list of hosts for a pool only, each of them one of hosts', async () => {
    expect(await errors(ROSTER('  - { name: w, runtime: pi, host: [alpha, beta] }\n'))).toBe(
      "roster.yaml:8:35: error[POOL]: agent 'w' names 2 hosts, but it is one agent: a list of hosts places the instances of a pool\n  hint: add `replicas: 2` (or more) to make it a pool, or name one host\n",
    );
    expect(await errors(ROSTER('  - { name: w, runtime: pi, replicas: 2, host: [alpha, gamma] }\n'))).toBe(
      "roster.yaml:8:56: error[UNKNOWN_HOST]: agent 'w' names host 'gamma', which is not under hosts\n  hint: the hosts are: alpha, beta\n",
    );
    expect(await errors(ROSTER('  - { name: w, runtime: pi, replicas: 0 }\n'))).toContain('roster.yaml:8:39: error[INVALID]: agents[0].replicas must be >= 1');
  });
});

describe("a problem found in a preset's own text", () => {
  it("is shown at the roster's profile: line, which brought the preset in", () => {
    const diagnostics: Diagnostic[] = [];
    const sourced = (file: string, text: string) => {
      const source = parseRoster(file, text, (d) => diagnostics.push(d));
      return { source, input: validateRoster(source, (d) => diagnostics.push(d))! };
    };
    // A preset whose agent has a relative workdir: not the user's to fix in that file.
    const preset = sourced('templates/presets/coding.yaml', 'version: 1\nagents:\n  - { name: orchestrator, runtime: pi, class: orchestrator, workdir: rel }\n  - { name: enhancer, runtime: pi, role: enhancer }\n');
    const roster = sourced('roster.yaml', 'version: 1\nprofile: coding\n');
    expect(resolveFleet(roster, preset, (d) => diagnostics.push(d))).toBeUndefined();
    const sources = new Map([['roster.yaml', roster.source.lineCounter]]);
    expect(diagnostics.map((d) => formatDiagnostic(d, sources))).toEqual([
      "roster.yaml:2:10: error[RELATIVE_PATH]: the workdir of agent 'orchestrator' 'rel' is relative (from the coding preset)\n  hint: use an absolute path or one starting with ~/",
    ]);
  });
});

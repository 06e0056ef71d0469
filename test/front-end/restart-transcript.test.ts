/**
 * `restart:` and `transcript:`, fleet-wide and per agent: values systemd and the supervisor read,
 * resolved key by key (agent over fleet over the defaults), and every bad value an INVALID error
 * at the value, with the spelling that works.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadFleetFromText } from '../../src/load/load-fleet.js';
import { DEFAULT_RESTART } from '../../src/model/restart.js';
import { DEFAULT_TRANSCRIPT } from '../../src/model/transcript.js';
import { timeSpan } from '../../src/resolve/policy-value.js';
import { cli, rosterFile } from '../support/cli.js';

const seed = `version: 1
agents:
  - name: orchestrator
    runtime: pi
    class: orchestrator
  - name: enhancer
    runtime: claude
    role: enhancer
`;
const withEnhancer = (lines: string) => seed.replace('    role: enhancer\n', `    role: enhancer\n${lines}`);

describe('restart and transcript policies', () => {
  it('defaults, fleet over defaults, agent over fleet, key by key', () => {
    expect(loadFleetFromText(seed, 'roster.yaml').fleet!.agents[0]!).toMatchObject({ restart: DEFAULT_RESTART, transcript: DEFAULT_TRANSCRIPT });
    const roster = `fleet: { restart: { limit: 3, window: 1h 30min }, transcript: { size: 1M } }\n${withEnhancer('    restart: { delay: 500ms }\n    transcript: { keep: 5 }\n')}`;
    const fleet = loadFleetFromText(roster, 'roster.yaml').fleet!;
    expect(fleet.restart).toEqual({ limit: 3, window: '1h30min', delay: '5s' });
    expect(fleet.agents[0]).toMatchObject({ restart: { limit: 3, window: '1h30min', delay: '5s' }, transcript: { size: 1048576, keep: 3 } });
    expect(fleet.agents[1]).toMatchObject({ restart: { limit: 3, window: '1h30min', delay: '500ms' }, transcript: { size: 1048576, keep: 5 } });
  });

  it('reads time spans as systemd does', () => {
    expect(timeSpan('10min', 'window')).toEqual({ value: { text: '10min', micros: 600e6 } });
    expect(timeSpan(5, 'delay')).toEqual({ value: { text: '5s', micros: 5e6 } });
    expect(timeSpan('2 h', 'window')).toEqual({ value: { text: '2h', micros: 7200e6 } });
    expect(timeSpan('0', 'delay')).toEqual({ value: { text: '0s', micros: 0 } });
    expect(timeSpan('100µs', 'delay')).toEqual({ value: { text: '100us', micros: 100 } });
    expect(timeSpan('1M', 'window')).toMatchObject({ value: { text: '1M' } });
    for (const bad of ['10 minutes please', '5S', 'soon', '', '-1s', '1.s']) expect(timeSpan(bad, 'delay'), bad).toHaveProperty('problem');
    expect(timeSpan('0', 'window')).toMatchObject({ problem: 'is shorter than a second' });
  });

  const cases = [
    { name: 'limit not a whole number', yaml: withEnhancer('    restart: { limit: 2.5 }\n'), code: 'TYPE', at: '9:23' },
    { name: 'limit 0', yaml: withEnhancer('    restart: { limit: 0 }\n'), code: 'INVALID', at: '9:23', message: "restart.limit of agent 'enhancer' '0' is not a whole number from 1 to 1000" },
    { name: 'window in an unknown unit', yaml: `fleet: { restart: { window: 10 mins } }\n${seed}`, code: 'INVALID', at: '1:29', message: 'is not a time span', hint: '10min' },
    { name: 'a capital S', yaml: withEnhancer('    restart:\n      delay: 5S\n'), code: 'INVALID', at: '10:14', message: "it reads s" },
    { name: 'a window of 0 (no limit at all)', yaml: withEnhancer('    restart: { window: 0 }\n'), code: 'INVALID', at: '9:24', hint: 'endless loop' },
    { name: 'window infinity', yaml: withEnhancer('    restart: { window: infinity }\n'), code: 'INVALID', at: '9:24', hint: 'forever' },
    { name: 'transcript size in MB', yaml: `fleet: { transcript: { size: 10MB } }\n${seed}`, code: 'INVALID', at: '1:30', hint: '10M' },
    { name: 'transcript size too small', yaml: withEnhancer('    transcript: { size: 100 }\n'), code: 'INVALID', at: '9:25', message: 'out of range' },
    { name: 'keep 0', yaml: withEnhancer('    transcript: { keep: 0 }\n'), code: 'INVALID', at: '9:25' },
    { name: 'a misspelt key', yaml: withEnhancer('    restart: { limt: 3 }\n'), code: 'UNKNOWN_KEY', at: '9:16', hint: 'limit' },
  ];
  const cleanups: Array<() => void> = [];
  afterAll(() => cleanups.forEach((c) => c()));

  it.each(cases)('$name', async ({ yaml, code, at, message, hint }) => {
    const { dir, cleanup } = rosterFile(yaml);
    cleanups.push(cleanup);
    const result = await cli(['validate', 'roster.yaml', '--format', 'json'], { cwd: dir });
    expect(result.status, result.stdout + result.stderr).toBe(1);
    const [d] = (JSON.parse(result.stdout) as { diagnostics: Array<{ code: string; line: number; col: number; message: string; hint?: string }> }).diagnostics;
    expect(d).toBeDefined();
    expect(d!.code).toBe(code);
    expect(`${d!.line}:${d!.col}`).toBe(at);
    if (message) expect(d!.message).toContain(message);
    if (hint) expect(d!.hint).toContain(hint);
  });
});

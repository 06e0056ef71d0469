/**
 * Health from what the manager says, as data (the real manager's view is in
 * test/host/health.test.ts): the reason an agent makes the fleet unhealthy, for every state a
 * looping, failed or recently restarted unit goes through, and the summary that names it; and
 * a transcript made plain text for a pipe.
 */
import { describe, expect, it } from 'vitest';
import { plainText } from '../../src/cli/commands/logs.js';
import { renderStatus } from '../../src/cli/commands/status.js';
import { painter } from '../../src/cli/io.js';
import type { InstalledRecord } from '../../src/model/installed-record.js';
import { fleetStatus } from '../../src/state/fleet-status.js';

const NOW = 1_800_000_000_000;
const record: InstalledRecord = { session: 'mosaic', tmux: '/usr/bin/tmux', files: [], links: [], agents: [{ name: 'a', lifecycle: 'always-on' }, { name: 'b', lifecycle: 'on-demand' }] };

function health(a: Record<string, string>, b: Record<string, string> = { ActiveState: 'inactive' }) {
  const unit = (props: Record<string, string>) => new Map(Object.entries({ UnitFileState: 'enabled', StartLimitIntervalUSec: '10min', ...props }));
  const units = new Map([['mosaic-agent@a.service', unit(a)], ['mosaic-agent@b.service', unit({ ...b, UnitFileState: 'disabled' })]]);
  return fleetStatus({ record, units, windows: new Map(), drifted: new Set(), knownAgents: [], pending: null, rosterAgents: null, activity: new Map(), waitingRestart: new Set(), now: NOW });
}
const at = (secondsAgo: number) => `@${NOW / 1000 - secondsAgo}`;

describe('health', () => {
  it('active and not restarted by systemd in the last minute: healthy', () => {
    expect(health({ ActiveState: 'active', NRestarts: '0', ExecMainStartTimestamp: at(1) }).healthy).toBe(true);
    expect(health({ ActiveState: 'active', NRestarts: '2', ExecMainStartTimestamp: at(61) }).healthy).toBe(true);
  });

  it('active between two crashes of a loop: unhealthy, so that health does not flap', () => {
    const status = health({ ActiveState: 'active', NRestarts: '2', ExecMainStartTimestamp: at(3) });
    expect(status.healthy).toBe(false);
    expect(status.agents[0]!.problem).toBe('restarted by systemd 3s ago (2 restarts)');
  });

  it('waiting to be restarted, and failed after the start limit, with the last exit', () => {
    expect(health({ ActiveState: 'activating', SubState: 'auto-restart', NRestarts: '1', ExecMainCode: '1', ExecMainStatus: '3' }).agents[0]!.problem).toBe('crashed, restarting (1 restart so far, last exit 3)');
    const failed = health({ ActiveState: 'failed', SubState: 'failed', NRestarts: '5', ExecMainCode: '1', ExecMainStatus: '3' });
    expect(failed.agents[0]!.problem).toBe('failed after 5 restarts in 10 min, last exit 3');
    expect(renderStatus(failed, painter(false))).toMatch(/\nunhealthy: 0 of 2 agents active, 0 flagged; a: failed after 5 restarts in 10 min, last exit 3\.\n$/);
    expect(health({ ActiveState: 'failed', NRestarts: '1', ExecMainCode: '1', ExecMainStatus: '137' }).agents[0]!.problem).toBe('failed after 1 restart in 10 min, last exit 137 (KILL)');
    expect(health({ ActiveState: 'failed', NRestarts: '0', ExecMainCode: '2', ExecMainStatus: '9' }).agents[0]!.problem).toBe('failed, signal KILL');
  });

  it('a working agent whose restart waits: ACTIVITY and restart-pending, in a row that fits 80 columns with a long name and PID', () => {
    const long: InstalledRecord = { ...record, agents: [{ name: 'security-review-17', lifecycle: 'always-on' }] };
    const units = new Map([['mosaic-agent@security-review-17.service', new Map(Object.entries({ ActiveState: 'active', UnitFileState: 'enabled', NRestarts: '0', MemoryCurrent: String(1023 * 1024 * 1024), ActiveEnterTimestamp: at(100) }))]]);
    const status = fleetStatus({ record: long, units, windows: new Map([['security-review-17', 4194303]]), drifted: new Set(), knownAgents: [], pending: null, rosterAgents: null, activity: new Map([['security-review-17', { state: 'working', since: NOW / 1000 - 5, source: 'hooks' }]]), waitingRestart: new Set(['security-review-17']), now: NOW });
    expect(status.agents[0]).toMatchObject({ activity: { state: 'working', source: 'hooks' }, flags: ['restart-pending'] });
    const table = renderStatus(status, painter(false));
    expect(table).toMatch(/^AGENT +LIFE +STATE +ACTIVITY +PID +UP +RST +MEM +FLAGS\nsecurity-review… +always +active +working +4194303 +100s +0 +1023M +restart-pending\n/);
    for (const line of table.split('\n').slice(0, 2)) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('a failed on-demand agent is unhealthy too, and a command not found is said', () => {
    const status = health({ ActiveState: 'active', NRestarts: '0' }, { ActiveState: 'failed', NRestarts: '0', ExecMainCode: '1', ExecMainStatus: '127' });
    expect(status.healthy).toBe(false);
    expect(status.agents[1]!.problem).toBe('failed, exit 127 (command not found: not retried; see mosaic-gen logs)');
  });

  it('an always-on agent that does not run is unhealthy; an on-demand one that does not is not', () => {
    expect(health({ ActiveState: 'inactive' }).agents[0]!.problem).toBe('not running');
    expect(health({ ActiveState: 'active' }, { ActiveState: 'inactive' }).healthy).toBe(true);
  });
});

describe('a transcript as plain text', () => {
  it('drops colours, cursor moves, titles and what a carriage return overwrote', () => {
    expect(plainText('\u001b[1;31mred\u001b[0m plain\r\n')).toBe('red plain\n');
    expect(plainText('\u001b]0;title\u0007\u001b[2J\u001b[Hscreen\n')).toBe('screen\n');
    expect(plainText('10%\r50%\r100%\ndone\n')).toBe('100%\ndone\n');
    expect(plainText('\u001b(Bkeep\ttabs\u0008\n')).toBe('keep\ttabs\n');
  });
});

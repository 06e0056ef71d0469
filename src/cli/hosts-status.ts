import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { commandError } from '../errors.js';
import { EnginePlanError, parseEnginePlan } from '../diff/engine-plan.js';
import { processRunner } from '../host/run-command.js';
import { REMOTE_BUNDLE_DIR, STATUS_SCRIPT } from '../render/render-playbooks.js';
import { engineFleetStatus, type FleetStatus } from '../state/fleet-status.js';
import type { CliIO } from './io.js';
import { printDiagnostics } from './print-diagnostics.js';

/** One host of the inventory as `status -i` saw it. */
export interface HostStatus {
  host: string;
  /** null: no fleet is installed there, or the host could not be read (problem says why). */
  status: FleetStatus | null;
  /** Why the host could not be read ("unreachable: …"), which makes the fleet unhealthy. */
  problem: string | null;
  /** Why a host that was read shows no fleet ("no fleet installed: …"), which is no fault. */
  note?: string;
}

/**
 * Every host of the inventory (narrowed by --limit), read by its own installed bundle's engine
 * through `ansible` (ad hoc, the command module), so the inventory's users, ports, keys and
 * groups work as they do for the playbooks. Each host's result comes back as a file of
 * Ansible's tree callback, unreachable hosts included. Prints what is wrong and returns
 * undefined when nothing could be asked at all.
 */
export async function readHostsStatus(io: CliIO, inventory: string, limit: string | undefined, timeoutSeconds: number): Promise<HostStatus[] | undefined> {
  const runner = io.runner ?? processRunner({ ...process.env, ...io.env });
  const tree = mkdtempSync(join(tmpdir(), 'mosaic-gen-status-'));
  try {
    const args = { argv: ['sh', '-c', STATUS_SCRIPT, 'status', REMOTE_BUNDLE_DIR] };
    // A path from the command's directory; anything else (`host1,host2,`) as Ansible reads it.
    const source = existsSync(resolve(io.cwd, inventory)) ? resolve(io.cwd, inventory) : inventory;
    const selection = ['all', '-i', source, ...(limit === undefined ? [] : ['--limit', limit])];
    // The hosts asked, from Ansible itself: a host whose result never came (its tree file could
    // not be written, ansible was killed) is a row of its own, never a host left out of a verdict.
    const listed = await runner('ansible', [...selection, '--list-hosts']);
    const expected = listed.code === 0 ? listed.stdout.split('\n').slice(1).map((l) => l.trim()).filter(Boolean) : [];
    // A host that hangs (a wedged manager or tmux) ends as a row that says so, not as a status
    // that never returns.
    const ran = await runner('ansible', [...selection, '--task-timeout', String(timeoutSeconds), '-m', 'ansible.builtin.command', '-a', JSON.stringify(args), '--tree', tree]);
    const answered = readdirSync(tree);
    const hosts = [...new Set([...expected, ...answered])].sort();
    if (hosts.length === 0) {
      const said = `${ran.stderr}\n${ran.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean).slice(-3).join(' ');
      printDiagnostics(io, [
        ran.code === 127
          ? commandError('mosaic-gen status', 'USAGE', 'ansible is not installed here (status -i runs it)', 'install ansible-core (Debian: apt-get install ansible-core), the same Ansible the playbooks need')
          : commandError('mosaic-gen status', 'USAGE', `no host of ${inventory}${limit === undefined ? '' : ` matching --limit ${limit}`} could be asked${said ? `: ${said}` : ''}`, `check the inventory and the pattern: ansible all -i ${inventory}${limit === undefined ? '' : ` --limit ${limit}`} --list-hosts`),
      ], new Map());
      return undefined;
    }
    return hosts.map((host) =>
      answered.includes(host)
        ? hostStatus(host, readFileSync(join(tree, host), 'utf8'))
        : { host, status: null, problem: `no answer: ansible gave no result for this host${ran.code === 0 ? '' : ` (ansible exited ${ran.code})`}` },
    );
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

interface TreeResult {
  unreachable?: boolean;
  rc?: number;
  stdout?: string;
  stderr?: string;
  msg?: string;
}

function hostStatus(host: string, text: string): HostStatus {
  let result: TreeResult;
  try {
    result = JSON.parse(text) as TreeResult;
  } catch {
    return { host, status: null, problem: 'Ansible\'s result cannot be read' };
  }
  const said = (value: string | undefined) => (value ?? '').trim().split('\n').filter(Boolean).pop() ?? '';
  if (result.unreachable) return { host, status: null, problem: `unreachable: ${said(result.msg)}` };
  const stdout = result.stdout ?? '';
  if (stdout.trim() === 'no-bundle-but-fleet') return { host, status: null, problem: `cannot read its fleet: a fleet is installed there but no bundle in ~/${REMOTE_BUNDLE_DIR} (installed by mosaic-gen apply, or the bundle was removed): run fleet.yml to ship one` };
  if (stdout.trim() === 'no-bundle') return { host, status: null, problem: null, note: `no fleet installed: no bundle in ~/${REMOTE_BUNDLE_DIR} (fleet.yml ships one)` };
  if (result.rc !== 0 && result.rc !== 2) {
    const why = said(result.stderr) || said(result.msg);
    return { host, status: null, problem: `cannot read its fleet: ${why}${why.includes('unknown option --status') ? ' (a bundle from before status -i: ship the fleet again)' : ''}` };
  }
  try {
    const status = engineFleetStatus(parseEnginePlan(stdout), { pending: null, rosterAgents: null }, Date.now());
    return { host, status, problem: null, ...(status === null ? { note: 'no fleet installed: the bundle is there, the fleet is not' } : {}) };
  } catch (error) {
    if (!(error instanceof EnginePlanError)) throw error;
    return { host, status: null, problem: `its bundle's engine answered in an unknown way (${error.message}): ship the fleet again` };
  }
}

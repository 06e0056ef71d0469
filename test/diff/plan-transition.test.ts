import { describe, expect, it } from 'vitest';
import { planTransition, type TargetBuild } from '../../src/diff/plan-transition.js';
import { assembleOutput } from '../../src/emit/assemble-output.js';
import { loadFleetFromText } from '../../src/load/load-fleet.js';
import { AGENT_TEMPLATE_UNIT, envTarget, FLEET_DIR, FLEET_TARGET, HOLDER_UNIT, launchTarget, MANIFEST_TARGET, UNIT_DIR } from '../../src/model/artifact.js';
import type { Manifest } from '../../src/model/manifest.js';
import type { DiskFile, Installed, UnitState } from '../../src/state/read-installed.js';
import { parentDirs } from '../../src/plan/plan-install.js';

/** Builds a roster in memory. */
function build(yaml: string): TargetBuild {
  const { fleet, diagnostics } = loadFleetFromText(yaml, 'roster.yaml');
  if (!fleet) throw new Error(JSON.stringify(diagnostics));
  const output = assembleOutput(fleet, '0.0.0-test');
  return { manifest: output.manifest, text: new Map(output.files.map((f) => [f.path, f.text])) };
}

/** A host where `build` was installed completely, with every enabled unit active. */
function installedHost(from: TargetBuild | null, tweak: (host: { disk: Map<string, DiskFile>; units: Map<string, UnitState> }) => void = () => {}): Installed {
  const disk = new Map<string, DiskFile>();
  const units = new Map<string, UnitState>();
  let pid = 100;
  if (from) {
    for (const f of from.manifest.files) disk.set(f.target, { sha256: f.sha256, text: from.text.get(f.path)!, mode: f.mode, foreign: false });
    disk.set(MANIFEST_TARGET, { sha256: 'x', text: from.text.get('manifest.json')!, mode: '0600', foreign: false });
    for (const u of from.manifest.enable) units.set(u.unit, { active: 'active', mainPid: pid++ });
  }
  tweak({ disk, units });
  return {
    paths: { root: '', configHome: '/home/u/.config', user: 'u' },
    manifest: from ? (JSON.parse(from.text.get('manifest.json')!) as Manifest) : null,
    disk,
    links: new Map((from?.manifest.enable ?? []).map((u) => [`${u.wantedBy}/${u.unit}`, u])),
    units,
    lingerOn: false,
    lingerRecorded: false,
    dirs: new Set(from ? parentDirs([...from.manifest.files.map((f) => f.target), MANIFEST_TARGET]) : []),
    dirsRecorded: new Set(from ? parentDirs([...from.manifest.files.map((f) => f.target), MANIFEST_TARGET]) : []),
  };
}

const BASE = `version: 1
profile: general
runtimes: { claude: { command: [sleep, "1000"] }, codex: { command: [sleep, "2000"] } }
agents:
  - name: coder0
    runtime: codex
`;
const agent = (name: string) => `mosaic-agent@${name}.service`;

describe('planTransition', () => {
  it('a fresh host: every file created, units enabled, the fleet started', () => {
    const target = build(BASE);
    const t = planTransition(target, installedHost(null));
    expect(t.files.every((f) => f.change === 'create')).toBe(true);
    expect(t.units.enable).toEqual([HOLDER_UNIT, agent('coder0'), agent('enhancer'), agent('orchestrator'), FLEET_TARGET]);
    expect(t.units.start).toEqual([FLEET_TARGET]);
    expect(t.ops.filter((op) => op.kind === 'daemon-reload')).toHaveLength(1);
    expect(t.ops.at(-1)).toEqual({ kind: 'install-file', source: 'manifest.json', target: MANIFEST_TARGET, mode: 0o600 });
    expect(t.drift).toEqual([]);
  });

  it('no changes on a host that has the build', () => {
    const target = build(BASE);
    const t = planTransition(target, installedHost(target));
    expect(t.ops).toEqual([]);
    expect(t.counts).toEqual({ add: 0, change: 0, destroy: 0 });
  });

  it('a removed agent is stopped, disabled and its files removed', () => {
    const before = build(BASE);
    const after = build(BASE.replace(/agents:\n {2}- name: coder0\n {4}runtime: codex\n/, 'agents: []\n'));
    const t = planTransition(after, installedHost(before));
    expect(t.units.stop).toEqual([agent('coder0')]);
    expect(t.units.disable).toEqual([agent('coder0')]);
    expect(t.files.filter((f) => f.change === 'delete').map((f) => f.target).sort()).toEqual([envTarget('coder0'), launchTarget('coder0')]);
    expect(t.units.restart).toEqual([]);
    const kinds = t.ops.map((op) => op.kind);
    expect(kinds.indexOf('stop-unit')).toBeLessThan(kinds.indexOf('disable-unit'));
    expect(kinds.indexOf('disable-unit')).toBeLessThan(kinds.indexOf('remove-file'));
  });

  it('a new always-on agent is installed, enabled and started; nothing else restarts', () => {
    const before = build(BASE);
    const after = build(`${BASE}  - name: coder1\n    runtime: codex\n`);
    const t = planTransition(after, installedHost(before));
    expect(t.units.enable).toEqual([agent('coder1')]);
    expect(t.units.start).toEqual([agent('coder1')]);
    expect(t.units.restart).toEqual([]);
    expect(t.daemonReload).toBe(false);
  });

  it("an agent whose env changed is restarted, and only that agent", () => {
    const before = build(BASE);
    const after = build(`${BASE}    env: { TZ: UTC }\n`);
    const t = planTransition(after, installedHost(before));
    expect(t.files.map((f) => `${f.change} ${f.target}`)).toEqual([`update ${FLEET_DIR}/env/coder0.env`]);
    expect(t.units).toEqual({ stop: [], disable: [], enable: [], restart: [agent('coder0')], start: [] });
    expect(t.daemonReload).toBe(false);
  });

  it('a changed agent that is not running is not restarted', () => {
    const before = build(BASE);
    const after = build(`${BASE}    env: { TZ: UTC }\n    lifecycle: on-demand\n`);
    const t = planTransition(after, installedHost(before, ({ units }) => units.delete(agent('coder0'))));
    expect(t.units.restart).toEqual([]);
  });

  it('the holder restarts only when its own unit changed; daemon-reload once', () => {
    const before = build(BASE);
    const session = build(BASE.replace('profile: general', 'profile: general\nfleet: { session: other }'));
    const t = planTransition(session, installedHost(before));
    expect(t.units.restart).toEqual([HOLDER_UNIT]);
    expect(t.ops.filter((op) => op.kind === 'daemon-reload')).toHaveLength(1);
    const envOnly = planTransition(build(BASE.replace('profile: general', 'profile: general\nfleet: { env: { A: b } }')), installedHost(before));
    expect(envOnly.units.restart).toEqual([agent('coder0'), agent('enhancer'), agent('orchestrator')]);
  });

  it('a new always-on agent added with a holder change is started too', () => {
    const before = build(BASE);
    const after = build(`${BASE.replace('profile: general', 'profile: general\nfleet: { tmux: /usr/local/bin/tmux }')}  - name: coder1\n    runtime: codex\n`);
    const t = planTransition(after, installedHost(before));
    expect(t.units.restart).toEqual([HOLDER_UNIT]);
    expect(t.units.enable).toEqual([agent('coder1')]);
    expect(t.units.start).toEqual([agent('coder1')]);
  });

  it('removing an agent\'s envFiles (its drop-in) restarts it', () => {
    const withFiles = build(`${BASE}    envFiles: [/etc/mosaic/x.env]\n`);
    const t = planTransition(build(BASE), installedHost(withFiles));
    expect(t.files.map((f) => `${f.change} ${f.target}`)).toEqual(['delete systemd/user/mosaic-agent@coder0.service.d/env-files.conf']);
    expect(t.units.restart).toEqual([agent('coder0')]);
    expect(t.daemonReload).toBe(true);
  });

  it('an agent enabled by hand is disabled when it leaves the roster', () => {
    const before = build(`${BASE}    lifecycle: on-demand\n`);
    const after = build(BASE.replace(/agents:\n {2}- name: coder0\n {4}runtime: codex\n/, 'agents: []\n'));
    const host = installedHost(before);
    (host.links as Map<string, unknown>).set(`mosaic-fleet.target/${agent('coder0')}`, { unit: agent('coder0'), file: AGENT_TEMPLATE_UNIT, wantedBy: FLEET_TARGET });
    const t = planTransition(after, host);
    expect(t.units.disable).toEqual([agent('coder0')]);
  });

  it('switching to on-demand disables the agent and leaves it running', () => {
    const before = build(BASE);
    const after = build(`${BASE}    lifecycle: on-demand\n`);
    const t = planTransition(after, installedHost(before));
    expect(t.units.disable).toEqual([agent('coder0')]);
    expect(t.units.stop).toEqual([]);
    expect(t.units.restart).toEqual([]);
  });

  it('a hand-edited installed file is drift; already-written new content is not', () => {
    const before = build(BASE);
    const after = build(`${BASE}    env: { TZ: UTC }\n`);
    const edited = planTransition(after, installedHost(before, ({ disk }) => disk.set(envTarget('enhancer'), { sha256: 'hand', text: 'X=1\n', mode: '0600', foreign: false })));
    expect(edited.drift).toEqual([{ target: envTarget('enhancer'), kind: 'edited' }]);
    // An apply interrupted after writing coder0.env: the file already has the new content.
    const newText = after.text.get('env/coder0.env')!;
    const newSha = after.manifest.files.find((f) => f.path === 'env/coder0.env')!.sha256;
    const interrupted = planTransition(after, installedHost(before, ({ disk }) => disk.set(envTarget('coder0'), { sha256: newSha, text: newText, mode: '0600', foreign: false })));
    expect(interrupted.drift).toEqual([]);
    expect(interrupted.units.restart).toEqual([agent('coder0')]);
    expect(interrupted.ops.some((op) => op.kind === 'install-file' && op.target === envTarget('coder0'))).toBe(false);
    // An apply interrupted after removing a file of a removed agent: not drift either.
    const removed = build(BASE.replace(/agents:\n {2}- name: coder0\n {4}runtime: codex\n/, 'agents: []\n'));
    const halfRemoved = planTransition(removed, installedHost(before, ({ disk }) => disk.set(envTarget('coder0'), { sha256: null, text: null, mode: null, foreign: false })));
    expect(halfRemoved.drift).toEqual([]);
    expect(halfRemoved.files.filter((f) => f.change === 'delete')).toHaveLength(2);
  });

  it('uninstall (no build): stops the fleet, disables everything, removes every file, the manifest last but for empty directories', () => {
    const before = build(BASE);
    const t = planTransition(null, installedHost(before));
    expect(t.units.stop[0]).toBe(FLEET_TARGET);
    expect(t.units.disable).toHaveLength(before.manifest.enable.length);
    expect(t.files.every((f) => f.change === 'delete')).toBe(true);
    const removes = t.ops.filter((op) => op.kind === 'remove-file');
    expect(removes.at(-1)).toMatchObject({ target: MANIFEST_TARGET });
    // Resumable: the reload comes before the record goes, and only directory removals after it.
    const record = t.ops.findIndex((op) => op.kind === 'remove-file' && op.target === MANIFEST_TARGET);
    expect(t.ops.findIndex((op) => op.kind === 'daemon-reload')).toBe(record - 1);
    expect(t.ops.slice(record + 1).every((op) => op.kind === 'remove-dir')).toBe(true);
    expect(t.files.some((f) => f.target === `${UNIT_DIR}/${AGENT_TEMPLATE_UNIT}`)).toBe(true);
  });

  it('restarts by meaning: a new header (roster renamed, new version) rewrites files and restarts nothing', () => {
    const before = build(BASE);
    const { fleet } = loadFleetFromText(BASE, 'fleets/prod.yaml');
    const output = assembleOutput(fleet!, '9.9.9');
    const after = { manifest: output.manifest, text: new Map(output.files.map((f) => [f.path, f.text])) };
    const t = planTransition(after, installedHost(before));
    expect(t.files.length).toBeGreaterThan(5);
    expect(t.units.restart).toEqual([]);
    expect(t.units.stop).toEqual([]);
  });

  it('a record without digests (manifest version 1) counts every running agent as changed', () => {
    const before = build(BASE);
    const host = installedHost(before);
    const v1 = { ...host.manifest!, agents: host.manifest!.agents.map((a) => ({ ...a, digest: '' })), holder: 'x' };
    const t = planTransition(before, { ...host, manifest: v1 });
    expect(t.units.restart).toEqual([HOLDER_UNIT]);
  });

  it('offline (no manager): links and files only', () => {
    const target = build(BASE);
    const host = { ...installedHost(null), units: null };
    const t = planTransition(target, host);
    expect(t.ops.some((op) => ['start-unit', 'stop-unit', 'restart-unit', 'daemon-reload'].includes(op.kind))).toBe(false);
    expect(t.units.enable).toHaveLength(5);
  });
});

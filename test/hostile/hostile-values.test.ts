/**
 * Hostile values end to end, on a real systemd user manager with real tmux: args, env values,
 * runtime commands, workdirs, envFiles paths, fleet.path and fleet.tmux full of quotes, `$`,
 * backquotes, backslashes, `%` specifiers, `;`, `&&`, `#`, blanks, unicode, newlines and 64 KiB
 * values reach the agent process byte for byte, and none of them is ever run as a command.
 */
import { mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Document, parse } from 'yaml';
import { startUserManager, type UserManager } from '../harness/user-manager.js';
import { cli } from '../support/cli.js';
import { describeHost } from '../support/host.js';
import { hostileDirNames, hostileEnvFileNames, hostileValues, KIB64 } from './corpus.js';

/** Records what the kernel handed the agent process: argv, environment, working directory. */
const probeScript = (results: string) => `#!/bin/sh
r='${results}'
n=$MOSAIC_AGENT
cat /proc/$$/cmdline >"$r/$n.argv"
cat /proc/$$/environ >"$r/$n.environ"
pwd -P >"$r/$n.cwd"
: >"$r/$n.done"
`;

function environ(bytes: Buffer): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of bytes.toString('utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

interface AgentPlan {
  name: string;
  args: string[];
  env: Record<string, string>;
  workdir: string;
  /** The directory the process must find itself in. */
  cwd: string;
  envFiles: Array<{ path: string; key: string; value: string }>;
}

describeHost('hostile values on a real systemd user manager and tmux', () => {
  let m: UserManager;
  beforeAll(async () => {
    m = await startUserManager();
  });
  afterAll(async () => {
    await m?.stop();
  });

  it('reach the agent byte for byte as args, env values, workdirs, envFiles, PATH and tmux path; nothing runs', async () => {
    const canary = join(m.root, 'canary');
    const results = join(m.home, 'results');
    const probe = join(m.home, 'bin', 'probe');
    for (const d of [canary, results, join(m.home, 'bin'), join(m.home, 'wd'), join(m.home, 'ef')]) mkdirSync(d, { recursive: true });
    writeFileSync(probe, probeScript(results), { mode: 0o755 });

    // fleet.tmux: tmux itself, reached through a path that needs quoting in ExecStart= and sh
    // (quotes and backslashes systemd refuses in an executable: see unrepresentable.test.ts).
    const tmuxDir = join(m.home, `t m u x $X \${Y} %h %% %i ;#&|()<>*? ü💥`);
    mkdirSync(tmuxDir);
    const tmux = join(tmuxDir, 'tmux $(touch c)');
    symlinkSync('/usr/bin/tmux', tmux);

    const values = hostileValues(canary);
    const dirs = hostileDirNames();
    const envFileNames = hostileEnvFileNames();
    const runtimeArgs = ['--from-runtime', `$(touch ${canary}/r1)`, '%h %% $HOME'];
    const runtimeEnv = { RUNTIME_V: `\`touch ${canary}/r2\` %i $HOME "'\\` };
    const fleetEnv = { FLEET_V: `$(touch ${canary}/f1) %h\n\\"'`, LOG_LEVEL: 'info' };
    const pathDirs = [`~/p a't"h $X %h`, `/opt/%%/\\/;#`];

    // Every value as an arg of some agent and as an env value of another; each agent in a hostile dir.
    const agents: AgentPlan[] = dirs.map((dir, i) => {
      const name = i === 0 ? 'orchestrator' : i === 1 ? 'enhancer' : `w${i}`;
      mkdirSync(join(m.home, 'wd', dir));
      const share = <T>(list: T[], k: number) => list.filter((_, j) => j % dirs.length === (i + k) % dirs.length);
      const envFiles = share(envFileNames, 0).map((file, j) => {
        const path = join(m.home, 'ef', file);
        const key = `EF_${i}_${j}`;
        const value = `from envFile ${j} of ${name}: $(touch ${canary}/ef) %h`;
        writeFileSync(path, `${key}='${value}'\n`);
        return { path: i % 2 === 0 ? `~/ef/${file}` : path, key, value };
      });
      return {
        name,
        args: share(values, 0),
        env: Object.fromEntries(share(values, 1).map((v) => [`V${values.indexOf(v)}`, v])),
        workdir: i % 2 === 0 ? `~/wd/${dir}` : join(m.home, 'wd', dir),
        cwd: realpathSync(join(m.home, 'wd', dir)),
        envFiles,
      };
    });
    // Plus every value, on one agent, as one long command line and environment.
    agents[0]!.args = values;

    const roster = {
      version: 1,
      fleet: { linger: false, session: 'hostile', tmux, path: pathDirs, env: fleetEnv },
      runtimes: { claude: { command: [probe, ...runtimeArgs], env: runtimeEnv } },
      agents: agents.map((a, i) => ({
        name: a.name,
        runtime: 'claude',
        ...(i === 0 ? { role: 'orchestrator' } : i === 1 ? { role: 'enhancer' } : {}),
        workdir: a.workdir,
        args: a.args,
        env: a.env,
        ...(a.envFiles.length ? { envFiles: a.envFiles.map((f) => f.path) } : {}),
      })),
    };
    const text = new Document(roster).toString({ defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
    expect(parse(text)).toEqual(roster);
    const rosterPath = join(m.root, 'roster.yaml');
    writeFileSync(rosterPath, text);
    const out = join(m.root, 'out');
    const built = await cli(['build', rosterPath, '-o', out], { cwd: m.root });
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);

    const install = await m.run('sh', [join(out, 'install.sh')], { timeoutMs: 60_000 });
    expect(install.stderr + install.stdout, 'install.sh').toMatch(/install.sh: changed: /);
    expect(install.code, install.stderr).toBe(0);

    const deadline = Date.now() + 30_000;
    const done = () => agents.every((a) => readdirSync(results).includes(`${a.name}.done`));
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!done()) {
      const status = await m.systemctl('status', '--no-pager', 'mosaic-agent@*.service', 'mosaic-tmux-holder.service');
      throw new Error(`not every agent reported within 30 s (${readdirSync(results).join(', ')})\n${status.stdout}\n${readFileSync(m.logFile, 'utf8').slice(-3000)}`);
    }

    const home = m.home;
    const expandedPath = pathDirs.map((p) => (p.startsWith('~/') ? `${home}/${p.slice(2)}` : p));
    for (const agent of agents) {
      const argv = readFileSync(join(results, `${agent.name}.argv`)).toString('utf8').split('\0').slice(0, -1);
      expect(argv, `argv of ${agent.name}`).toEqual(['/bin/sh', probe, ...runtimeArgs, ...agent.args]);
      const env = environ(readFileSync(join(results, `${agent.name}.environ`)));
      const expected: Record<string, string> = { ...fleetEnv, ...runtimeEnv, ...agent.env, MOSAIC_AGENT: agent.name };
      for (const f of agent.envFiles) expected[f.key] = f.value;
      for (const [key, value] of Object.entries(expected)) expect(env.get(key), `${key} of ${agent.name}`).toBe(value);
      expect(env.get('PATH')?.startsWith(`${expandedPath.join(':')}:`), `PATH of ${agent.name}: ${env.get('PATH')}`).toBe(true);
      expect(readFileSync(join(results, `${agent.name}.cwd`), 'utf8'), `cwd of ${agent.name}`).toBe(`${agent.cwd}\n`);
    }
    const longest = Math.max(...agents.flatMap((a) => [...a.args, ...Object.values(a.env)].map((v) => v.length)));
    expect(longest).toBe(KIB64);

    const uninstall = await m.run('sh', [join(out, 'uninstall.sh')], { timeoutMs: 60_000 });
    expect(uninstall.code, uninstall.stderr).toBe(0);
    // Nothing was ever evaluated: not by install.sh, systemd, the launch scripts, tmux or sh.
    expect(readdirSync(canary)).toEqual([]);
    const stray = (readdirSync(m.root, { recursive: true }) as string[]).filter((f) => /(^|\/)(CANARY[^/]*|c)$/.test(f));
    expect(stray, 'files made by an evaluated value').toEqual([]);
    console.log(`${values.length} hostile values (${agents.length} agents, ${dirs.length} workdirs, ${envFileNames.length} envFiles, longest ${longest} bytes) arrived byte for byte; no canary`);
  }, 240_000);
});

/**
 * Test harness: simulated HOSTS on this machine, each a Unix user of its own with a REAL
 * `systemd --user` manager and home, reached over REAL ssh on the loopback address.
 *
 * How it works (root only; built on user-manager.ts's cgroup and process helpers):
 *  - One private mount namespace (held by a `sleep` under `unshare`) with a tmpfs on /run/systemd
 *    (+ /run/systemd/system, so sd_booted() is true there) and on /run/user, where
 *    /run/user/UID belongs to each user: what pam_systemd would make on a real login.
 *  - Per user `mgh<pid><letter>` (useradd, home under the temp root, no password: '*'), a cgroup
 *    `mosaic-mh-<pid>-<rand>/<user>` in the name=systemd and the cgroup2 hierarchies, chowned to the
 *    user (delegation); the manager is moved there by root, enters the namespace, drops to the
 *    user (setpriv, which execs without forking, so its PID is the manager's) and runs
 *    `systemd --user` with HOME and XDG_RUNTIME_DIR=/run/user/UID.
 *  - Debian's sshd in the same namespace (cgroup `.../sshd`, so every session's processes are
 *    found and killed at the end), on 127.0.0.1 and a free high port, with a host key and a
 *    client key made here, UsePAM no (so a connection has no XDG_RUNTIME_DIR, as over Ansible
 *    without a login session), AllowUsers limited to this harness's users.
 *  - stop() kills sshd, the managers, every process in the harness's cgroups and the namespace,
 *    removes the cgroups, the users (userdel -r), their /tmp/tmux-UID and the temp root. A
 *    process-exit hook does the same; the next start sweeps what a crashed run left.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cgroupMounts, killAndRemoveCgroups, pidAlive, registerExitCleanup, runProcess, systemdBinary, userManagerSupport, type RunResult } from './user-manager.js';

const CG_PREFIX = 'mosaic-mh-';
const USER_PREFIX = 'mgh';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface SimHost {
  /** The Unix user (the ansible_user of this host). */
  user: string;
  uid: number;
  gid: number;
  home: string;
  runtimeDir: string;
  /** Run a command as the user inside the namespace, with a login's environment and XDG_RUNTIME_DIR. */
  run(cmd: string, args?: string[], timeoutMs?: number): Promise<RunResult>;
  systemctl(...args: string[]): Promise<RunResult>;
}

export interface SimHosts {
  hosts: SimHost[];
  port: number;
  /** The client key every host accepts. */
  keyFile: string;
  root: string;
  /** An INI inventory: one line per host name given, for the hosts in order; `ports` overrides a host's port (a host nothing listens for). */
  inventory(names: string[], ports?: Record<string, number>): string;
  /** Runs a shell script as root inside the hosts' mount namespace (/run/user is theirs). */
  asRoot(script: string, args?: string[]): Promise<RunResult>;
  stop(): Promise<void>;
}

/**
 * The environment ansible and ansible-playbook run in against these hosts, from a work
 * directory of the caller's: its HOME (Ansible's ~/.ansible), temp and ssh control directories.
 */
export function ansibleEnv(work: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: work,
    LANG: 'C.UTF-8',
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_LOCAL_TEMP: join(work, 'local'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: join(work, 'cp'),
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
  };
}

export function multiHostSupport(): { ok: true } | { ok: false; reason: string } {
  const base = userManagerSupport();
  if (!base.ok) return base;
  for (const tool of ['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/ssh-keygen', '/usr/sbin/useradd', '/usr/sbin/userdel', '/usr/bin/ansible-playbook']) {
    if (!existsSync(tool)) return { ok: false, reason: `${tool} is missing (Debian: openssh-server, openssh-client, passwd, ansible-core)` };
  }
  return { ok: true };
}

function sh(script: string, args: string[] = []): RunResult {
  const r = spawnSync('/bin/sh', ['-c', script, 'mgh', ...args], { encoding: 'utf8', env: { PATH, LANG: 'C.UTF-8' } });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function must(result: RunResult, what: string): RunResult {
  if (result.code !== 0) throw new Error(`${what} failed (${result.code}): ${result.stdout}${result.stderr}`);
  return result;
}

/** Users and cgroups of harness runs whose process is gone. */
function sweepStale(): void {
  for (const m of cgroupMounts()) {
    let names: string[] = [];
    try {
      names = readdirSync(m.path).filter((n) => n.startsWith(CG_PREFIX));
    } catch {
      continue;
    }
    const stale = names.filter((n) => !pidAlive(Number(n.slice(CG_PREFIX.length).split('-')[0])));
    if (stale.length) killAndRemoveCgroups(stale.map((n) => join(m.path, n)));
  }
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const match = new RegExp(`^(${USER_PREFIX}(\\d+)[a-z]):`).exec(line);
    if (match && !pidAlive(Number(match[2]))) sh('userdel -r "$1" 2>/dev/null; true', [match[1]!]);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

const NAMESPACE_SCRIPT = `set -e
pidfile=$1; shift
mount -t tmpfs -o mode=0755 tmpfs /run/systemd
mkdir /run/systemd/system
mount -t tmpfs -o mode=0755 tmpfs /run/user
while [ $# -gt 0 ]; do
  mkdir -m 0700 "/run/user/$1"; chown "$1:$2" "/run/user/$1"; shift 2
done
mkdir -p /run/sshd
echo $$ > "$pidfile"
exec sleep infinity
`;

/** Joins the given cgroups, enters the namespace, then runs the command. */
const ENTER = `for procs in $1; do echo $$ > "$procs"; done
ns=$2; shift 2
exec nsenter -t "$ns" -m -- "$@"`;

export async function startHosts(count: number): Promise<SimHosts> {
  const support = multiHostSupport();
  if (!support.ok) throw new Error(`simulated hosts unavailable: ${support.reason}`);
  sweepStale();
  const root = mkdtempSync(join(tmpdir(), `mgh-${process.pid}-`));
  chmodSync(root, 0o755);
  const cgName = `${CG_PREFIX}${process.pid}-${root.slice(-6)}`;
  const mounts = cgroupMounts().filter((m) => m.tracking || m.v2);
  const cgTops = mounts.map((m) => join(m.path, cgName));
  const users: string[] = [];
  const pids: number[] = [];
  let nsPid = 0;
  let stopped = false;

  const cleanup = (): void => {
    for (const pid of [...pids, nsPid]) {
      if (pid && pidAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    killAndRemoveCgroups(cgTops.filter((d) => existsSync(d)));
    for (const user of users) {
      const uid = sh('id -u "$1"', [user]).stdout.trim();
      sh('userdel -r "$1" 2>/dev/null; true', [user]);
      if (uid) rmSync(`/tmp/tmux-${uid}`, { recursive: true, force: true });
    }
    rmSync(root, { recursive: true, force: true });
  };
  const unregister = registerExitCleanup(cleanup);

  try {
    const hosts: SimHost[] = [];
    for (let i = 0; i < count; i++) {
      const user = `${USER_PREFIX}${process.pid}${String.fromCharCode(97 + i)}`;
      const home = join(root, user);
      users.push(user);
      must(sh('useradd --create-home --home-dir "$2" --shell /bin/sh --password "*" --user-group "$1"', [user, home]), `useradd ${user}`);
      const uid = Number(must(sh('id -u "$1"', [user]), 'id').stdout.trim());
      const gid = Number(must(sh('id -g "$1"', [user]), 'id').stdout.trim());
      const runtimeDir = `/run/user/${uid}`;
      const env = { PATH, HOME: home, USER: user, LOGNAME: user, SHELL: '/bin/sh', LANG: 'C.UTF-8', XDG_RUNTIME_DIR: runtimeDir };
      const host: SimHost = {
        user,
        uid,
        gid,
        home,
        runtimeDir,
        run: (cmd, args = [], timeoutMs = 30_000) =>
          runProcess('nsenter', ['-t', String(nsPid), '-m', '--wd=/', '--', 'setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--init-groups', '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'sh', '-c', 'cd "$HOME" && exec "$@"', 'run', cmd, ...args], { PATH }, '/', undefined, timeoutMs),
        systemctl: (...args) => host.run('systemctl', ['--user', ...args]),
      };
      hosts.push(host);
    }

    // The namespace, with each user's runtime directory.
    const nsPidFile = join(root, 'ns.pid');
    const ns = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'unshare', '--fork', '--kill-child=KILL', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', NAMESPACE_SCRIPT, 'mgh-ns', nsPidFile, ...hosts.flatMap((h) => [String(h.uid), String(h.gid)])], { env: { PATH }, stdio: 'ignore' });
    ns.unref();
    await until('the namespace', () => existsSync(nsPidFile) && readFileSync(nsPidFile, 'utf8').trim() !== '');
    nsPid = Number(readFileSync(nsPidFile, 'utf8').trim());

    // One delegated cgroup and one real user manager per user.
    const systemd = systemdBinary()!;
    for (const host of hosts) {
      const procs: string[] = [];
      for (const top of cgTops) {
        const dir = join(top, host.user);
        mkdirSync(dir, { recursive: true });
        must(sh('chown -R "$1:$2" "$3"', [String(host.uid), String(host.gid), dir]), 'chown cgroup');
        procs.push(join(dir, 'cgroup.procs'));
      }
      const log = join(root, `${host.user}.log`);
      const managerEnv = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'XDG_RUNTIME_DIR'].map((k) => `${k}=${k === 'PATH' ? PATH : k === 'HOME' ? host.home : k === 'USER' || k === 'LOGNAME' ? host.user : k === 'SHELL' ? '/bin/sh' : k === 'LANG' ? 'C.UTF-8' : host.runtimeDir}`);
      const child = spawn('/bin/sh', ['-c', ENTER, 'mgh-enter', procs.join(' '), String(nsPid), 'setpriv', `--reuid=${host.uid}`, `--regid=${host.gid}`, '--init-groups', '--', 'env', '-i', ...managerEnv, 'sh', '-c', 'cd "$HOME" && exec "$@"', 'manager', systemd, '--user', '--log-target=console', '--default-standard-output=inherit', '--default-standard-error=inherit'], { env: { PATH }, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (b: Buffer) => writeFileSync(log, b, { flag: 'a' }));
      child.unref();
      pids.push(child.pid!);
      await until(`${host.user}'s user manager`, () => existsSync(`/proc/${nsPid}/root${host.runtimeDir}/systemd/private`));
      const up = await host.systemctl('is-system-running', '--wait');
      if (!/^(running|degraded)/.test(up.stdout)) throw new Error(`${host.user}'s manager: ${up.stdout}${up.stderr}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
    }

    // sshd on the loopback, keys made here.
    const keyFile = join(root, 'id_ed25519');
    must(sh('ssh-keygen -q -t ed25519 -N "" -C mgh -f "$1" && ssh-keygen -q -t ed25519 -N "" -C mgh-host -f "$2"', [keyFile, join(root, 'host_key')]), 'ssh-keygen');
    for (const host of hosts) {
      const dir = join(host.home, '.ssh');
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${keyFile}.pub`), { mode: 0o600 });
      for (const path of [dir, join(dir, 'authorized_keys')]) chownSync(path, host.uid, host.gid);
    }
    const port = await freePort();
    const config = join(root, 'sshd_config');
    writeFileSync(
      config,
      [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(root, 'host_key')}`, `PidFile ${join(root, 'sshd.pid')}`, 'UsePAM no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
        'AuthorizedKeysFile .ssh/authorized_keys', `AllowUsers ${users.join(' ')}`, 'Subsystem sftp internal-sftp', 'LogLevel ERROR', 'MaxStartups 50', ''].join('\n'),
    );
    const sshdCgroups = cgTops.map((top) => join(top, 'sshd'));
    for (const dir of sshdCgroups) mkdirSync(dir, { recursive: true });
    const sshd = spawn('/bin/sh', ['-c', ENTER, 'mgh-enter', sshdCgroups.map((d) => join(d, 'cgroup.procs')).join(' '), String(nsPid), '/usr/sbin/sshd', '-D', '-e', '-f', config], { env: { PATH }, stdio: ['ignore', 'ignore', 'pipe'] });
    sshd.stderr!.on('data', (b: Buffer) => writeFileSync(join(root, 'sshd.log'), b, { flag: 'a' }));
    sshd.unref();
    pids.push(sshd.pid!);
    await until('sshd', () => accepting(port));

    return {
      hosts,
      port,
      keyFile,
      root,
      inventory: (names, ports = {}) =>
        [
          '[fleet]',
          ...names.map((name, i) => `${name} ansible_host=127.0.0.1 ansible_port=${ports[name] ?? port} ansible_user=${hosts[i]!.user}`),
          '',
          '[all:vars]',
          `ansible_ssh_private_key_file=${keyFile}`,
          'ansible_python_interpreter=/usr/bin/python3',
          "ansible_ssh_common_args='-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR'",
          '',
        ].join('\n'),
      asRoot: (script, args = []) => runProcess('nsenter', ['-t', String(nsPid), '-m', '--', '/bin/sh', '-c', script, 'mgh-root', ...args], { PATH }, '/', undefined, 30_000),
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const host of hosts) await host.systemctl('exit').catch(() => undefined);
        await sleep(200);
        cleanup();
        unregister();
      },
    };
  } catch (error) {
    cleanup();
    unregister();
    throw error;
  }
}

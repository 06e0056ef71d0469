/**
 * Test harness: a REAL `systemd --user` manager per test file, isolated from the machine.
 *
 * How it works (root only; verified with systemd 252, util-linux 2.38, Debian 12, PID 1 not systemd):
 *
 *  - Temp root `/tmp/mum-<nodepid>-XXXXXX/` holds `home/` (HOME), `run/` (XDG_RUNTIME_DIR, 0700),
 *    `tmux/` (TMUX_TMPDIR, 0700) and `manager.log` (the manager's own stderr, for debugging).
 *    Paths are kept short because unix socket paths are limited to 107 bytes.
 *  - The manager runs as
 *      setpriv --pdeathsig KILL -- unshare --fork --kill-child=TERM --mount --propagation private --
 *        sh -c '<join cgroups>; mount -t tmpfs tmpfs /run/systemd; mkdir /run/systemd/system;
 *               exec /lib/systemd/systemd --user --log-target=console'
 *    The tmpfs + `system/` dir make `sd_booted()` true inside the namespace only.
 *    If the node process dies, setpriv/unshare get SIGKILL and the manager SIGTERM (= start
 *    exit.target: all units are stopped, then it exits).
 *  - cgroups: a user manager takes the cgroup it starts in as its root, moves itself into
 *    `<root>/init.scope` and MIGRATES EVERY PROCESS of that cgroup there. Started in the root
 *    cgroup it would grab every process of the machine (observed: PID 1 ended up in /init.scope)
 *    and two managers would share `/app.slice/<unit>` cgroups (stopping a unit in one would kill
 *    the other's processes). So the manager is first moved into its own cgroup
 *    `<hierarchy>/mosaic-um-<nodepid>-<rand>/manager` in every mounted hierarchy except cpuset,
 *    and host commands run by `run()` into `.../host` (name=systemd / cgroup2 hierarchy). `stop()`
 *    and `reboot()` SIGKILL everything left in that tree, so nothing leaks: not tmux servers
 *    started by units, nor ones started by host commands.
 *  - Leftovers of crashed test processes are swept by the next `startUserManager()` (cgroups and
 *    temp dirs whose owner PID is gone) and, best effort, by a `process.on('exit')` hook.
 *
 * Host commands ("as the user"): `run()` executes `nsenter -t <managerPid> -m --wd=<cwd> -- cmd`
 * with `env` (not the test process env). Empirically `systemctl --user`, `systemd-run --user`,
 * tmux and scripts also work OUTSIDE the namespace with just HOME/XDG_RUNTIME_DIR set, EXCEPT
 * anything that checks sd_booted(): outside, `systemctl --user is-system-running` prints
 * "offline" and exits 1. Entering the namespace makes the environment identical to a real
 * login, so `run()` always does it. Note: `nsenter -m` without `--wd` would chdir to `/`.
 * `DBUS_SESSION_BUS_ADDRESS` is not set in `env` (systemctl --user then falls back to
 * `$XDG_RUNTIME_DIR/systemd/private`); the manager itself exports
 * `DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus` to its units (no bus runs there).
 *
 * Units see exactly `env` (HOME, XDG_*, TMUX_TMPDIR, PATH, LANG...) plus what systemd adds
 * (MANAGERPID, INVOCATION_ID, DBUS_SESSION_BUS_ADDRESS, ...), so a tmux server started by a unit
 * and one addressed from `run('tmux', ['-L', name, ...])` share the same socket directory.
 * Unit stdout/stderr: there is no journald (systemd would fall back to /dev/null), so the manager
 * runs with --default-standard-output=inherit --default-standard-error=inherit: unit output lands
 * in `logFile` next to the manager's own messages (units may still set StandardOutput=).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants as fsConstants,
  closeSync,
  existsSync,
  openSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Working directory (default: `home`). */
  cwd?: string;
  /** Extra/overriding variables on top of `UserManager.env`. */
  env?: Record<string, string>;
  /** Written to stdin (stdin is closed either way). */
  input?: string;
  /** Kill the command after this many ms (default 30 000); code is then 124. */
  timeoutMs?: number;
}

export interface UserManager {
  /** Temp root holding home/, run/, tmux/, manager.log. */
  root: string;
  home: string;
  runtimeDir: string;
  tmuxTmpDir: string;
  /** `$HOME/.config` (= XDG_CONFIG_HOME); user units go in `${configHome}/systemd/user`. */
  configHome: string;
  /** `${configHome}/systemd/user`, created empty at start. */
  unitDir: string;
  /** The manager's stderr (appended across reboots). */
  logFile: string;
  /** Current manager PID (changes on reboot). */
  readonly pid: number;
  /** Environment of host commands and of the manager (hence of its units). */
  env: Record<string, string>;
  /** Run a command "as the user" inside the manager's mount namespace. Never rejects on exit code. */
  run(cmd: string, args?: string[], opts?: RunOptions): Promise<RunResult>;
  /** `systemctl --user ...args`. */
  systemctl(...args: string[]): Promise<RunResult>;
  /**
   * Simulated reboot: `tmux -L NAME kill-server` for each socket name, SIGTERM the manager (units
   * are stopped), SIGKILL anything left (units' and host commands' processes), wipe runtimeDir and
   * tmuxTmpDir (tmpfs on a real machine), start a fresh manager on the same HOME and wait until
   * its startup finished (`is-system-running --wait`). Enabled units are running again afterwards.
   */
  reboot(tmuxSockets?: string[]): Promise<void>;
  /** Idempotent: kill manager (by PID) and every process in its cgroups, remove cgroups and temp dirs. */
  stop(): Promise<void>;
}

const SYSTEMD_CANDIDATES = ['/lib/systemd/systemd', '/usr/lib/systemd/systemd'];
const CG_PREFIX = 'mosaic-um-';
const TMP_PREFIX = 'mum-';
const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 10_000;

function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin'])) {
    const p = join(dir, name);
    try {
      accessSync(p, fsConstants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export function systemdBinary(): string | undefined {
  return SYSTEMD_CANDIDATES.find((p) => existsSync(p));
}

export interface CgroupMount {
  path: string;
  /** holds the systemd hierarchy (name=systemd v1, or the unified mount in pure cgroup2 mode) */
  tracking: boolean;
  cpuset: boolean;
  v2: boolean;
}

/** cgroup hierarchies mounted in this (host) mount namespace. */
export function cgroupMounts(): CgroupMount[] {
  const out: CgroupMount[] = [];
  let hasNamedSystemd = false;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    const fstype = post[0];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const path = pre[4]!.replace(/\\040/g, ' ');
    const opts = (post[2] ?? '').split(',');
    const named = opts.includes('name=systemd');
    if (named) hasNamedSystemd = true;
    out.push({ path, tracking: named, cpuset: fstype === 'cgroup' && opts.includes('cpuset'), v2: fstype === 'cgroup2' });
  }
  // Pure cgroup2 ("unified") machines: the single cgroup2 mount is the tracking hierarchy.
  if (!hasNamedSystemd) for (const m of out) if (m.v2) m.tracking = true;
  return out;
}

export function userManagerSupport(): { ok: true } | { ok: false; reason: string } {
  if (process.env.MOSAIC_SKIP_SYSTEMD_TESTS) return { ok: false, reason: 'MOSAIC_SKIP_SYSTEMD_TESTS is set' };
  if (process.platform !== 'linux') return { ok: false, reason: `platform ${process.platform} is not linux` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root (private mount namespace + tmpfs on /run/systemd + cgroups)' };
  if (!systemdBinary()) return { ok: false, reason: `no systemd binary (${SYSTEMD_CANDIDATES.join(', ')})` };
  for (const tool of ['unshare', 'nsenter', 'setpriv', 'systemctl', 'mount']) {
    if (!findExecutable(tool)) return { ok: false, reason: `${tool} not found in PATH` };
  }
  let mounts: CgroupMount[];
  try {
    mounts = cgroupMounts();
  } catch (e) {
    return { ok: false, reason: `cannot read /proc/self/mountinfo: ${String(e)}` };
  }
  if (!mounts.some((m) => m.tracking)) return { ok: false, reason: 'no name=systemd or cgroup2 hierarchy mounted' };
  try {
    accessSync(mounts.find((m) => m.tracking)!.path, fsConstants.W_OK);
  } catch {
    return { ok: false, reason: 'cgroup hierarchy not writable' };
  }
  return { ok: true };
}

// ---------------------------------------------------------------- cgroup helpers (sync: usable in exit hooks)

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function subdirsDepthFirst(dir: string): string[] {
  const out: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) if (e.isDirectory()) out.push(...subdirsDepthFirst(join(dir, e.name)));
  out.push(dir);
  return out;
}

function procsIn(dir: string): number[] {
  const pids: number[] = [];
  for (const d of subdirsDepthFirst(dir)) {
    try {
      for (const l of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (l) pids.push(Number(l));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** SIGKILL every process in the cgroup trees `dirs` until they are empty, then rmdir them. Sync. */
export function killAndRemoveCgroups(dirs: string[]): void {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const pids = dirs.flatMap(procsIn).filter((p) => p !== process.pid);
    if (pids.length === 0 || Date.now() > deadline) break;
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    spawnSync('sleep', ['0.02']);
  }
  for (const dir of dirs) {
    for (const d of subdirsDepthFirst(dir)) {
      for (let i = 0; i < 50; i++) {
        try {
          rmdirSync(d);
          break;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          spawnSync('sleep', ['0.02']); // EBUSY: exiting tasks still attached
        }
      }
    }
  }
}

/** Remove cgroups and temp dirs left behind by test processes that no longer exist. */
function sweepStale(): void {
  for (const m of cgroupMounts()) {
    let names: string[];
    try {
      names = readdirSync(m.path);
    } catch {
      continue;
    }
    const stale = names
      .filter((n) => n.startsWith(CG_PREFIX))
      .filter((n) => {
        const owner = Number(n.slice(CG_PREFIX.length).split('-')[0]);
        return owner !== process.pid && !pidAlive(owner);
      })
      .map((n) => join(m.path, n));
    if (stale.length) killAndRemoveCgroups(stale);
  }
  let tmpNames: string[] = [];
  try {
    tmpNames = readdirSync(tmpdir());
  } catch {
    /* ignore */
  }
  for (const n of tmpNames) {
    if (!n.startsWith(TMP_PREFIX)) continue;
    const owner = Number(n.slice(TMP_PREFIX.length).split('-')[0]);
    if (!owner || owner === process.pid || pidAlive(owner)) continue;
    try {
      rmSync(join(tmpdir(), n), { recursive: true, force: true });
    } catch {
      /* ignore */
    }
  }
}

// ---------------------------------------------------------------- process-exit safety net

const live = new Set<() => void>();
let exitHookInstalled = false;
export function registerExitCleanup(fn: () => void): () => void {
  live.add(fn);
  const unregister = () => void live.delete(fn);
  if (exitHookInstalled) return unregister;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const f of [...live]) {
      try {
        f();
      } catch {
        /* best effort */
      }
    }
  });
  return unregister;
}

// ---------------------------------------------------------------- the manager

const START_SCRIPT = `set -e
systemd=$1; pidfile=$2; shift 2
for procs in "$@"; do echo $$ > "$procs"; done
mkdir -p /run/systemd
mount -t tmpfs -o mode=0755 tmpfs /run/systemd
mkdir -p /run/systemd/system
echo $$ > "$pidfile"
cd "$HOME"
unset PWD OLDPWD
exec "$systemd" --user --log-target=console --default-standard-output=inherit --default-standard-error=inherit
`;

/** Runs the command in the `host` cgroup, then enters the manager's mount namespace. */
const RUN_WRAPPER = `echo $$ > "$1" || exit 125
pid=$2; wd=$3; shift 3
exec nsenter -t "$pid" -m --wd="$wd" -- "$@"`;

export function runProcess(
  file: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  input: string | undefined,
  timeoutMs: number,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout: '', stderr: String(e) });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: timedOut ? 124 : code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (timedOut ? `\n[harness] killed after ${timeoutMs} ms` : ''),
      });
    });
  });
}

export async function startUserManager(): Promise<UserManager> {
  const support = userManagerSupport();
  if (!support.ok) throw new Error(`user manager unavailable: ${support.reason}`);
  const systemd = systemdBinary()!;
  try {
    sweepStale();
  } catch {
    /* best effort */
  }

  const root = mkdtempSync(join(tmpdir(), `${TMP_PREFIX}${process.pid}-`));
  const home = join(root, 'home');
  const runtimeDir = join(root, 'run');
  const tmuxTmpDir = join(root, 'tmux');
  const configHome = join(home, '.config');
  const unitDir = join(configHome, 'systemd', 'user');
  const logFile = join(root, 'manager.log');
  const pidFile = join(root, 'manager.pid');
  mkdirSync(unitDir, { recursive: true });
  for (const d of [runtimeDir, tmuxTmpDir]) {
    mkdirSync(d, { mode: 0o700 });
    chmodSync(d, 0o700);
  }

  const cgName = `${CG_PREFIX}${process.pid}-${root.slice(-6)}`;
  const mounts = cgroupMounts();
  const cgTops = mounts.map((m) => join(m.path, cgName));
  const tracking = mounts.find((m) => m.tracking)!;
  const hostCg = join(tracking.path, cgName, 'host');

  const nodeDir = dirname(process.execPath);
  const basePath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  const env: Record<string, string> = {
    PATH: basePath.split(':').includes(nodeDir) ? basePath : `${basePath}:${nodeDir}`,
    HOME: home,
    USER: 'root',
    LOGNAME: 'root',
    SHELL: '/bin/sh',
    LANG: 'C.UTF-8',
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_CONFIG_HOME: configHome,
    TMUX_TMPDIR: tmuxTmpDir,
  };

  let pid = 0;
  let holder: ReturnType<typeof spawn> | undefined;
  let holderExit: Promise<void> = Promise.resolve();
  let stopped = false;

  const makeCgroups = (): string[] => {
    const procsFiles: string[] = [];
    for (const m of mounts) {
      const top = join(m.path, cgName);
      const mgr = join(top, 'manager');
      try {
        mkdirSync(mgr, { recursive: true });
        if (m.tracking) mkdirSync(hostCg, { recursive: true });
        if (m.cpuset) {
          // v1 cpuset cgroups are unusable until cpus/mems are set; the manager does not need them.
          continue;
        }
        procsFiles.push(join(mgr, 'cgroup.procs'));
      } catch (e) {
        if (m.tracking) throw e;
      }
    }
    return procsFiles;
  };

  const syncKillAll = (): void => {
    if (pid && pidAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    killAndRemoveCgroups(cgTops.filter((d) => existsSync(d)));
  };

  const boot = async (): Promise<void> => {
    const procsFiles = makeCgroups();
    rmSync(pidFile, { force: true });
    const logFd = openSync(logFile, 'a');
    const child = spawn(
      'setpriv',
      ['--pdeathsig', 'KILL', '--', 'unshare', '--fork', '--kill-child=TERM', '--mount', '--propagation', 'private', '--',
        '/bin/sh', '-c', START_SCRIPT, 'mum-start', systemd, pidFile, ...procsFiles],
      { env, cwd: '/', stdio: ['ignore', logFd, logFd], detached: false },
    );
    closeSync(logFd);
    holder = child;
    let exited = false;
    holderExit = new Promise<void>((res) => child.once('exit', () => { exited = true; res(); }));
    child.once('error', () => { exited = true; });
    const socket = join(runtimeDir, 'systemd', 'private');
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(existsSync(socket) && existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim())) {
      if (exited || Date.now() > deadline) {
        syncKillAll();
        const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
        throw new Error(`systemd --user did not come up (${exited ? 'exited' : 'timeout'}); log:\n${log}`);
      }
      await sleep(15);
    }
    pid = Number(readFileSync(pidFile, 'utf8').trim());
    // Wait for the initial transaction (default.target and what it wants) to settle.
    const r = await um.systemctl('is-system-running', '--wait');
    if (!/^(running|degraded)\s*$/.test(r.stdout)) {
      throw new Error(`systemd --user startup: is-system-running --wait → ${r.code} ${r.stdout}${r.stderr}`);
    }
  };

  const shutdown = async (tmuxSockets: string[]): Promise<void> => {
    for (const s of tmuxSockets) {
      if (pid && pidAlive(pid)) await um.run('tmux', ['-L', s, 'kill-server'], { timeoutMs: 5_000 });
    }
    if (pid && pidAlive(pid)) {
      try {
        process.kill(pid, 'SIGTERM'); // user manager: start exit.target, stop all units, exit
      } catch {
        /* gone */
      }
      const deadline = Date.now() + STOP_GRACE_MS;
      while (pidAlive(pid) && Date.now() < deadline) await sleep(20);
    }
    if (holder) {
      await Promise.race([holderExit, sleep(2_000)]);
    }
    syncKillAll();
    pid = 0;
    holder = undefined;
  };

  const um: UserManager = {
    root,
    home,
    runtimeDir,
    tmuxTmpDir,
    configHome,
    unitDir,
    logFile,
    get pid() {
      return pid;
    },
    env,
    run(cmd, args = [], opts = {}) {
      if (stopped || !pid) return Promise.reject(new Error('user manager is not running'));
      const cwd = opts.cwd ?? home;
      return runProcess(
        '/bin/sh',
        ['-c', RUN_WRAPPER, 'mum-run', join(hostCg, 'cgroup.procs'), String(pid), cwd, cmd, ...args],
        { ...env, ...(opts.env ?? {}) },
        cwd,
        opts.input,
        opts.timeoutMs ?? 30_000,
      );
    },
    systemctl(...args) {
      return um.run('systemctl', ['--user', ...args]);
    },
    async reboot(tmuxSockets = []) {
      if (stopped) throw new Error('user manager was stopped');
      await shutdown(tmuxSockets);
      for (const d of [runtimeDir, tmuxTmpDir]) {
        rmSync(d, { recursive: true, force: true });
        mkdirSync(d, { mode: 0o700 });
        chmodSync(d, 0o700);
      }
      await boot();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await shutdown([]);
      } finally {
        live.delete(exitCleanup);
        rmSync(root, { recursive: true, force: true });
      }
    },
  };

  const exitCleanup = (): void => {
    syncKillAll();
    rmSync(root, { recursive: true, force: true });
  };
  registerExitCleanup(exitCleanup);

  try {
    await boot();
  } catch (e) {
    stopped = true;
    live.delete(exitCleanup);
    exitCleanup();
    throw e;
  }
  return um;
}

// ---------------------------------------------------------------- systemd-analyze verify

/**
 * `systemd-analyze --user verify --man=no <dir>/<unit>...` and return its combined output
 * (stdout + stderr). The caller must treat ANY output as a failure: the exit code is 0 for
 * warnings such as "Unknown key 'X' in section [Service], ignoring." or
 * "Ignoring unknown escape sequences".
 *
 * Facts (systemd 252, checked):
 *  - Needs XDG_RUNTIME_DIR pointing at an existing directory (it creates `$XDG_RUNTIME_DIR/systemd/`);
 *    without it: "Failed to lookup RuntimeDirectory path ... Failed to initialize manager". No
 *    running manager is needed. When `env` is omitted a throwaway runtime dir and HOME are used.
 *  - The directories of the given files are put in front of the unit search path, so units in
 *    `dir` that reference each other resolve even when not listed. Only hard dependencies
 *    (Requires=/Requisite=/BindsTo=) on a unit that exists nowhere produce
 *    "X.service: Failed to create X.service/start: Unit Y.service not found."; Wants=/After=/PartOf=
 *    of missing units are silent. Errors of a referenced unit are reported too (recursively).
 *  - Templates CAN be passed directly in 252: `dir/foo@.service` is verified as the instance
 *    `foo@i.service` (messages say `foo@i.service: ...`). An instance path `dir/foo@x.service`
 *    works without any file or symlink of that name (the template in `dir` is used). A bare
 *    instance NAME (no path) gives "Unit foo@x.service not found." unless the template is in the
 *    search path.
 *  - `--man=no`: otherwise every `Documentation=man:...` runs `man` (noise, or failure without man).
 *  - Relative `ExecStart=` first words (`ExecStart=true`) are accepted by 252 without a message;
 *    missing absolute executables give "Command /x is not executable: No such file or directory".
 *    Bad specifiers (`%Z`) are fatal: "Failed to resolve unit specifiers in %Z: Invalid slot".
 *  - `$HOME/.config/systemd/user` of `env.HOME` is in the search path as well.
 */
export async function verifyUnits(
  dir: string,
  units: string[],
  env?: Record<string, string>,
): Promise<string> {
  let scratch: string | undefined;
  let useEnv = env;
  if (!useEnv) {
    scratch = mkdtempSync(join(tmpdir(), `${TMP_PREFIX}${process.pid}-v`));
    mkdirSync(join(scratch, 'run'), { mode: 0o700 });
    mkdirSync(join(scratch, 'home'));
    useEnv = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: join(scratch, 'home'),
      XDG_RUNTIME_DIR: join(scratch, 'run'),
      LANG: 'C.UTF-8',
    };
  }
  try {
    if (!useEnv.XDG_RUNTIME_DIR || !statSync(useEnv.XDG_RUNTIME_DIR).isDirectory()) {
      throw new Error('verifyUnits: env.XDG_RUNTIME_DIR must be an existing directory');
    }
    const files = units.map((u) => (u.startsWith('/') ? u : join(dir, u)));
    const r = await runProcess('systemd-analyze', ['--user', 'verify', '--man=no', ...files], useEnv, dir, undefined, 60_000);
    return (r.stdout + r.stderr).trim();
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Write a file, creating parent directories (small convenience for tests). */
export function writeFileP(path: string, content: string | Buffer, mode?: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, mode === undefined ? undefined : { mode });
}

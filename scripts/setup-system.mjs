// The first step of `npm test`: makes sure the system tools the suite runs are on this machine.
// On Debian as root it installs the missing ones (apt-get update once, then one install); as
// anyone else it prints the exact command to run and fails, so a run never ends in ENOENT halfway.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Every system tool a test runs, with the Debian package that brings it. A tool is a command
 * looked up on PATH, or a list of absolute paths (daemons outside a user's PATH). Extend here.
 */
export const SYSTEM_TOOLS = [
  { tool: 'sh', pkg: 'dash' },
  { tool: 'shellcheck', pkg: 'shellcheck' },
  { tool: 'tmux', pkg: 'tmux' },
  { tool: 'systemctl', pkg: 'systemd' },
  { tool: 'systemd-analyze', pkg: 'systemd' },
  { tool: ['/lib/systemd/systemd', '/usr/lib/systemd/systemd'], pkg: 'systemd' },
  { tool: 'unshare', pkg: 'util-linux' },
  { tool: 'nsenter', pkg: 'util-linux' },
  { tool: 'setpriv', pkg: 'util-linux' },
  { tool: 'mount', pkg: 'mount' },
  { tool: ['/usr/bin/time'], pkg: 'time' },
  { tool: 'ssh', pkg: 'openssh-client' },
  { tool: ['/usr/sbin/sshd'], pkg: 'openssh-server' },
  { tool: 'ansible-playbook', pkg: 'ansible-core' },
  { tool: 'zsh', pkg: 'zsh' },
  { tool: 'pre-commit', pkg: 'pre-commit' },
  { tool: 'ansible-lint', pkg: 'ansible-lint' },
  { tool: ['/usr/sbin/useradd', '/usr/sbin/userdel'], pkg: 'passwd' },
];

const executable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const found = ({ tool }, path) =>
  Array.isArray(tool) ? tool.some(executable) : path.split(delimiter).some((dir) => isAbsolute(dir) && executable(join(dir, tool)));

/** The packages that bring the tools missing from this PATH, sorted and without repeats. */
export function missingPackages(path = process.env.PATH ?? '') {
  return [...new Set(SYSTEM_TOOLS.filter((t) => !found(t, path)).map((t) => t.pkg))].sort();
}

function main() {
  const missing = missingPackages();
  if (missing.length === 0) return 0;
  const names = SYSTEM_TOOLS.filter((t) => missing.includes(t.pkg)).map((t) => (Array.isArray(t.tool) ? t.tool[0] : t.tool));
  const apt = executable('/usr/bin/apt-get');
  if (process.getuid?.() !== 0 || !apt) {
    const command = `sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`;
    process.stderr.write(`setup: the tests need ${names.join(', ')}, missing here.\n`);
    process.stderr.write(apt ? `setup: install them with:\n  ${command}\n` : `setup: install the packages that bring them (on Debian: ${missing.join(' ')}).\n`);
    return 1;
  }
  process.stdout.write(`setup: installing ${missing.join(' ')} (for ${names.join(', ')})\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      process.stderr.write(`setup: apt-get ${args.join(' ')} failed (${r.error ? r.error.message : `exit ${r.status}`})\n`);
      return 1;
    }
  }
  const still = missingPackages();
  if (still.length > 0) {
    process.stderr.write(`setup: still missing after apt-get install: ${still.join(' ')} (is the tool's directory on PATH?)\n`);
    return 1;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();

import { BUNDLE_SCRIPTS, MANIFEST_TARGET, type Artifact } from '../model/artifact.js';

/** Where each host keeps its bundle, relative to the connecting user's home. */
export const REMOTE_BUNDLE_DIR = '.local/share/mosaic-gen/bundle';

export interface ShippedBundle {
  /** The roster host (inventory hostname) it is for; null: the one bundle of a roster without hosts. */
  host: string | null;
  /** Paths inside the bundle, sorted. */
  files: readonly string[];
}

/**
 * out/ansible/fleet.yml and uninstall.yml: plays over every host of the inventory that ship a
 * host its bundle and let the bundle's own scripts decide and act, so Ansible reports exactly
 * what install.sh did. Builtin modules only; every value is written as a JSON string (valid YAML).
 *
 * One task does the work on each host: the controller packs the host's bundle when the task
 * runs (a `pipe` lookup: tar, then base64, so it rides in the module's arguments as text) and the
 * host's shell unpacks it from stdin. One module run and one transfer per host, whatever the
 * fleet's size, and nothing packed is ever written into out/.
 */
export function renderPlaybooks(header: string, session: string, bundles: readonly ShippedBundle[]): Artifact[] {
  const q = JSON.stringify;
  const multiHost = bundles.some((b) => b.host !== null);
  const bundleOf = multiHost ? '{{ playbook_dir }}/../hosts/{{ inventory_hostname }}' : '{{ playbook_dir }}/..';
  // Any bundle's uninstall.sh (with the engine it sources) removes whatever fleet is installed.
  const uninstallBundle = `{{ playbook_dir }}/..${multiHost ? `/hosts/${bundles[0]!.host}` : ''}`;
  const list = (items: readonly string[], indent: string) => (items.length === 0 ? ' []' : items.map((item) => `\n${indent}- ${q(item)}`).join(''));
  const fleetVars = multiHost
    ? `    # Each roster host's bundle (out/hosts/HOST/): the inventory hostname is the roster's host name.
    mosaic_bundles:${bundles.map((b) => `\n      ${q(b.host)}:${list(b.files, '        ')}`).join('')}
    mosaic_here: "{{ inventory_hostname in mosaic_bundles }}"
    mosaic_files: "{{ mosaic_bundles[inventory_hostname] | default([]) }}"`
    : `    # A roster without hosts: every host of the play gets the one bundle.
    mosaic_here: true
    mosaic_files:${list(bundles[0]!.files, '      ')}`;
  const file = (name: string, play: string, usage: string, vars: string, task: string): Artifact => ({
    path: `ansible/${name}`,
    target: '',
    mode: 0o644,
    owner: 'fleet',
    text: `# ${header}
# ${usage}
---
- name: ${play}
  hosts: all
  gather_facts: false
  vars:
    mosaic_session: ${q(session)}
    mosaic_bundle_dir: ${q(REMOTE_BUNDLE_DIR)}
${vars}
    # A host the roster names gets its bundle; any other host, only uninstall.sh and its engine.
    mosaic_pack_dir: "{{ mosaic_source if mosaic_here | bool else mosaic_uninstall_bundle }}"
    mosaic_pack_files: "{{ mosaic_files if mosaic_here | bool else ${q(UNINSTALL_FILES).replaceAll('"', "'")} }}"
  tasks:
${CONVERGE(task)}`,
  });
  return [
    file(
      'fleet.yml',
      `Ship the fleet ${session} to its hosts`,
      'ansible-playbook -i INVENTORY fleet.yml [--limit HOSTS] [--check [--diff]]: install or update the fleet; remove it from hosts the roster does not name.',
      `    mosaic_uninstall_bundle: ${q(uninstallBundle)}\n    mosaic_source: ${q(bundleOf)}\n${fleetVars}`,
      "Ship this host's bundle as one archive and let its install.sh converge the host (uninstall.sh where the roster has no agent)",
    ),
    file(
      'uninstall.yml',
      `Remove the fleet ${session} from every host of the play`,
      'ansible-playbook -i INVENTORY uninstall.yml [--limit HOSTS] [--check]: remove the fleet; another fleet on a host is left alone.',
      `    mosaic_uninstall_bundle: ${q(uninstallBundle)}\n    mosaic_source: ""\n    mosaic_here: false\n    mosaic_files: []`,
      'Ship uninstall.sh and its engine as one archive and remove the fleet where this one is installed',
    ),
  ];
}

const UNINSTALL_FILES = [BUNDLE_SCRIPTS.uninstall, BUNDLE_SCRIPTS.engine];

/**
 * Runs on the controller, from a pipe lookup: the bundle's files as one gzipped tar in base64
 * (a module's arguments are text). Through a temporary file, so that a tar that fails fails the
 * lookup instead of shipping half an archive. Options any tar and base64 take (GNU or BSD: a
 * controller may be a Mac); owners do not travel, as the host unpacks as its user.
 */
export const PACK_SCRIPT = `set -e
archive=$(mktemp)
trap 'rm -f -- "$archive"' EXIT
cd -- "$1"
shift
tar -czf "$archive" -- "$@"
base64 <"$archive" | tr -d '\\n'`;

/**
 * Runs on the host, the archive on its stdin; $1 install or remove, $2 the check mode (True or
 * False), $3 the fleet's session, $4 the bundle's directory below HOME. Exit 3: refused, nothing
 * changed. The bundle directory is replaced whole (unpacked into a private directory beside it,
 * then renamed over it), never written into, and neither it nor anything in it may be a link:
 * the old way (copy into it, then remove what the list lacked) wrote and deleted through a
 * symlinked directory. Which fleet is installed comes from the engine's own check, and which
 * fleet the bundle is of from the marker this script writes beside it.
 */
export const CONVERGE_SCRIPT = `set -eu
umask 077
mode=$1
check=$2
session=$3
say() { printf 'mosaic-gen: %s\\n' "$*" >&2; }
refuse() {
  say "$*"
  say "nothing was changed on this host"
  exit 3
}
case \${HOME-} in
  /*) ;;
  *) refuse "HOME is not an absolute path" ;;
esac
bundle=\${HOME%/}/$4
base=\${bundle%/*}
marker=$bundle.fleet
me=$(id -un)
runtime=\${XDG_RUNTIME_DIR:-/run/user/$(id -u)}
need_manager() {
  if [ ! -d "$runtime" ] || [ -L "$runtime" ] || [ ! -O "$runtime" ]; then
    refuse "$runtime, the runtime directory of $me's user manager, is missing:" \\
      "without it the fleet's units cannot be started or stopped. Enable linger for $me" \\
      "(as root: loginctl enable-linger $me) so the user manager runs without a login," \\
      "or keep a login session of $me open, then run again"
  fi
  XDG_RUNTIME_DIR=$runtime
  export XDG_RUNTIME_DIR
}
no_links() {
  for path in "$base" "$bundle" "$marker"; do
    if [ -L "$path" ]; then
      refuse "$path is a symbolic link: mosaic-gen writes and removes nothing through a link." \\
        "Remove the link (the bundle needs a directory of its own) and run again"
    fi
  done
  for path in "$base" "$bundle"; do
    if [ -e "$path" ] && [ ! -d "$path" ]; then refuse "$path is not a directory; move it away and run again"; fi
  done
  if [ -d "$bundle" ]; then
    link=$(find "$bundle" -type l -print | head -n 1)
    if [ -n "$link" ]; then
      refuse "$link is a symbolic link inside the bundle directory:" \\
        "mosaic-gen writes and removes nothing through a link. Remove it and run again"
    fi
  fi
}
unpack() {
  base64 -d | tar -xzf - -C "$1" --no-same-owner
  odd=$(find "$1" ! -type f ! -type d -print | head -n 1)
  if [ -n "$odd" ]; then refuse "the shipped bundle holds $odd, which is not a regular file"; fi
}
scratch() {
  stage=$(mktemp -d)
  trap 'rm -rf -- "$stage"' EXIT
  unpack "$stage"
}

if [ "$mode" = remove ]; then
  scratch
  # The installed fleet, as the engine reads its record (files only: no user manager needed).
  plan=$(DESTDIR=/ sh "$stage/uninstall.sh" --offline --check --porcelain) || [ $? = 2 ] || exit 1
  installed=$(printf '%s\\n' "$plan" | sed -n 's/^session //p')
  ours=false
  if [ -f "$marker" ] && [ ! -L "$marker" ] && [ "$(cat -- "$marker")" = "$session" ]; then ours=true; fi
  if [ "$installed" != "$session" ] && ! $ours; then exit 0; fi
  no_links
  if [ "$installed" = "$session" ]; then
    need_manager
    if [ "$check" = True ]; then
      sh "$stage/uninstall.sh" --check || exit $?
      exit 0
    fi
    sh "$stage/uninstall.sh"
  fi
  if [ "$check" = True ]; then exit 2; fi
  if [ -d "$bundle" ]; then
    rm -rf -- "$bundle" "$marker"
    (cd "$HOME" && rmdir -p --ignore-fail-on-non-empty -- "\${4%/*}")
    echo "mosaic-gen: changed: removed this fleet's bundle from $base"
  fi
  exit 0
fi

need_manager
no_links
if [ "$check" = True ]; then
  scratch
  sh "$stage/install.sh" --check || exit $?
  exit 0
fi
mkdir -p -- "$base"
# One shipment at a time into this directory; what a killed one left is swept.
exec 9<"$base"
flock -w 60 9 || refuse "another run has been shipping a bundle to $base for 60 s"
for left in "$base"/.bundle.*; do
  if [ -d "$left" ] && [ ! -L "$left" ]; then rm -rf -- "$left"; fi
done
stage=$(mktemp -d "$base/.bundle.XXXXXX")
trap 'rm -rf -- "$stage" "$stage.old" "$stage.fleet"' EXIT
unpack "$stage"
printf '%s\\n' "$session" >"$stage.fleet"
if [ -d "$bundle" ]; then mv -T -- "$bundle" "$stage.old"; fi
mv -T -- "$stage" "$bundle"
mv -T -- "$stage.fleet" "$marker"
rm -rf -- "$stage.old"
sh "$bundle/install.sh"`;

const indent = (text: string, by: string) => text.split('\n').map((line) => (line ? by + line : line)).join('\n');

/** Under --check the bundle goes to a scratch directory, so install.sh --check judges the new build. */
const CONVERGE = (task: string) => `    # The bundle is only the vehicle: what changed on the host is what its script reports.
    - name: ${task}
      ansible.builtin.command:
        argv:
          - sh
          - -c
          - |
${indent(CONVERGE_SCRIPT, '            ')}
          - converge
          - "{{ 'install' if mosaic_here | bool else 'remove' }}"
          - "{{ ansible_check_mode }}"
          - "{{ mosaic_session }}"
          - "{{ mosaic_bundle_dir }}"
        stdin: "{{ lookup('ansible.builtin.pipe', mosaic_pack_argv | map('quote') | join(' ')) }}"
      vars:
        mosaic_pack_argv: "{{ ['sh', '-c', mosaic_pack, 'pack', mosaic_pack_dir] + mosaic_pack_files }}"
        mosaic_pack: |
${indent(PACK_SCRIPT, '          ')}
      register: mosaic_run
      check_mode: false
      changed_when: "mosaic_run.rc == 2 or ': changed: ' in (mosaic_run.stdout_lines[-1:] | join(''))"
      failed_when: false

    - name: Stop at a host the bundle could not converge, saying why
      ansible.builtin.fail:
        msg: "{{ mosaic_run.stderr_lines | join(' ') }}"
      when: mosaic_run.rc not in [0, 2]

    - name: Show what the bundle's script would do or did
      ansible.builtin.debug:
        msg: "{{ mosaic_run.stdout_lines }}"
      when: ansible_diff_mode
`;

/**
 * Runs on each host for `mosaic-gen status -i`: the installed bundle's engine reads the record,
 * the manager and tmux there (`--status`), files only, changing nothing; $1 is the bundle's
 * directory below HOME. A host without a bundle says so in one word, and whether a fleet is
 * installed there all the same.
 */
export const STATUS_SCRIPT = `set -eu
bundle=\${HOME%/}/$1
if [ ! -f "$bundle/${BUNDLE_SCRIPTS.uninstall}" ]; then
  # A fleet installed without a bundle (mosaic-gen apply), or whose bundle is gone, cannot be
  # read here: a fleet nobody can see is not a healthy one.
  case \${XDG_CONFIG_HOME-} in /*) config=$XDG_CONFIG_HOME ;; *) config=\${HOME%/}/.config ;; esac
  if [ -e "$config/${MANIFEST_TARGET}" ]; then echo no-bundle-but-fleet; else echo no-bundle; fi
  exit 0
fi
XDG_RUNTIME_DIR=\${XDG_RUNTIME_DIR:-/run/user/$(id -u)}
export XDG_RUNTIME_DIR
DESTDIR=/ exec sh "$bundle/${BUNDLE_SCRIPTS.uninstall}" --offline --check --porcelain --status`;

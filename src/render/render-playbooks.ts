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
  const file = (name: string, play: string, usage: string, vars: string, tasks: string): Artifact => ({
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
    mosaic_uninstall_bundle: ${q(uninstallBundle)}
${vars}
  tasks:
${PROBE}${tasks}${FORGET_BUNDLE}`,
  });
  return [
    file(
      'fleet.yml',
      `Ship the fleet ${session} to its hosts`,
      'ansible-playbook -i INVENTORY fleet.yml [--limit HOSTS] [--check [--diff]]: install or update the fleet; remove it from hosts the roster does not name.',
      `    mosaic_source: ${q(bundleOf)}\n${fleetVars}`,
      INSTALL + UNINSTALL('not (mosaic_here | bool) and mosaic_installed == mosaic_session'),
    ),
    file(
      'uninstall.yml',
      `Remove the fleet ${session} from every host of the play`,
      'ansible-playbook -i INVENTORY uninstall.yml [--limit HOSTS] [--check]: remove the fleet; another fleet on a host is left alone.',
      '    mosaic_here: false',
      UNINSTALL('mosaic_installed == mosaic_session'),
    ),
  ];
}

/** The login as the user manager will see it, and which fleet is installed and shipped there. */
const PROBE = `    - name: Read the login's home, user id and runtime directory, and the fleet installed there
      ansible.builtin.command:
        argv:
          - sh
          - -c
          - |
            config=\${XDG_CONFIG_HOME:-}
            case $config in /*) ;; *) config=$HOME/.config ;; esac
            session() { sed -n 's/^  "session": "\\(.*\\)",$/\\1/p' "$1" 2>/dev/null; }
            printf 'h%s\\nu%s\\nr%s\\ni%s\\nb%s\\n' "$HOME" "$(id -u)" "\${XDG_RUNTIME_DIR:-}" \\
              "$(session "$config/${MANIFEST_TARGET}")" "$(session "$HOME/$1/manifest.json")"
          - probe
          - "{{ mosaic_bundle_dir }}"
      register: mosaic_login
      changed_when: false
      check_mode: false

    - name: Note the bundle's place, the user manager's runtime directory and the installed fleet
      ansible.builtin.set_fact:
        mosaic_home: "{{ mosaic_login.stdout_lines[0][1:] }}"
        # Without a login session (no pam_systemd) the connection has no XDG_RUNTIME_DIR.
        mosaic_runtime_dir: "{{ mosaic_login.stdout_lines[2][1:] or '/run/user/' ~ mosaic_login.stdout_lines[1][1:] }}"
        mosaic_installed: "{{ mosaic_login.stdout_lines[3][1:] }}"
        mosaic_shipped: "{{ mosaic_login.stdout_lines[4][1:] }}"
`;

/** Under --check the bundle goes to a scratch directory, so install.sh --check judges the new build. */
const INSTALL = `
    - name: Ship and install this host's bundle
      when: mosaic_here | bool
      block:
        - name: Make a scratch directory for the bundle under check mode
          ansible.builtin.tempfile:
            state: directory
            prefix: mosaic-gen-check.
          register: mosaic_scratch
          check_mode: false
          when: ansible_check_mode

        - name: Choose where the bundle goes
          ansible.builtin.set_fact:
            mosaic_dest: "{{ mosaic_scratch.path if ansible_check_mode else mosaic_home ~ '/' ~ mosaic_bundle_dir }}"

        # The bundle is only the vehicle: what changed on the host is what install.sh reports.
        - name: Make the bundle's directories
          ansible.builtin.command:
            argv:
              - sh
              - -c
              - mkdir -p -m 0700 -- "$1" && cd "$1" && mkdir -p -m 0700 -- . $2
              - mkdirs
              - "{{ mosaic_dest }}"
              - "{{ mosaic_files | map('dirname') | unique | join(' ') }}"
          check_mode: false
          changed_when: false

        - name: Ship the bundle
          ansible.builtin.copy:
            src: "{{ mosaic_source }}/{{ item }}"
            dest: "{{ mosaic_dest }}/{{ item }}"
            mode: preserve
          loop: "{{ mosaic_files }}"
          check_mode: false
          changed_when: false
          diff: false

        # Bundle paths are agent names under fixed directories: no spaces, so one word list.
        - name: Remove files of an earlier bundle
          ansible.builtin.command:
            argv:
              - sh
              - -c
              - |
                cd "$1" || exit 1
                find . -type f | while IFS= read -r file; do
                  case " $2 " in *" \${file#./} "*) ;; *) rm -f -- "$file" ;; esac
                done
              - prune
              - "{{ mosaic_dest }}"
              - "{{ mosaic_files | join(' ') }}"
          changed_when: false
          when: not ansible_check_mode

${runScript('{{ mosaic_dest }}', 'install.sh', 'change', 'mosaic_check', 'mosaic_install')}

        - name: Show what install.sh would do or did
          ansible.builtin.debug:
            msg: "{{ (mosaic_check if ansible_check_mode else mosaic_install).stdout_lines }}"
          when: ansible_diff_mode
      always:
        - name: Remove the scratch directory
          ansible.builtin.file:
            path: "{{ mosaic_scratch.path }}"
            state: absent
          check_mode: false
          changed_when: false
          when: mosaic_scratch.path is defined
`;

/**
 * A bundle script's two tasks: under --check, ask it what it would do (changed when it exits 2);
 * otherwise run it (changed when its last line says `changed:`).
 */
function runScript(dir: string, script: string, would: string, checked: string, ran: string): string {
  return `        - name: Ask ${script} what it would ${would}
          ansible.builtin.command:
            argv: [sh, "${dir}/${script}", --check]
          environment:
            XDG_RUNTIME_DIR: "{{ mosaic_runtime_dir }}"
          register: ${checked}
          check_mode: false
          changed_when: ${checked}.rc == 2
          failed_when: ${checked}.rc not in [0, 2]
          when: ansible_check_mode

        - name: Run ${script}
          ansible.builtin.command:
            argv: [sh, "${dir}/${script}"]
          environment:
            XDG_RUNTIME_DIR: "{{ mosaic_runtime_dir }}"
          register: ${ran}
          changed_when: "': changed: ' in (${ran}.stdout_lines[-1:] | join(''))"
          when: not ansible_check_mode`;
}

/** Any build's uninstall.sh removes whatever fleet is installed; it runs only where that fleet is this one. */
const UNINSTALL = (when: string) => `
    - name: Uninstall the fleet
      when: ${when}
      block:
        - name: Make a scratch directory for uninstall.sh and its engine
          ansible.builtin.tempfile:
            state: directory
            prefix: mosaic-gen-uninstall.
          register: mosaic_scratch_uninstall
          check_mode: false

        - name: Ship uninstall.sh and its engine
          ansible.builtin.copy:
            src: "{{ mosaic_uninstall_bundle }}/{{ item }}"
            dest: "{{ mosaic_scratch_uninstall.path }}/{{ item }}"
            mode: "0700"
          loop: [${[BUNDLE_SCRIPTS.uninstall, BUNDLE_SCRIPTS.engine].map((f) => JSON.stringify(f)).join(', ')}]
          check_mode: false
          changed_when: false

${runScript('{{ mosaic_scratch_uninstall.path }}', 'uninstall.sh', 'remove', 'mosaic_uncheck', 'mosaic_uninstall')}
      always:
        - name: Remove the scratch directory of uninstall.sh
          ansible.builtin.file:
            path: "{{ mosaic_scratch_uninstall.path }}"
            state: absent
          check_mode: false
          changed_when: false
          when: mosaic_scratch_uninstall.path is defined
`;

/** A host that no longer runs this fleet keeps no bundle of it, nor the directories made for it. */
const FORGET_BUNDLE = `
    - name: Remove this fleet's bundle from a host that no longer runs it, and its parents where empty
      ansible.builtin.command:
        argv:
          - sh
          - -c
          - rm -r -- "$1" && rmdir --parents --ignore-fail-on-non-empty -- "\${1%/*}"
          - forget
          - "{{ mosaic_bundle_dir }}"
        chdir: "{{ mosaic_home }}"
        removes: "{{ mosaic_home }}/{{ mosaic_bundle_dir }}"
      when: not (mosaic_here | bool) and mosaic_shipped == mosaic_session
`;

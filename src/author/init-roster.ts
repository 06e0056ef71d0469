import type { ProfileSummary } from './list-profiles.js';

/**
 * A starter roster for a profile: every field present or shown in a comment that says what it
 * does, the preset's agents listed so the reader sees the fleet, and `agents: []` for their own.
 * Pure: the caller passes the preset (from listProfiles) and the `$schema` reference to write.
 */
export function initRoster(preset: ProfileSummary, schemaRef: string): string {
  const widths = [12, 15, 9].map((min, column) =>
    Math.max(min, ...preset.agents.map((a) => [a.name, a.role ?? '-', a.runtime][column]!.length + 2)),
  );
  const agentLines = preset.agents.map((a) => `#   ${a.name.padEnd(widths[0]!)}${(a.role ?? '-').padEnd(widths[1]!)}${a.runtime.padEnd(widths[2]!)}${a.lifecycle}`);
  const example = preset.name === 'minimal' ? 'coder1 --runtime codex --role coder' : 'ops --runtime opencode --role operations --lifecycle on-demand';
  const omitExample = preset.agents[preset.agents.length - 1]!.name;
  return `# yaml-language-server: $schema=${schemaRef}
#
# The roster of an AI agent fleet, compiled by mosaic-gen into systemd user units, env files and
# tmux launch scripts. Check it with \`mosaic-gen validate\`; change agents with \`mosaic-gen add\`
# and \`mosaic-gen remove\` (they keep this file's comments) or by hand.

# Roster format version; only 1 exists.
version: 1

# The preset this fleet starts from: general | coding | research | minimal. Its agents are in
# the fleet unless listed under omit:; an entry under agents: with the same name overrides the
# preset's agent field by field. The ${preset.name} preset brings:
#   ${'name'.padEnd(widths[0]!)}${'role'.padEnd(widths[1]!)}${'runtime'.padEnd(widths[2]!)}lifecycle
${agentLines.join('\n')}
profile: ${preset.name}

# How agents are hosted; only tmux exists.
transport: tmux

# Fleet-wide settings.
fleet:
  # The tmux session (and socket) that holds one window per agent.
  session: mosaic
  # true: install turns on loginctl linger so the fleet starts at boot without a login;
  # uninstall turns it off again.
  linger: false
  # Directories put first on every agent's PATH, e.g. [~/.local/bin].
  path: []
  # Environment for every agent, e.g. { LOG_LEVEL: info }. Secrets belong in envFiles.
  env: {}

# Runtimes to override or add. claude, codex, pi and opencode are built in, e.g.:
# runtimes:
#   claude:
#     command: [claude, --verbose]
#     env: { CLAUDE_CONFIG_DIR: ~/.config/claude }

# Hosts, for a fleet spread over several machines, by their Ansible inventory names. With hosts:,
# every agent names the host it runs on (host:), and a build writes one bundle per host
# (out/hosts/HOST/) and out/ansible/fleet.yml to ship them. A host may override linger, path,
# env and tmux of fleet:; one orchestrator serves the whole fleet, on whichever host. E.g.:
# hosts:
#   build1: {}
#   build2: { env: { ZONE: eu }, tmux: /usr/local/bin/tmux }

# Preset agents to leave out, by name, e.g. [${omitExample}]. \`mosaic-gen remove\` adds to it.
omit: []

# Your agents, added to the preset's (or overriding one of them by name). Fields:
#   name       lowercase letters, digits and -; becomes the systemd instance and tmux window name
#   runtime    claude | codex | pi | opencode | a runtime defined under runtimes:
#   role       orchestrator | enhancer | coder | code-review | security-review | research |
#              board | operations | a lowercase name of your own
#   class      orchestrator | worker; follows from role. A fleet has exactly one orchestrator.
#   lifecycle  always-on (default: enabled, starts at boot) | on-demand (installed, started by hand)
#   workdir    an absolute path or ~/...; default ~
#   args       extra arguments after the runtime's command, e.g. [--model, o4]
#   env        environment for this agent, e.g. { TZ: UTC }
#   envFiles   host-local env files (secrets), referenced by path and never copied
#   host       with hosts: the host it runs on (preset agents too: - { name: NAME, host: HOST })
# For example: mosaic-gen add ${example}
agents: []
`;
}

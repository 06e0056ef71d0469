/** Rosters written the way people write them: comments, odd quoting, blank lines, other indents. */
export const ROSTERS: Record<string, string> = {
  commented: `# yaml-language-server: $schema=./schemas/roster.schema.json
# Our fleet.   Two spaces after the dot, on purpose.
version: 1   # always 1
profile: "coding"
transport: 'tmux'

fleet:
  session: 'mosaic'     # quoted for no reason
  env: { LOG_LEVEL: "info", TZ: 'UTC' }

omit: [ coder1 ]   # not needed yet

# ---- agents ----
agents:
  # the boss
  - name: orchestrator
    runtime: "pi"      # trailing comment

  - name: coder0
    workdir: "~/src/app"
    args: ['--model', "o4", 7]
    env:
      QUOTED: "yes"
      NUM: 0700
    # envFiles: [~/.config/mosaic/secrets/codex.env]

  # ops, started by hand
  - name: 'ops'
    runtime: opencode
    role: operations
    lifecycle: on-demand


# trailing comment at the end of the file
`,
  wideIndent: `version: 1
profile: general
agents:
-   name: enhancer
    runtime: codex
-   name: scout
    runtime: claude
    role: research
`,
  noTrailingNewline: `version: 1
profile: minimal
agents:
  - name: coder0
    runtime: codex`,
  crlf: 'version: 1\r\nprofile: general\r\n# agents below\r\nagents:\r\n  - name: helper\r\n    runtime: pi\r\n\r\n# done\r\n',
  seedStyle: `version: 1
transport: tmux
agents:
  - {name: orchestrator, runtime: pi, class: orchestrator}
  - name: enhancer
    runtime: claude
    role: enhancer
`,
  flowAgents: `version: 1
profile: general
agents: [ { name: extra, runtime: pi } ]  # one-liner
`,
  emptyAgents: `version: 1
profile: research
agents: []
`,
  emptyAgentsOwnLine: `version: 1
profile: research
agents:   # none of our own yet
  []
`,
};

/**
 * What `ameide --help` says of the commands whose modules load the whole platform (`dev`,
 * `serve`, `events`): those modules are only imported when the command runs, so every other
 * command starts without them. Each module describes itself with the same text.
 */
export const HEAVY_COMMANDS = {
  dev: 'start the platform on this machine with its embedded defaults (state in <home>)',
  serve: 'run one primitive as a process of its own (a container entrypoint)',
  events: "watch domains' events and handle dead letters (reads the database as the relay role)",
} as const;

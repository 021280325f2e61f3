import { Command } from 'commander';
import { isAmeideError } from '@ameide/sdk';
import { agentCommand } from './commands/agent.js';
import { artifactCommand } from './commands/artifact.js';
import { HEAVY_COMMANDS } from './commands/descriptions.js';
import { extensionCommand } from './commands/extension.js';
import { graphCommand } from './commands/graph.js';
import { loginCommand, whoamiCommand } from './commands/login.js';
import { decisionCommand } from './commands/decision.js';
import { processCommand } from './commands/process-definition.js';
import { projectionCommand } from './commands/projection.js';
import { scaffoldCommand } from './commands/scaffold.js';
import { tenantCommand } from './commands/tenant.js';
import { addProcessRunCommands, taskCommand } from './commands/process-run.js';
import { tokenCommand } from './commands/token.js';

// A reader that goes away early (`ameide process show <id> | head -3`) is not an error: stop
// quietly, as other CLIs do (git dies of SIGPIPE without a word), instead of crashing with an
// unhandled EPIPE stack trace. The exit status is what the command had set (0 if nothing).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit();
  });
}

/** The command asked for: the first argument that is not a global option (`help X` asks for X). */
function requestedCommand(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--home') i++;
    else if (a === 'help') return argv[i + 1];
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

/**
 * `dev`, `serve` and `events` load the whole platform (Temporal, Kafka, NATS, LangGraph, ...):
 * their modules are imported only when asked for, so the other commands start in a fraction
 * of the time; `ameide --help` lists them from their descriptions.
 */
async function heavyCommand(name: keyof typeof HEAVY_COMMANDS): Promise<Command> {
  if (requestedCommand(process.argv) !== name)
    return new Command(name).description(HEAVY_COMMANDS[name]);
  switch (name) {
    case 'dev':
      return (await import('./commands/dev.js')).devCommand();
    case 'serve':
      return (await import('./commands/serve.js')).serveCommand();
    case 'events':
      return (await import('./commands/events.js')).eventsCommand();
  }
}

const proc = processCommand();
addProcessRunCommands(proc);

const program = new Command('ameide')
  .description(
    'Ameide: design business software (processes, agents, domain models) and run it on proven engines.',
  )
  .version('0.1.0')
  .option(
    '--home <dir>',
    'directory for local state: dev key, token, embedded data (env AMEIDE_HOME, default ./.ameide)',
  )
  .showHelpAfterError()
  // Global options go before the command, so commands may have options such as --version.
  .enablePositionalOptions()
  .addCommand(await heavyCommand('dev'))
  .addCommand(await heavyCommand('serve'))
  .addCommand(tokenCommand())
  .addCommand(loginCommand())
  .addCommand(whoamiCommand())
  .addCommand(artifactCommand())
  .addCommand(await heavyCommand('events'))
  .addCommand(extensionCommand())
  .addCommand(projectionCommand())
  .addCommand(graphCommand())
  .addCommand(tenantCommand())
  .addCommand(scaffoldCommand())
  .addCommand(proc)
  .addCommand(decisionCommand())
  .addCommand(agentCommand())
  .addCommand(taskCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (isAmeideError(err)) {
    process.stderr.write(`ameide: ${err.code}: ${err.message}\n`);
    for (const v of err.fieldViolations) process.stderr.write(`  ${v.field}: ${v.description}\n`);
  } else {
    process.stderr.write(`ameide: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  process.exitCode = 1;
}

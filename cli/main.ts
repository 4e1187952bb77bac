import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ApiClient, ApiProblem, connectionFrom } from './client';
import {
  appsCommand,
  diffCommand,
  getCommand,
  historyCommand,
  pushCommand,
  rollbackCommand,
  statusCommand,
  waitFor,
  type Io,
} from './commands';
import { parseDuration } from './duration';
import { CliError, EXIT, exitCodesHelp } from './exit-codes';

/**
 * `propagate`: the REST API from a terminal or a deploy pipeline. Token and URL come from
 * PROPAGATE_TOKEN / PROPAGATE_URL or --token / --url. Exit codes: see cli/exit-codes.ts.
 */

interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** The waiting flags as commander parses them: `--wait` (push, rollback), `--timeout`, `--servers`. */
interface WaitFlags {
  wait?: boolean;
  timeout: number;
  servers?: boolean;
}

/** The waiting flags as the commands take them. */
const waitSettings = (opts: WaitFlags) => ({
  wait: Boolean(opts.wait),
  timeoutMs: opts.timeout,
  servers: Boolean(opts.servers),
});

const positiveInt = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${what} is a whole number from 1`);
  return n;
};

const duration = (value: string) => {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

export function buildProgram(io: Omit<Io, 'json'>): Command {
  const program = new Command('propagate')
    .description('Push configuration to Propagate and wait until every region has it.')
    .option(
      '--url <url>',
      'the Propagate server (default: $PROPAGATE_URL or http://localhost:3000)',
    )
    .option('--token <token>', 'an API token (default: $PROPAGATE_TOKEN)')
    .option('--json', 'print machine-readable JSON on stdout')
    .addHelpText(
      'after',
      `
${exitCodesHelp()}

Example (a deploy pipeline step):
  propagate push acme-storefront config/login.json -m "Deploy $GIT_SHA" --wait --timeout 60s`,
    )
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  const context = (cmd: Command) => {
    const global = cmd.optsWithGlobals<GlobalOptions>();
    const full: Io = { ...io, json: Boolean(global.json) };
    return { io: full, client: () => new ApiClient(connectionFrom(global)) };
  };
  const waitOptions = (cmd: Command) =>
    cmd
      .addOption(
        new Option('--timeout <duration>', 'how long --wait waits (e.g. 60s, 2m)')
          .default(60_000, '60s')
          .argParser(duration),
      )
      .option('--servers', 'also wait for every live server of the app to apply it');

  program
    .command('apps')
    .description('list the apps this token may see')
    .action(async (_opts, cmd: Command) => {
      const { io: o, client } = context(cmd);
      await appsCommand(client(), o);
    });

  program
    .command('get <app>')
    .description('print the current config (secrets masked) or write it to a file')
    .option('-o, --output <file>', 'write the config to this file')
    .option(
      '--version <n>',
      'an older version instead of the current one',
      positiveInt('--version'),
    )
    .action(async (app: string, opts: { output?: string; version?: number }, cmd: Command) => {
      const { io: o, client } = context(cmd);
      await getCommand(client(), o, app, opts);
    });

  program
    .command('diff <app> <file>')
    .description('what pushing the file would change')
    .action(async (app: string, file: string, _opts, cmd: Command) => {
      const { io: o, client } = context(cmd);
      await diffCommand(client(), o, app, file);
    });

  waitOptions(
    program
      .command('push <app> <file>')
      .description(
        'save the file as the app’s next version (and with --wait, wait until it has arrived everywhere)',
      )
      .option('-m, --message <text>', 'a change message for the history')
      .option(
        '--if-match <version>',
        'refuse unless the app is still at this version (default: the current one)',
      )
      .option('--wait', 'wait until every region has it'),
  ).action(
    async (
      app: string,
      file: string,
      opts: { message?: string; ifMatch?: string } & WaitFlags,
      cmd: Command,
    ) => {
      const { io: o, client } = context(cmd);
      await pushCommand(client(), o, app, file, {
        message: opts.message,
        ifMatch: opts.ifMatch,
        ...waitSettings(opts),
      });
    },
  );

  program
    .command('status <app>')
    .description('where the app’s current version has reached, per region')
    .action(async (app: string, _opts, cmd: Command) => {
      const { io: o, client } = context(cmd);
      await statusCommand(client(), o, app);
    });

  waitOptions(
    program
      .command('wait <app>')
      .description('wait until every region holds a version')
      .requiredOption('--version <n>', 'the version to wait for', positiveInt('--version')),
  ).action(async (app: string, opts: { version: number } & WaitFlags, cmd: Command) => {
    const { io: o, client } = context(cmd);
    await waitFor(client(), o, app, opts.version, waitSettings(opts));
  });

  waitOptions(
    program
      .command('rollback <app>')
      .description('save an older version’s config as the next version')
      .requiredOption('--to <n>', 'the version to go back to', positiveInt('--to'))
      .option('-m, --message <text>', 'why (kept in the history)')
      .option(
        '--restore-secrets',
        'also restore the secrets of that version (by default secrets rotated since keep their current values)',
      )
      .option('--wait', 'wait until every region has it'),
  ).action(
    async (
      app: string,
      opts: { to: number; message?: string; restoreSecrets?: boolean } & WaitFlags,
      cmd: Command,
    ) => {
      const { io: o, client } = context(cmd);
      await rollbackCommand(client(), o, app, {
        to: opts.to,
        message: opts.message,
        restoreSecrets: Boolean(opts.restoreSecrets),
        ...waitSettings(opts),
      });
    },
  );

  program
    .command('history <app>')
    .description('the app’s versions, newest first')
    .option('--limit <n>', 'how many', positiveInt('--limit'), 20)
    .action(async (app: string, opts: { limit: number }, cmd: Command) => {
      const { io: o, client } = context(cmd);
      await historyCommand(client(), o, app, Math.min(opts.limit, 100));
    });

  return program;
}

/** Runs the CLI and returns its exit code (main() exits with it). */
export async function runCli(argv: string[], io: Omit<Io, 'json'>): Promise<number> {
  const program = buildProgram(io);
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      const quiet = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
      return quiet.includes(error.code) ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      let message = error.message;
      if (error instanceof ApiProblem && error.status === 401) {
        message +=
          ' Check PROPAGATE_TOKEN: it may have been revoked; an account admin can create a new one on the API tokens page.';
      }
      if (json)
        io.out(
          `${JSON.stringify({ error: { exitCode: error.exitCode, message, details: error.json ?? null } }, null, 2)}\n`,
        );
      io.err(`${message}\n`);
      return error.exitCode;
    }
    io.err(`propagate: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.error;
  }
}

/**
 * `npm run stack:up | stack:down | stack:status`, `npm run stack -- fault <region> <action> [ms]`.
 * The stack directory is `--dir`, else $PROPAGATE_DEVSTACK_DIR, else `.devstack` in the repo root.
 */
import path from 'node:path';
import { FAULT_ACTIONS, type FaultAction } from './control';
import {
  DEMO_REGIONS,
  down,
  fault,
  status,
  up,
  type ProcessStatus,
  type RegionSpec,
} from './stack';
import { chosenStackDir } from './state';

const USAGE = `usage: devstack/cli.ts <command> [--dir D]
  up [--test | --delays 0 | --delays 35,95,110] [--regions eu-west-1,ap-south-1] [--no-mongo] [--tls] [--cluster]
  down
  status [--json]
  fault <region | region#shard (cluster)> latency <ms> | partition | heal | kill | revive`;

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parse(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  const valued = new Set(['--dir', '--delays', '--regions']);
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--')) {
      const [name = arg, inline] = arg.split('=', 2);
      if (inline !== undefined) flags.set(name, inline);
      else if (valued.has(name)) {
        const value = argv[i + 1];
        if (value === undefined) throw new Error(`${name} needs a value`);
        flags.set(name, value);
        i += 1;
      } else flags.set(name, true);
    } else positional.push(arg);
  }
  return { positional, flags };
}

function flag(parsed: Parsed, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function regionsFrom(parsed: Parsed): RegionSpec[] {
  const names =
    flag(parsed, '--regions')?.split(',').filter(Boolean) ?? DEMO_REGIONS.map((r) => r.name);
  const delays = parsed.flags.has('--test') ? ['0'] : flag(parsed, '--delays')?.split(',');
  return names.map((name, i) => {
    const demo = DEMO_REGIONS.find((r) => r.name === name)?.delayMs ?? 0;
    // One value applies to every region; a list is matched by position.
    const raw = delays?.length === 1 ? delays[0] : delays?.[i];
    const delayMs = raw === undefined ? demo : Number(raw);
    if (!Number.isFinite(delayMs) || delayMs < 0)
      throw new Error(`bad delay ${JSON.stringify(raw)} for ${name}`);
    return { name, delayMs };
  });
}

const kb = (value: number | null): string =>
  value === null ? '-' : `${(value / 1024).toFixed(1)} MB`;

function row(p: ProcessStatus): string[] {
  const link =
    p.role === 'replica'
      ? `${p.link ?? '?'}${p.linkDownSinceS !== undefined ? ` (down ${p.linkDownSinceS}s)` : ''}`
      : p.role === 'primary'
        ? `${p.link ?? '?'}, ${p.connectedReplicas ?? 0} replicas`
        : p.role === 'mongo'
          ? (p.tier ?? '')
          : 'control';
  return [
    p.name,
    p.role,
    String(p.pid ?? '-'),
    p.alive ? 'yes' : 'NO',
    String(p.port ?? '-'),
    link,
    p.lagBytes === undefined ? '' : String(p.lagBytes ?? '?'),
    p.delayMs === undefined ? '' : `${p.delayMs} ms`,
    p.partitioned === undefined ? '' : p.partitioned ? 'PARTITIONED' : 'no',
    kb(p.rssKb),
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(): Promise<void> {
  const parsed = parse(process.argv.slice(2));
  const [command, ...rest] = parsed.positional;
  const dir = path.resolve(flag(parsed, '--dir') ?? chosenStackDir());
  const log = (line: string): void => console.log(line);

  switch (command) {
    case 'up': {
      const started = Date.now();
      const info = await up({
        dir,
        regions: regionsFrom(parsed),
        mongo: !parsed.flags.has('--no-mongo'),
        tls: parsed.flags.has('--tls'),
        cluster: parsed.flags.has('--cluster'),
        log,
      });
      console.log(
        `${info.reused ? 'reused' : 'started'} in ${Date.now() - started} ms; mongo tier: ${info.mongoTier ?? 'none'}`,
      );
      for (const [key, value] of Object.entries(info.env))
        console.log(`  ${key}=${/(PASSWORD|_KEYS)$/.test(key) ? `(in ${info.envFile})` : value}`);
      console.log(`env file: ${info.envFile}`);
      return;
    }
    case 'down': {
      const { stopped } = await down(dir, log);
      console.log(stopped ? `devstack in ${dir} stopped` : `no devstack running in ${dir}`);
      return;
    }
    case 'status': {
      const current = await status(dir);
      if (!current) {
        console.log(`no devstack in ${dir}`);
        process.exitCode = 1;
        return;
      }
      if (parsed.flags.has('--json')) {
        console.log(JSON.stringify(current, null, 2));
        return;
      }
      const header = [
        'process',
        'role',
        'pid',
        'alive',
        'port',
        'link',
        'lag B',
        'delay',
        'partition',
        'rss',
      ];
      console.log(
        `devstack ${current.dir}: ${current.phase}, ${current.healthy ? 'healthy' : 'UNHEALTHY'}`,
      );
      console.log(table([header, ...current.processes.map(row)]));
      console.log(`total RSS ${kb(current.totalRssKb)}`);
      for (const problem of current.problems) console.log(`  ! ${problem}`);
      if (!current.healthy) process.exitCode = 1;
      return;
    }
    case 'fault': {
      const [region, action, ms] = rest;
      if (!region || !action || !FAULT_ACTIONS.includes(action as FaultAction))
        throw new Error(USAGE);
      const result = await fault(
        dir,
        region,
        action as FaultAction,
        ms === undefined ? undefined : Number(ms),
      );
      console.log(`${result.region} ${result.action}: ${result.message}`);
      return;
    }
    default:
      console.log(USAGE);
      process.exitCode = command ? 2 : 0;
  }
}

// `stack status | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main().catch((error: Error) => {
  console.error(`devstack: ${error.message}`);
  process.exitCode = 1;
});

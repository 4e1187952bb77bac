import { formatMs } from './duration';
import { regionKey, type AppPropagation, type Snapshot } from './watch';

/** How `push --wait` and `wait` show arrivals: a live table on a terminal, lines when piped. */
export interface Progress {
  update(snapshot: Snapshot): void;
  finish(snapshot: Snapshot): void;
}

interface Options {
  version: number;
  servers: boolean;
  startedAt: number;
  write: (text: string) => void;
}

type NamedRegion = Pick<AppPropagation['regions'][number], 'name' | 'deployment'>;

const manyDeployments = (regions: readonly NamedRegion[]) =>
  new Set(regions.map((r) => r.deployment)).size > 1;

/** A region in a sentence: `deployment/name` while more than one deployment is reported. */
export function regionNamer(regions: readonly NamedRegion[]): (region: NamedRegion) => string {
  return manyDeployments(regions) ? regionKey : (r) => r.name;
}

/**
 * How a region is named in a table: its name, and while more than one cache deployment is
 * reported (a migration) its deployment beside it, so the two us-east-1 rows can be told apart.
 */
export function regionLabeler(regions: readonly NamedRegion[]): (region: NamedRegion) => string {
  const multi = manyDeployments(regions);
  const width = Math.max(16, ...regions.map((r) => r.name.length));
  const deploymentWidth = Math.max(0, ...regions.map((r) => r.deployment.length));
  return (r) =>
    multi
      ? `${r.name.padEnd(width)} ${r.deployment.padEnd(deploymentWidth)}`
      : r.name.padEnd(width);
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠤', '⠇', '⠏'];

/** Each region or server once, when it first holds the version: for logs and pipelines. */
function lineProgress({ version, servers, startedAt, write }: Options): Progress {
  const seen = new Set<string>();
  let announced = false;
  const emit = (snapshot: Snapshot) => {
    if (!announced) {
      announced = true;
      const regions = snapshot.status.regions.length;
      write(
        `Waiting for v${version} in ${regions} region${regions === 1 ? '' : 's'}${servers ? ' and their servers' : ''}…\n`,
      );
    }
    const elapsed = formatMs(Date.now() - startedAt);
    const label = regionLabeler(snapshot.status.regions);
    for (const region of snapshot.status.regions) {
      const key = regionKey(region);
      if (snapshot.regionsDone.has(key) && !seen.has(key)) {
        seen.add(key);
        write(`  ✓ ${label(region)} v${region.stamp?.version ?? version} arrived   +${elapsed}\n`);
      }
    }
    for (const server of snapshot.serversDone) {
      if (seen.has(server)) continue;
      seen.add(server);
      write(`  ✓ ${server.padEnd(28)} applied v${version}   +${elapsed}\n`);
    }
  };
  return { update: emit, finish: emit };
}

/** A table redrawn in place: every region with its state, then the servers per region. */
function ttyProgress({ version, servers, startedAt, write }: Options): Progress {
  let drawn = 0;
  let frame = 0;
  const arrivedAfter = new Map<string, number>();
  const draw = (snapshot: Snapshot, final: boolean) => {
    const lines: string[] = [];
    const spin = SPINNER[frame++ % SPINNER.length] ?? '·';
    const label = regionLabeler(snapshot.status.regions);
    for (const region of snapshot.status.regions) {
      const key = regionKey(region);
      const done = snapshot.regionsDone.has(key);
      if (done && !arrivedAfter.has(key)) arrivedAfter.set(key, Date.now() - startedAt);
      const after = arrivedAfter.get(key);
      const mark = done ? '\x1b[32m✓\x1b[0m' : final ? '\x1b[31m✗\x1b[0m' : spin;
      const held = region.stamp ? `v${region.stamp.version}` : '—';
      const when = after === undefined ? region.label : `arrived +${formatMs(after)}`;
      lines.push(` ${mark} ${label(region)} ${held.padEnd(6)} ${when}`);
      if (servers) {
        const instances = snapshot.instances?.regions.find((r) => r.region === region.name);
        const live = instances?.instances.filter((i) => i.state !== 'stopped') ?? [];
        const on = live.filter((i) => i.version >= version).length;
        if (live.length) lines.push(`     servers: ${on}/${live.length} on v${version}`);
      }
    }
    lines.push(` ${final ? '' : `${spin} `}${formatMs(Date.now() - startedAt)}`);
    // Move up over the previous frame and rewrite it line by line.
    write(`${drawn ? `\x1b[${drawn}F` : ''}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    drawn = lines.length;
  };
  write(`Waiting for v${version}…\n`);
  return { update: (s) => draw(s, false), finish: (s) => draw(s, true) };
}

export function createProgress(opts: Options & { tty: boolean }): Progress {
  return opts.tty ? ttyProgress(opts) : lineProgress(opts);
}

import { readFileSync, writeFileSync } from 'node:fs';
import type { z } from 'zod';
import { diffConfigs, type ConfigChange } from '../lib/config-diff';
import {
  appPageSchema,
  appPropagationSchema,
  configDocumentSchema,
  rolledBackSchema,
  savedConfigSchema,
  versionPageSchema,
} from '../lib/schemas/api';
import { parseConfigInput } from '../lib/schemas/config';
import { ApiProblem, type ApiClient } from './client';
import { formatMs } from './duration';
import { CliError, EXIT } from './exit-codes';
import { createProgress, regionLabeler, regionNamer } from './progress';
import { regionKey, watchVersion, type Snapshot } from './watch';

/** Where a command writes: stdout for results, stderr for notes; `json` for machines. */
export interface Io {
  json: boolean;
  tty: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

const appPath = (appId: string) => `/api/apps/${encodeURIComponent(appId)}`;
const when = (date: Date) => date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
const printJson = (io: Io, value: unknown) => io.out(`${JSON.stringify(value, null, 2)}\n`);

function short(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? '—' : text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

export function describeChange(change: ConfigChange): string {
  const mark = { added: '+', removed: '-', changed: '~' }[change.kind];
  if (change.secret) return `${mark} ${change.label} (${change.path}): secret replaced`;
  const value =
    change.kind === 'changed'
      ? `${short(change.before)} → ${short(change.after)}`
      : short(change.kind === 'added' ? change.after : change.before);
  return `${mark} ${change.label} (${change.path}): ${value}`;
}

/** The config file as the API takes it; not JSON is "invalid" like a config that fails checks. */
function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, EXIT.usage);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`, EXIT.invalid);
  }
}

/** `7`, `v7` or `"v7"` → the ETag `"v7"`. */
export function ifMatchOf(text: string): string {
  const match = /^"?v?(\d+)"?$/.exec(text.trim());
  if (!match) throw new CliError(`--if-match takes a version like v7 (got "${text}")`, EXIT.usage);
  return `"v${match[1]}"`;
}

async function currentEtag(client: ApiClient, appId: string): Promise<string> {
  const answer = await client.request(configDocumentSchema, `${appPath(appId)}/config`);
  return answer.headers.get('etag') ?? `"v${answer.data.version}"`;
}

/** The 412 and 422 answers in words a person can act on. */
export function explainProblem(error: ApiProblem, appId: string): string {
  const p = error.problem;
  if (error.status === 412 && p.current) {
    const lines = [
      `Conflict: ${appId} is at v${p.current.version} now; this change started from v${p.baseVersion ?? '?'}. Nothing was saved.`,
      `  v${p.current.version} by ${p.current.authorName}, ${when(p.current.createdAt)}${p.current.message ? ` — “${p.current.message}”` : ''}`,
      `  Changed since v${p.baseVersion ?? '?'}:`,
      ...(p.theirChanges?.length
        ? p.theirChanges.map((c) => `    ${describeChange(c)}`)
        : ['    (nothing)']),
      '  Your change would have made:',
      ...(p.yourChanges?.length
        ? p.yourChanges.map((c) => `    ${describeChange(c)}`)
        : ['    (nothing)']),
      `Get the current config (propagate get ${appId} -o FILE), re-apply your change and push again.`,
    ];
    return lines.join('\n');
  }
  if (p.errors?.length) {
    return [p.detail, ...p.errors.map((e) => `  ${e.path}: ${e.message}`)].join('\n');
  }
  return p.detail;
}

// ───────────────────────────────────────────── Reading ──────────────────────────────────────────

export async function appsCommand(client: ApiClient, io: Io) {
  const apps: z.output<typeof appPageSchema>['items'] = [];
  let path: string | null = '/api/apps?limit=100';
  while (path) {
    const { data }: { data: z.output<typeof appPageSchema> } = await client.request(
      appPageSchema,
      path,
    );
    apps.push(...data.items);
    path = data.next;
  }
  if (io.json) return printJson(io, apps);
  if (apps.length === 0) return io.out('No apps.\n');
  const width = Math.max(...apps.map((a) => a.id.length), 2);
  for (const app of apps) {
    const change = app.lastChange
      ? `v${app.lastChange.version}  ${when(app.lastChange.createdAt)}  ${app.lastChange.author.name}`
      : 'no configuration yet';
    io.out(`${app.id.padEnd(width)}  ${change}  ${app.name}\n`);
  }
}

export async function getCommand(
  client: ApiClient,
  io: Io,
  appId: string,
  opts: { output?: string; version?: number },
) {
  const path =
    opts.version === undefined
      ? `${appPath(appId)}/config`
      : `${appPath(appId)}/versions/${opts.version}`;
  const { data } = await client.request(configDocumentSchema, path);
  // The file holds the config alone: what a repository keeps and what `push` sends back.
  const text = `${JSON.stringify(data.config, null, 2)}\n`;
  if (opts.output) {
    writeFileSync(opts.output, text);
    io.err(
      `Wrote ${appId} v${data.version} to ${opts.output}. Secrets read "__unchanged__": pushing that back keeps them.\n`,
    );
  }
  if (io.json) printJson(io, data);
  else if (!opts.output) io.out(text);
}

export async function diffCommand(client: ApiClient, io: Io, appId: string, file: string) {
  const parsed = parseConfigInput(readConfigFile(file));
  if (!parsed.ok) {
    const errors = Object.entries(parsed.fieldErrors).flatMap(([path, messages]) =>
      messages.map((message) => ({ path, message })),
    );
    const detail = parsed.formError ?? `${file} does not pass the config checks.`;
    throw new CliError(
      [detail, ...errors.map((e) => `  ${e.path}: ${e.message}`)].join('\n'),
      EXIT.invalid,
      { detail, errors },
    );
  }
  const { data: head } = await client.request(configDocumentSchema, `${appPath(appId)}/config`);
  const changes = diffConfigs(head.config, parsed.data);
  if (io.json) return printJson(io, { appId, from: head.version, changes });
  if (changes.length === 0) return io.out(`${file} equals ${appId} v${head.version}.\n`);
  io.out(
    `${changes.length} change${changes.length === 1 ? '' : 's'} from ${appId} v${head.version} to ${file}:\n`,
  );
  for (const change of changes) io.out(`  ${describeChange(change)}\n`);
}

export async function historyCommand(client: ApiClient, io: Io, appId: string, limit: number) {
  const { data } = await client.request(
    versionPageSchema,
    `${appPath(appId)}/versions?limit=${limit}`,
  );
  if (io.json) return printJson(io, data.items);
  for (const v of data.items) {
    const extra = v.rollbackOf ? ` (rollback to v${v.rollbackOf})` : '';
    const pushed = v.pushedAt ? '' : ' [push pending]';
    io.out(
      `v${String(v.version).padEnd(5)} ${when(v.createdAt)}  ${v.author.name}  ${v.message || '—'}${extra}${pushed}\n`,
    );
  }
  if (data.next) io.out(`… older versions: propagate history ${appId} --limit ${limit * 2}\n`);
}

export async function statusCommand(client: ApiClient, io: Io, appId: string) {
  const { data } = await client.request(appPropagationSchema, `${appPath(appId)}/propagation`);
  if (io.json) return printJson(io, data);
  io.out(
    `${appId}: head v${data.head?.version ?? '—'}, ${data.allInSync ? 'in sync everywhere' : 'not in sync everywhere'}\n`,
  );
  const label = regionLabeler(data.regions);
  for (const r of data.regions) {
    const arrival =
      r.timeToArriveMs === null ? '' : `  arrived ${formatMs(r.timeToArriveMs)} after the commit`;
    io.out(
      `  ${label(r)} ${(r.stamp ? `v${r.stamp.version}` : '—').padEnd(6)} ${r.label}${arrival}\n`,
    );
  }
}

// ───────────────────────────────────────────── Writing ──────────────────────────────────────────

interface WaitOptions {
  wait: boolean;
  timeoutMs: number;
  servers: boolean;
}

/** Waits for `version` with progress; throws the not-converged outcome naming what is missing. */
export async function waitFor(
  client: ApiClient,
  io: Io,
  appId: string,
  version: number,
  opts: Omit<WaitOptions, 'wait'>,
): Promise<Snapshot> {
  const startedAt = Date.now();
  const progress = io.json
    ? null
    : createProgress({ version, servers: opts.servers, startedAt, tty: io.tty, write: io.out });
  const last = await watchVersion(client, appId, version, {
    timeoutMs: opts.timeoutMs,
    servers: opts.servers,
    onSnapshot: (s) => progress?.update(s),
  });
  progress?.finish(last);
  const took = Date.now() - startedAt;
  const summary = {
    appId,
    version,
    converged: last.converged,
    waitedMs: took,
    regions: last.status.regions.map((r) => ({
      name: r.name,
      deployment: r.deployment,
      version: r.stamp?.version ?? null,
      state: r.state,
      arrived: last.regionsDone.has(regionKey(r)),
      explanation: r.explanation,
    })),
    servers: opts.servers
      ? { applied: [...last.serversDone], waiting: [...last.serversWaiting] }
      : undefined,
  };
  if (last.converged) {
    if (io.json) printJson(io, summary);
    else
      io.out(
        `Converged: v${version} is in every region${opts.servers ? ' and on every live server' : ''} (${formatMs(took)}).\n`,
      );
    return last;
  }
  const missing = last.status.regions.filter((r) => !last.regionsDone.has(regionKey(r)));
  const named = regionNamer(last.status.regions);
  const lines = [
    `Not converged after ${formatMs(opts.timeoutMs)}: v${version} has not reached ${missing.length ? missing.map(named).join(', ') : 'every server'}.`,
    ...missing.map((r) => `  ${named(r)}: ${r.label} — ${r.explanation}`),
    ...[...last.serversWaiting].map((s) => `  server ${s} has not applied v${version}`),
    'The version is saved; it keeps propagating. Follow it with: propagate wait ' +
      `${appId} --version ${version}`,
  ];
  throw new CliError(lines.join('\n'), EXIT.notConverged, summary);
}

export async function pushCommand(
  client: ApiClient,
  io: Io,
  appId: string,
  file: string,
  opts: WaitOptions & { message?: string; ifMatch?: string },
) {
  const config = readConfigFile(file);
  const ifMatch = opts.ifMatch ? ifMatchOf(opts.ifMatch) : await currentEtag(client, appId);
  let saved: z.output<typeof savedConfigSchema>;
  try {
    ({ data: saved } = await client.request(savedConfigSchema, `${appPath(appId)}/config`, {
      method: 'PUT',
      body: { config, ...(opts.message ? { message: opts.message } : {}) },
      headers: { 'if-match': ifMatch },
    }));
  } catch (error) {
    if (error instanceof ApiProblem)
      throw new CliError(explainProblem(error, appId), error.exitCode, error.problem);
    throw error;
  }
  if (!io.json || !opts.wait) {
    if (io.json) printJson(io, saved);
    else if (!saved.changed)
      io.out(`Nothing to save: ${file} equals ${appId} v${saved.version}.\n`);
    else
      io.out(
        `Saved ${appId} v${saved.version}${saved.pushed ? '' : ' (cache push pending; the worker retries it)'}.\n`,
      );
  }
  if (opts.wait) await waitFor(client, io, appId, saved.version, opts);
}

export async function rollbackCommand(
  client: ApiClient,
  io: Io,
  appId: string,
  opts: WaitOptions & { to: number; message?: string; restoreSecrets?: boolean },
) {
  const ifMatch = await currentEtag(client, appId);
  let done: z.output<typeof rolledBackSchema>;
  try {
    ({ data: done } = await client.request(rolledBackSchema, `${appPath(appId)}/rollback`, {
      method: 'POST',
      body: {
        toVersion: opts.to,
        ...(opts.message ? { note: opts.message } : {}),
        secrets: opts.restoreSecrets ? 'restore' : 'keep',
      },
      headers: { 'if-match': ifMatch },
    }));
  } catch (error) {
    if (error instanceof ApiProblem)
      throw new CliError(explainProblem(error, appId), error.exitCode, error.problem);
    throw error;
  }
  if (io.json && !opts.wait) printJson(io, done);
  else if (!io.json) {
    io.out(`Rolled ${appId} back to v${done.toVersion} as v${done.version}.\n`);
    const { kept, restored } = done.secrets;
    if (kept.length > 0) io.out(`Kept the current value of: ${kept.join(', ')}\n`);
    if (restored.length > 0) io.out(`Now v${done.toVersion}'s value: ${restored.join(', ')}\n`);
  }
  if (opts.wait) await waitFor(client, io, appId, done.version, opts);
}

/**
 * Example service: serves apps' login-page settings from the Propagate config client, as JSON and
 * as a tiny HTML page, with /healthz showing the version held and how stale it may be.
 *
 *   node --import tsx examples/login-settings-service/main.ts \
 *     --port 4401 --region eu-west-1 --redis-url redis://replica:6379 \
 *     --primary-url redis://primary:6379 --apps acme-storefront,acme-mobile
 *
 * Every flag can also come from the environment: PORT, REGION, REDIS_URL, PRIMARY_URL, APPS,
 * INSTANCE_ID. Without --primary-url the service does not report the version it holds. Redis
 * users and TLS come only from the environment: CONFIG_READER_USERNAME/_PASSWORD for the
 * replica, CONFIG_REPORTER_USERNAME/_PASSWORD for reports, REDIS_TLS_CA_FILE and
 * REDIS_TLS_SERVERNAME for rediss:// URLs. The keys that open the secrets Propagate seals in the
 * cache come from CACHE_SECRET_KEYS.
 *
 * During a cache migration, give it its region's endpoint in every deployment instead
 * (`--deployments legacy=redis://…,global=redis://…`, home first) and each deployment's primary
 * for reports (`--report-urls legacy=redis://…,global=redis://…`): it then follows the
 * active-deployment marker without a restart.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import {
  AppArchivedError,
  connectionFromEnv,
  createConfigClient,
  createFollowingConfigClient,
  ConfigNotReadyError,
  secretKeysFromEnv,
  type FollowingConfigClient,
} from '../../lib/config-client/index';
import { renderLoginPage } from './login-page';
import { loginSettings } from './login-settings';

const { values: flags } = parseArgs({
  options: {
    port: { type: 'string' },
    region: { type: 'string' },
    'redis-url': { type: 'string' },
    'primary-url': { type: 'string' },
    apps: { type: 'string' },
    'instance-id': { type: 'string' },
    'stamp-check-ms': { type: 'string' },
    'report-ms': { type: 'string' },
    deployments: { type: 'string' },
    'report-urls': { type: 'string' },
  },
});

function setting(flag: string | undefined, envName: string, required = true): string | undefined {
  const value = flag ?? process.env[envName];
  if (required && !value) {
    console.error(
      `login-settings-service: missing --${envName.toLowerCase().replace(/_/g, '-')} (or ${envName})`,
    );
    process.exit(2);
  }
  return value;
}

const port = Number(setting(flags.port, 'PORT'));
const region = setting(flags.region, 'REGION') ?? '';
/** `name=url,name=url` → [[name, url], …] */
const pairs = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .filter(Boolean)
    .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]);
const deployments = pairs(flags.deployments);
const reportUrls = new Map(pairs(flags['report-urls']).map(([name, url]) => [name, url]));
const redisUrl = deployments.length ? '' : (setting(flags['redis-url'], 'REDIS_URL') ?? '');
const primaryUrl = setting(flags['primary-url'], 'PRIMARY_URL', false);
const apps = (setting(flags.apps, 'APPS') ?? '')
  .split(',')
  .map((a) => a.trim())
  .filter(Boolean);
const instanceId = setting(flags['instance-id'], 'INSTANCE_ID', false);
const log = (line: string) => console.log(`[${instanceId ?? 'login-settings'} ${region}] ${line}`);

const common = {
  region,
  apps,
  ...(instanceId ? { instanceId } : {}),
  ...(flags['stamp-check-ms'] ? { stampCheckIntervalMs: Number(flags['stamp-check-ms']) } : {}),
  logger: { info: log, warn: log },
  secretKeys: secretKeysFromEnv(process.env),
};
const reportEvery = flags['report-ms'] ? { intervalMs: Number(flags['report-ms']) } : {};
const following: FollowingConfigClient<unknown> | null = deployments.length
  ? createFollowingConfigClient({
      ...common,
      deployments: deployments.map(([name = '', url = '']) => ({
        name,
        redisUrl: url,
        ...(reportUrls.get(name) ? { reportUrl: reportUrls.get(name) } : {}),
      })),
      // One set of users and one CA for every deployment; the home deployment's URL decides TLS.
      connection: connectionFromEnv(process.env, 'CONFIG_READER', deployments[0]?.[1] ?? ''),
      ...(reportUrls.size
        ? {
            report: {
              ...reportEvery,
              connection: connectionFromEnv(
                process.env,
                'CONFIG_REPORTER',
                [...reportUrls.values()][0] ?? '',
              ),
            },
          }
        : {}),
    })
  : null;
const client =
  following ??
  createConfigClient({
    ...common,
    redisUrl,
    connection: connectionFromEnv(process.env, 'CONFIG_READER', redisUrl),
    ...(primaryUrl
      ? {
          report: {
            redisUrl: primaryUrl,
            connection: connectionFromEnv(process.env, 'CONFIG_REPORTER', primaryUrl),
            ...reportEvery,
          },
        }
      : {}),
  });
client.onChange(({ appId, current, previous, archived, source }) => {
  if (archived) {
    log(
      `${appId}: archived in Propagate at v${archived.version}; no longer serving it (${source})`,
    );
    return;
  }
  if (!current) return;
  const lag = current.committedAt
    ? ` ${current.appliedAt - current.committedAt} ms after commit`
    : '';
  log(`${appId}: v${previous?.version ?? '-'} → v${current.version} (${source})${lag}`);
});

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function health() {
  const status = client.status();
  const held = Object.fromEntries(
    apps.map((appId) => {
      const entry = client.peek(appId);
      const archived = client.archived(appId);
      return [
        appId,
        entry
          ? {
              version: entry.version,
              appliedAt: entry.appliedAt,
              stalenessMs: client.staleness(appId),
            }
          : archived
            ? // Archived in Propagate: known and deliberately not served.
              { archived: true, version: archived.version, archivedAt: archived.appliedAt }
            : null,
      ];
    }),
  );
  const loaded = Object.values(held).every(Boolean);
  return {
    httpStatus: loaded ? 200 : 503,
    body: {
      status: !loaded ? 'starting' : status.stalenessMs > 0 ? 'stale' : 'ok',
      instanceId: client.instanceId,
      region,
      ...status,
      ...(following && { cache: following.source() }),
      apps: held,
    },
  };
}

function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET') return send(res, 405, { error: 'Only GET is served.' });
  if (url.pathname === '/healthz') {
    const { httpStatus, body } = health();
    return send(res, httpStatus, body);
  }
  const match = /^\/apps\/([a-z0-9][a-z0-9-]{1,62})\/(login-settings|login)$/.exec(url.pathname);
  if (!match)
    return send(res, 404, { error: 'Try /healthz or /apps/{appId}/login-settings.', apps });
  const [, appId = '', view] = match;
  if (!apps.includes(appId))
    return send(res, 404, { error: `This service does not serve app "${appId}".` });
  try {
    const entry = client.get(appId);
    const settings = loginSettings(entry.config);
    const stalenessMs = client.staleness(appId);
    const headers = { 'x-config-version': String(entry.version) };
    if (view === 'login') {
      return send(
        res,
        200,
        renderLoginPage(settings, {
          appId,
          version: entry.version,
          region,
          instanceId: client.instanceId,
          stalenessMs,
        }),
        headers,
      );
    }
    return send(
      res,
      200,
      {
        appId,
        version: entry.version,
        checksum: entry.checksum,
        appliedAt: entry.appliedAt,
        stalenessMs,
        settings,
      },
      headers,
    );
  } catch (error) {
    // 410 Gone: the app was archived, so this service stopped serving it on purpose.
    if (error instanceof AppArchivedError) {
      return send(res, 410, { error: error.message, archived: true, version: error.version });
    }
    if (error instanceof ConfigNotReadyError) return send(res, 503, { error: error.message });
    throw error;
  }
}

const server = createServer((req, res) => {
  try {
    handle(req, res);
  } catch (error) {
    log(`request failed: ${String(error)}`);
    send(res, 500, { error: 'Internal error.' });
  }
});
server.listen(port, '127.0.0.1', () =>
  log(`listening on http://127.0.0.1:${port}, serving ${apps.join(', ')}`),
);

for (const appId of apps) {
  client.ready(appId).catch((error: unknown) => log(`${String(error)}`));
}

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  await client.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

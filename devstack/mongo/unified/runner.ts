import { readFileSync } from 'node:fs';
import { EJSON } from 'bson';
import {
  type CommandFailedEvent,
  type CommandStartedEvent,
  type CommandSucceededEvent,
  type MongoClient as Client,
  MongoClient,
  MongoServerError,
} from 'mongodb';
import { type MatchContext, match, sameData } from './match.js';
import {
  type Entity,
  UnsupportedOperation,
  bulkErrorResult,
  driverOptions,
  runEntityOp,
} from './operations.js';

type Doc = Record<string, unknown>;

/**
 * A small runner for MongoDB's Unified Test Format (the CRUD subset): entities, initialData,
 * operations with expectResult / expectError, expectEvents for command events, outcome and the
 * runOnRequirements rules. It drives the official Node driver against any server.
 */
export interface TestFile {
  description: string;
  schemaVersion: string;
  runOnRequirements?: Doc[];
  createEntities?: Doc[];
  initialData?: CollectionData[];
  tests: TestCase[];
}

interface CollectionData {
  collectionName: string;
  databaseName: string;
  createOptions?: Doc;
  documents: Doc[];
}

export interface TestCase {
  description: string;
  runOnRequirements?: Doc[];
  skipReason?: string;
  operations: Operation[];
  expectEvents?: Array<{
    client: string;
    eventType?: string;
    events: Doc[];
    ignoreExtraEvents?: boolean;
  }>;
  outcome?: CollectionData[];
}

interface Operation {
  name: string;
  object: string;
  arguments?: Doc;
  expectResult?: unknown;
  expectError?: Doc;
  saveResultAsEntity?: string;
  ignoreResultAndError?: boolean;
}

export interface ServerInfo {
  version: number[];
  topology: 'single' | 'replicaset' | 'sharded' | 'load-balanced';
  auth: boolean;
}

/** Major.minor schema versions this runner understands (1.x up to what the CRUD files use). */
const SUPPORTED_SCHEMA_MAJOR = 1;

export function loadTestFile(path: string): TestFile {
  return EJSON.parse(readFileSync(path, 'utf8'), { relaxed: true }) as TestFile;
}

export async function serverInfo(client: Client, uri: string): Promise<ServerInfo> {
  const admin = client.db('admin');
  const build = await admin.command({ buildInfo: 1 });
  const hello = await admin.command({ hello: 1 });
  const version = String(build.version)
    .split(/[.-]/)
    .slice(0, 3)
    .map((p) => Number.parseInt(p, 10) || 0);
  const topology =
    hello.msg === 'isdbgrid'
      ? 'sharded'
      : hello.serviceId !== undefined
        ? 'load-balanced'
        : hello.setName !== undefined
          ? 'replicaset'
          : 'single';
  return { version, topology, auth: /\/\/[^/@]+@/.test(uri) };
}

const parseVersion = (v: string): number[] => v.split('.').map((p) => Number.parseInt(p, 10) || 0);

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Why a requirement is unmet, or null when the server satisfies it. */
function unmet(req: Doc, info: ServerInfo): string | null {
  if (typeof req.minServerVersion === 'string') {
    if (compareVersions(info.version, parseVersion(req.minServerVersion)) < 0)
      return `needs server ≥ ${req.minServerVersion}`;
  }
  if (typeof req.maxServerVersion === 'string') {
    const max = parseVersion(req.maxServerVersion);
    if (compareVersions(info.version.slice(0, max.length), max) > 0)
      return `needs server ≤ ${req.maxServerVersion}`;
  }
  if (Array.isArray(req.topologies)) {
    const tops = req.topologies as string[];
    const ok =
      tops.includes(info.topology) ||
      (info.topology === 'sharded' && tops.includes('sharded-replicaset'));
    if (!ok) return `needs topology ${tops.join('/')}`;
  }
  if (req.serverless === 'require') return 'needs Atlas Serverless';
  if (req.auth === true && !info.auth) return 'needs authentication';
  if (req.auth === false && info.auth) return 'needs no authentication';
  if (req.authMechanism !== undefined) return 'needs an authentication mechanism';
  if (req.csfle !== undefined && req.csfle !== false)
    return 'needs client-side field level encryption';
  if (req.serverParameters !== undefined) return 'needs server parameters the runner does not read';
  return null;
}

/** Null when one of the requirements is met (or there are none), else why none is. */
export function requirementsUnmet(reqs: Doc[] | undefined, info: ServerInfo): string | null {
  if (!reqs || reqs.length === 0) return null;
  const reasons: string[] = [];
  for (const r of reqs) {
    const why = unmet(r, info);
    if (!why) return null;
    reasons.push(why);
  }
  return reasons.join(' or ');
}

export function schemaUnsupported(file: TestFile): string | null {
  const major = Number.parseInt(file.schemaVersion, 10);
  return major === SUPPORTED_SCHEMA_MAJOR ? null : `schema version ${file.schemaVersion}`;
}

type CommandEvent = CommandStartedEvent | CommandSucceededEvent | CommandFailedEvent;
interface Observed {
  type: 'commandStartedEvent' | 'commandSucceededEvent' | 'commandFailedEvent';
  event: CommandEvent;
}

const SENSITIVE = new Set([
  'authenticate',
  'saslStart',
  'saslContinue',
  'getnonce',
  'createUser',
  'updateUser',
  'copydbgetnonce',
  'copydbsaslstart',
  'copydb',
  'hello',
  'ismaster',
  'isMaster',
]);

/** The error an operation raised where none was expected; kept for refusal checks. */
export class OperationFailed extends Error {
  constructor(
    message: string,
    readonly cause: unknown,
  ) {
    super(message);
  }
}

export class AssertionFailed extends Error {}

function errorSummary(err: unknown): string {
  if (err instanceof MongoServerError)
    return `${err.codeName ?? ''}(${String(err.code)}): ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Runs one test; resolves when it passed, rejects with the reason when it did not. */
export async function runTest(
  file: TestFile,
  test: TestCase,
  uri: string,
  internal: Client,
): Promise<void> {
  for (const data of file.initialData ?? []) {
    const db = internal.db(data.databaseName);
    await db.collection(data.collectionName).drop({ writeConcern: { w: 'majority' } });
    if (data.createOptions || data.documents.length === 0)
      await db.createCollection(data.collectionName, {
        ...data.createOptions,
        writeConcern: { w: 'majority' },
      });
    if (data.documents.length)
      await db
        .collection(data.collectionName)
        .insertMany(data.documents, { writeConcern: { w: 'majority' } });
  }

  const entities = new Map<string, Entity>();
  const events = new Map<string, Observed[]>();
  const clients: Client[] = [];
  const failPoints: Array<{ client: Client; name: string }> = [];
  const ctx: MatchContext = {
    entity: (name) => {
      const e = entities.get(name);
      return e?.kind === 'value' ? e.value : undefined;
    },
  };

  const createEntities = (list: Doc[]): void => {
    for (const spec of list) {
      const [kind, body] = Object.entries(spec)[0] as [string, Doc];
      const id = String(body.id);
      if (entities.has(id)) throw new AssertionFailed(`entity ${id} defined twice`);
      if (kind === 'client') {
        const observe = new Set((body.observeEvents as string[] | undefined) ?? []);
        const ignored = new Set((body.ignoreCommandMonitoringEvents as string[] | undefined) ?? []);
        const client = new MongoClient(uri, {
          ...(body.uriOptions as Doc | undefined),
          monitorCommands: observe.size > 0,
          serverSelectionTimeoutMS: 5000,
        });
        const list: Observed[] = [];
        const keep = (type: Observed['type']) => (event: CommandEvent) => {
          if (!observe.has(type) || ignored.has(event.commandName)) return;
          if (event.commandName === 'configureFailPoint') return;
          if (SENSITIVE.has(event.commandName) && !body.observeSensitiveCommands) return;
          list.push({ type, event });
        };
        client.on('commandStarted', keep('commandStartedEvent'));
        client.on('commandSucceeded', keep('commandSucceededEvent'));
        client.on('commandFailed', keep('commandFailedEvent'));
        clients.push(client);
        events.set(id, list);
        entities.set(id, { kind: 'client', client });
      } else if (kind === 'database') {
        const parent = entities.get(String(body.client));
        if (parent?.kind !== 'client')
          throw new AssertionFailed(`no client ${String(body.client)}`);
        entities.set(id, {
          kind: 'database',
          db: parent.client.db(String(body.databaseName), driverOptions(body.databaseOptions)),
        });
      } else if (kind === 'collection') {
        const parent = entities.get(String(body.database));
        if (parent?.kind !== 'database')
          throw new AssertionFailed(`no database ${String(body.database)}`);
        entities.set(id, {
          kind: 'collection',
          coll: parent.db.collection(
            String(body.collectionName),
            driverOptions(body.collectionOptions),
          ),
        });
      } else {
        throw new UnsupportedOperation(`${kind} entities`);
      }
    }
  };

  try {
    createEntities(file.createEntities ?? []);
    // Events of the driver's own connection set-up are not part of any test.
    for (const list of events.values()) list.length = 0;

    for (const [i, op] of test.operations.entries()) {
      const where = `operation ${i} (${op.name})`;
      if (op.object === 'testRunner') {
        await specialOperation(op, entities, failPoints, internal, createEntities);
        continue;
      }
      const entity = entities.get(op.object);
      if (!entity) throw new AssertionFailed(`${where}: no entity ${op.object}`);
      let result: unknown;
      let rootElements = false;
      let error: unknown;
      try {
        const out = await runEntityOp(entity, op.name, op.arguments ?? {});
        result = out.value;
        rootElements = out.rootElements;
      } catch (err) {
        if (err instanceof UnsupportedOperation) throw err;
        error = err;
      }
      if (op.ignoreResultAndError) continue;
      if (op.expectError) {
        if (error === undefined)
          throw new AssertionFailed(`${where}: expected an error, got ${JSON.stringify(result)}`);
        const problem = checkError(op.expectError, error, ctx);
        if (problem)
          throw new AssertionFailed(`${where}: ${problem} (error was ${errorSummary(error)})`);
        continue;
      }
      if (error !== undefined)
        throw new OperationFailed(`${where} failed: ${errorSummary(error)}`, error);
      if (op.expectResult !== undefined) {
        const problem = Array.isArray(op.expectResult)
          ? rootElements
            ? matchEach(op.expectResult, result, ctx)
            : match(op.expectResult, result, { root: false, ctx })
          : match(op.expectResult, result, { root: true, ctx });
        if (problem) throw new AssertionFailed(`${where}: result ${problem}`);
      }
      if (op.saveResultAsEntity)
        entities.set(op.saveResultAsEntity, { kind: 'value', value: result });
    }

    for (const expected of test.expectEvents ?? []) {
      if ((expected.eventType ?? 'command') !== 'command')
        throw new UnsupportedOperation(`${expected.eventType} event assertions`);
      const actual = events.get(expected.client) ?? [];
      const problem = checkEvents(
        expected.events,
        actual,
        expected.ignoreExtraEvents === true,
        ctx,
      );
      if (problem) throw new AssertionFailed(`events of ${expected.client}: ${problem}`);
    }

    for (const data of test.outcome ?? []) {
      const docs = await internal
        .db(data.databaseName)
        .collection(data.collectionName)
        .find({}, { sort: { _id: 1 }, readPreference: 'primary', readConcern: { level: 'local' } })
        .toArray();
      const problem = sameData(data.documents, docs);
      if (problem)
        throw new AssertionFailed(
          `outcome of ${data.databaseName}.${data.collectionName}: ${problem}`,
        );
    }
  } finally {
    for (const fp of failPoints)
      await fp.client
        .db('admin')
        .command({ configureFailPoint: fp.name, mode: 'off' })
        .catch(() => undefined);
    await Promise.all(clients.map((c) => c.close()));
  }
}

function matchEach(expected: unknown[], actual: unknown, ctx: MatchContext): string | null {
  if (!Array.isArray(actual)) return `expected an array, got ${JSON.stringify(actual)}`;
  if (actual.length !== expected.length)
    return `expected ${expected.length} document(s), got ${actual.length}: ${EJSON.stringify(actual)}`;
  for (let i = 0; i < expected.length; i++) {
    const problem = match(expected[i], actual[i], { root: true, ctx });
    if (problem) return `[${i}] ${problem}`;
  }
  return null;
}

async function specialOperation(
  op: Operation,
  entities: Map<string, Entity>,
  failPoints: Array<{ client: Client; name: string }>,
  internal: Client,
  createEntities: (list: Doc[]) => void,
): Promise<void> {
  const a = op.arguments ?? {};
  switch (op.name) {
    case 'failPoint': {
      const entity = entities.get(String(a.client));
      if (entity?.kind !== 'client')
        throw new AssertionFailed(`failPoint: no client ${String(a.client)}`);
      const fp = a.failPoint as Doc;
      await entity.client.db('admin').command(fp);
      failPoints.push({ client: internal, name: String(fp.configureFailPoint) });
      return;
    }
    case 'createEntities':
      createEntities(a.entities as Doc[]);
      return;
    case 'assertCollectionExists':
    case 'assertCollectionNotExists': {
      const names = await internal
        .db(String(a.databaseName))
        .listCollections({ name: a.collectionName }, { nameOnly: true })
        .toArray();
      if (names.length > 0 !== (op.name === 'assertCollectionExists'))
        throw new AssertionFailed(
          `${op.name} ${String(a.databaseName)}.${String(a.collectionName)}`,
        );
      return;
    }
    default:
      throw new UnsupportedOperation(`testRunner.${op.name}`);
  }
}

function checkError(expected: Doc, err: unknown, ctx: MatchContext): string | null {
  const server = err instanceof MongoServerError;
  if (expected.isClientError !== undefined && expected.isClientError !== !server)
    return expected.isClientError ? 'expected a client error' : 'expected a server error';
  if (expected.isTimeoutError === true) return 'timeout errors are not checked by this runner';
  const e = err as MongoServerError & { error?: MongoServerError; writeErrors?: unknown };
  // A client bulk write keeps a top-level error apart from its write errors.
  const top = e.error instanceof MongoServerError ? e.error : e;
  if (typeof expected.errorContains === 'string') {
    const wanted = expected.errorContains.toLowerCase();
    const errmsg = (top.errorResponse as Doc | undefined)?.errmsg;
    const texts = [top.message, typeof errmsg === 'string' ? errmsg : ''].map((t) =>
      t.toLowerCase(),
    );
    if (!texts.some((t) => t.includes(wanted))) return `message lacks "${expected.errorContains}"`;
  }
  if (expected.errorCode !== undefined && top.code !== expected.errorCode)
    return `code ${String(top.code)} is not ${JSON.stringify(expected.errorCode)}`;
  if (
    typeof expected.errorCodeName === 'string' &&
    String(top.codeName ?? '').toLowerCase() !== expected.errorCodeName.toLowerCase()
  )
    return `code name ${String(top.codeName)} is not ${expected.errorCodeName}`;
  for (const label of (expected.errorLabelsContain as string[] | undefined) ?? [])
    if (!server || !e.hasErrorLabel(label)) return `label ${label} missing`;
  for (const label of (expected.errorLabelsOmit as string[] | undefined) ?? [])
    if (server && e.hasErrorLabel(label)) return `label ${label} present`;
  if (expected.errorResponse !== undefined) {
    const problem = match(expected.errorResponse, server ? top.errorResponse : undefined, {
      root: true,
      ctx,
    });
    if (problem) return `errorResponse ${problem}`;
  }
  if (expected.expectResult !== undefined) {
    const problem = match(expected.expectResult, bulkErrorResult(err), { root: true, ctx });
    if (problem) return `result ${problem}`;
  }
  if (expected.writeErrors !== undefined) {
    const actual: unknown =
      e.writeErrors instanceof Map
        ? Object.fromEntries(e.writeErrors as Map<unknown, unknown>)
        : undefined;
    const problem = match(expected.writeErrors, actual, { root: false, ctx });
    if (problem) return `writeErrors ${problem}`;
  }
  return null;
}

function checkEvents(
  expected: Doc[],
  actual: Observed[],
  ignoreExtra: boolean,
  ctx: MatchContext,
): string | null {
  const seen = ignoreExtra ? actual.slice(0, expected.length) : actual;
  const names = () => actual.map((a) => `${a.type}:${a.event.commandName}`).join(', ');
  if (seen.length !== expected.length)
    return `expected ${expected.length} event(s), observed ${actual.length}: ${names()}`;
  for (let i = 0; i < expected.length; i++) {
    const [type, want] = Object.entries(expected[i] as Doc)[0] as [string, Doc];
    const got = seen[i] as Observed;
    if (got.type !== type) return `[${i}] expected ${type}, observed ${got.type} (${names()})`;
    if (want.commandName !== undefined && want.commandName !== got.event.commandName)
      return `[${i}] command ${got.event.commandName} is not ${JSON.stringify(want.commandName)}`;
    if (want.databaseName !== undefined && want.databaseName !== got.event.databaseName)
      return `[${i}] database ${got.event.databaseName} is not ${JSON.stringify(want.databaseName)}`;
    if (want.command !== undefined) {
      const problem = match(want.command, (got.event as CommandStartedEvent).command, {
        root: true,
        ctx,
      });
      if (problem) return `[${i}] command ${problem}`;
    }
    if (want.reply !== undefined) {
      const problem = match(want.reply, (got.event as CommandSucceededEvent).reply, {
        root: true,
        ctx,
      });
      if (problem) return `[${i}] reply ${problem}`;
    }
  }
  return null;
}

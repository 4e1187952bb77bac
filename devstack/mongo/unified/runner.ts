import { type MongoClient as Client, MongoClient, MongoServerError } from 'mongodb';
import { checkError, checkEvents, matchEach, type CommandEvent, type Observed } from './checks.js';
import { type MatchContext, match, sameData } from './match.js';
import { type Entity, UnsupportedOperation, driverOptions, runEntityOp } from './operations.js';
import type { Doc, Operation, TestCase, TestFile } from './test-file.js';

/**
 * A small runner for MongoDB's Unified Test Format (the CRUD subset): entities, initialData,
 * operations with expectResult / expectError, expectEvents for command events, outcome and the
 * runOnRequirements rules (test-file.ts), the comparisons in checks.ts. It drives the official
 * Node driver against any server.
 */

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

/** The entity a spec names by id, which must be of `kind` (a database names its client, …). */
function entityOf<K extends Entity['kind']>(
  entities: ReadonlyMap<string, Entity>,
  kind: K,
  id: unknown,
): Extract<Entity, { kind: K }> {
  const entity = entities.get(String(id));
  if (entity?.kind !== kind) throw new AssertionFailed(`no ${kind} ${String(id)}`);
  return entity as Extract<Entity, { kind: K }>;
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
        const parent = entityOf(entities, 'client', body.client);
        entities.set(id, {
          kind: 'database',
          db: parent.client.db(String(body.databaseName), driverOptions(body.databaseOptions)),
        });
      } else if (kind === 'collection') {
        const parent = entityOf(entities, 'database', body.database);
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

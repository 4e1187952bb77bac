import { BSON, Long } from 'bson';
import { Codes, CommandError, notSupported } from '../errors.js';
import { parseIndexSpec } from '../indexes.js';
import { compileFilter } from '../query.js';
import { validateDbName } from '../store.js';
import { type Doc, isPlainObject, valueKey } from '../values.js';
import {
  type Context,
  type Handler,
  collectionArg,
  cursorReply,
  existing,
  optionalBool,
  optionalDoc,
  writableCollectionArg,
} from './context.js';

function collectionBytes(docs: Iterable<Doc>): number {
  let n = 0;
  for (const d of docs) n += BSON.calculateObjectSize(d);
  return n;
}

/** Views are read-only pipelines over a collection or view of the same database. */
function createView(cmd: Doc, db: string, name: string, ctx: Context): void {
  if (typeof cmd.viewOn !== 'string' || cmd.viewOn === '')
    throw new CommandError(Codes.TypeMismatch, "'viewOn' must be a non-empty string");
  const pipeline = cmd.pipeline ?? [];
  if (!Array.isArray(pipeline) || !pipeline.every(isPlainObject))
    throw new CommandError(Codes.TypeMismatch, "'pipeline' must be an array of stage objects");
  for (const stage of pipeline) {
    const op = Object.keys(stage)[0] ?? '';
    if (op === '$out' || op === '$merge')
      throw new CommandError(
        Codes.OptionNotSupportedOnView,
        `${op} cannot be used in a view definition`,
      );
  }
  if (cmd.collation !== undefined) throw notSupported('a view with a collation');
  ctx.store.createView(db, name, { viewOn: cmd.viewOn, pipeline });
}

export const adminCommands: Record<string, Handler> = {
  listDatabases: (cmd, _db, ctx) => {
    const nameOnly = optionalBool(cmd, 'nameOnly', false);
    const filter = compileFilter(optionalDoc(cmd, 'filter', 'listDatabases'));
    let total = 0;
    const databases = ctx.store
      .databaseNames()
      .map((name) => {
        let size = 0;
        for (const c of ctx.store.collections(name)) size += collectionBytes(c.docs.values());
        total += size;
        return nameOnly ? { name } : { name, sizeOnDisk: size, empty: size === 0 };
      })
      .filter((d) => filter.test(d));
    return nameOnly
      ? { databases, ok: 1 }
      : { databases, totalSize: total, totalSizeMb: Math.floor(total / 1048576), ok: 1 };
  },

  listCollections: (cmd, db, ctx) => {
    const nameOnly = optionalBool(cmd, 'nameOnly', false);
    const filter = compileFilter(optionalDoc(cmd, 'filter', 'listCollections'));
    const infos: Doc[] = ctx.store.collections(db).map((c) =>
      nameOnly
        ? { name: c.name, type: 'collection' }
        : {
            name: c.name,
            type: 'collection',
            options: {},
            info: { readOnly: false },
            idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
          },
    );
    for (const [name, view] of ctx.store.views(db))
      infos.push(
        nameOnly
          ? { name, type: 'view' }
          : { name, type: 'view', options: { ...view }, info: { readOnly: true } },
      );
    const batch = ctx.cursors.first(
      `${db}.$cmd.listCollections`,
      infos.filter((i) => filter.test(i)),
      undefined,
      true,
    );
    return cursorReply(batch.id, batch.ns, batch.docs, true);
  },

  create: (cmd, db, ctx) => {
    const name = collectionArg(cmd, 'create', db);
    if (cmd.viewOn !== undefined) {
      createView(cmd, db, name, ctx);
      return { ok: 1 };
    }
    for (const unsupported of ['capped', 'timeseries', 'clusteredIndex', 'validator']) {
      if (cmd[unsupported] !== undefined && cmd[unsupported] !== false) {
        throw new CommandError(
          Codes.NotImplemented,
          `create with '${unsupported}' is not supported by the development server`,
        );
      }
    }
    ctx.store.create(db, name);
    return { ok: 1 };
  },

  // Validators, views and other collection options are not implemented, so changing them is refused.
  collMod: (cmd) => {
    const options = Object.keys(cmd).filter(
      (k) => !k.startsWith('$') && !['collMod', 'lsid', 'comment', 'writeConcern'].includes(k),
    );
    throw notSupported(`collMod${options.length ? ` (${options.join(', ')})` : ''}`);
  },

  // Since MongoDB 7.0 dropping a missing collection succeeds.
  drop: (cmd, db, ctx) => {
    const name = collectionArg(cmd, 'drop', db);
    const coll = ctx.store.get(db, name);
    const nIndexesWas = coll ? coll.indexes.length + 1 : undefined;
    ctx.store.drop(db, name);
    return nIndexesWas === undefined ? { ok: 1 } : { nIndexesWas, ns: `${db}.${name}`, ok: 1 };
  },

  dropDatabase: (_cmd, db, ctx) => {
    validateDbName(db);
    ctx.store.dropDatabase(db);
    return { dropped: db, ok: 1 };
  },

  createIndexes: (cmd, db, ctx) => {
    const name = writableCollectionArg(cmd, 'createIndexes', db, ctx);
    if (!Array.isArray(cmd.indexes) || cmd.indexes.length === 0) {
      throw new CommandError(Codes.BadValue, 'Must specify at least one index to create');
    }
    const specs = cmd.indexes.map(parseIndexSpec);
    const createdCollectionAutomatically = !ctx.store.get(db, name);
    const coll = ctx.store.getOrCreate(db, name);
    const numIndexesBefore = coll.indexes.length + 1;
    let created = 0;
    for (const spec of specs) if (coll.createIndex(spec)) created += 1;
    const reply: Doc = {
      numIndexesBefore,
      numIndexesAfter: coll.indexes.length + 1,
      createdCollectionAutomatically,
    };
    if (created === 0) reply.note = 'all indexes already exist';
    reply.ok = 1;
    return reply;
  },

  listIndexes: (cmd, db, ctx) => {
    const name = writableCollectionArg(cmd, 'listIndexes', db, ctx);
    const coll = existing(ctx, db, name);
    const batchSize =
      isPlainObject(cmd.cursor) && typeof cmd.cursor.batchSize === 'number'
        ? cmd.cursor.batchSize
        : undefined;
    const batch = ctx.cursors.first(
      coll.ns,
      coll.indexSpecs().map((s) => ({ ...s })),
      batchSize,
    );
    return cursorReply(batch.id, batch.ns, batch.docs, true);
  },

  dropIndexes: (cmd, db, ctx) => {
    const name = writableCollectionArg(cmd, 'dropIndexes', db, ctx);
    const coll = existing(ctx, db, name);
    const nIndexesWas = coll.indexes.length + 1;
    const target = cmd.index;
    let names: string[];
    if (target === '*') {
      names = coll.indexes.map((i) => i.spec.name);
    } else if (typeof target === 'string') {
      names = [target];
    } else if (Array.isArray(target) && target.every((t) => typeof t === 'string')) {
      names = target;
    } else if (isPlainObject(target)) {
      const match = coll.indexSpecs().find((s) => valueKey(s.key) === valueKey(target));
      if (!match)
        throw new CommandError(
          Codes.IndexNotFound,
          `can't find index with key: ${JSON.stringify(target)}`,
        );
      names = [match.name];
    } else {
      throw new CommandError(
        Codes.TypeMismatch,
        "BSON field 'dropIndexes.index' is the wrong type",
      );
    }
    if (names.includes('_id_'))
      throw new CommandError(Codes.InvalidOptions, 'cannot drop _id index');
    for (const n of names)
      if (!coll.indexes.some((i) => i.spec.name === n)) {
        throw new CommandError(Codes.IndexNotFound, `index not found with name [${n}]`);
      }
    for (const n of names) coll.dropIndex(n);
    return { nIndexesWas, ok: 1 };
  },

  dbStats: (_cmd, db, ctx) => {
    const colls = ctx.store.collections(db);
    let objects = 0;
    let dataSize = 0;
    let indexes = 0;
    for (const c of colls) {
      objects += c.docs.size;
      dataSize += collectionBytes(c.docs.values());
      indexes += c.indexes.length + 1;
    }
    return {
      db,
      collections: colls.length,
      views: ctx.store.views(db).length,
      objects,
      dataSize,
      storageSize: dataSize,
      indexes,
      ok: 1,
    };
  },

  killCursors: (cmd, _db, ctx) => {
    if (!Array.isArray(cmd.cursors))
      throw new CommandError(
        Codes.TypeMismatch,
        "BSON field 'killCursors.cursors' is missing or is not an array",
      );
    const ids = cmd.cursors.map((c: unknown) =>
      c instanceof Long ? c : Long.fromNumber(Number(c)),
    );
    const { killed, notFound } = ctx.cursors.kill(ids);
    return {
      cursorsKilled: killed,
      cursorsNotFound: notFound,
      cursorsAlive: [],
      cursorsUnknown: [],
      ok: 1,
    };
  },
};

import { BSON, ObjectId } from 'bson';
import { Codes, CommandError } from './errors.js';
import { Index, type IndexSpec, sameOptions } from './indexes.js';
import type { HistoryRecord } from './sessions.js';
import { MAX_BSON_OBJECT_SIZE } from './wire.js';
import { type Doc, isPlainObject, valueKey } from './values.js';

/** One physical change; the journal stores these and replay applies them without re-checking. */
export type Change =
  | { o: 'put'; db: string; c: string; doc: Doc }
  | { o: 'del'; db: string; c: string; id: unknown }
  | { o: 'ci'; db: string; c: string; spec: IndexSpec }
  | { o: 'di'; db: string; c: string; name: string }
  | { o: 'cc'; db: string; c: string }
  | { o: 'dc'; db: string; c: string }
  | { o: 'dd'; db: string }
  | { o: 'cv'; db: string; c: string; viewOn: string; pipeline: Doc[] };

/** What one command leaves for the journal. */
export interface Commit {
  changes: Change[];
  history?: HistoryRecord;
  /** `j: true` or `w: 'majority'`: acknowledged only once on disk. */
  durable: boolean;
}

/** A read-only view: the documents of `viewOn` (a collection or another view) through `pipeline`. */
export interface ViewSpec {
  viewOn: string;
  pipeline: Doc[];
}

const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

export class Collection {
  /** Insertion order is MongoDB's natural order closely enough for a single node. */
  readonly docs = new Map<string, Doc>();
  readonly indexes: Index[] = [];
  private readonly log: (c: Change) => void;

  constructor(
    readonly db: string,
    readonly name: string,
    log: (c: Change) => void,
  ) {
    this.log = log;
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  indexSpecs(): IndexSpec[] {
    return [ID_INDEX, ...this.indexes.map((i) => i.spec)];
  }

  all(): Doc[] {
    return [...this.docs.values()];
  }

  getById(id: unknown): Doc | undefined {
    return this.docs.get(valueKey(id));
  }

  /** Adds `_id` first when missing, like mongod, and enforces every unique index. */
  insert(input: Doc): Doc {
    const doc = input._id === undefined ? { _id: new ObjectId(), ...input } : input;
    checkSize(doc, 'insert');
    if (Array.isArray(doc._id))
      throw new CommandError(Codes.BadValue, "can't use an array for _id");
    if (doc._id instanceof RegExp)
      throw new CommandError(Codes.BadValue, "can't use a regex for _id");
    const dollar = isPlainObject(doc._id) && Object.keys(doc._id).find((k) => k.startsWith('$'));
    if (dollar)
      throw new CommandError(
        Codes.InvalidIdField,
        `_id fields may not contain '$'-prefixed fields: ${dollar} is not valid for storage.`,
      );
    const id = valueKey(doc._id);
    if (this.docs.has(id)) throw this.duplicateId(doc._id);
    for (const index of this.indexes) index.check(doc, id, this.ns);
    this.store(id, doc);
    this.log({ o: 'put', db: this.db, c: this.name, doc });
    return doc;
  }

  /** Replaces the stored version of a document whose `_id` does not change. */
  replace(oldDoc: Doc, newDoc: Doc): void {
    checkSize(newDoc, 'update');
    const id = valueKey(oldDoc._id);
    for (const index of this.indexes) index.check(newDoc, id, this.ns);
    for (const index of this.indexes) index.remove(oldDoc, id);
    this.store(id, newDoc);
    this.log({ o: 'put', db: this.db, c: this.name, doc: newDoc });
  }

  remove(doc: Doc): void {
    const id = valueKey(doc._id);
    for (const index of this.indexes) index.remove(doc, id);
    this.docs.delete(id);
    this.log({ o: 'del', db: this.db, c: this.name, id: doc._id });
  }

  /** Returns false when an identical index already exists. */
  createIndex(spec: IndexSpec): boolean {
    for (const existing of this.indexSpecs()) {
      if (existing.name === spec.name) {
        if (sameOptions(existing, spec)) return false;
        throw new CommandError(
          Codes.IndexKeySpecsConflict,
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`,
        );
      }
      if (valueKey(existing.key) === valueKey(spec.key)) {
        if (sameOptions(existing, spec)) {
          throw new CommandError(
            Codes.IndexOptionsConflict,
            `Index already exists with a different name: ${existing.name}`,
          );
        }
        throw new CommandError(
          Codes.IndexKeySpecsConflict,
          `An existing index has the same key pattern as the requested index but different options: ${existing.name}`,
        );
      }
    }
    const index = new Index(spec);
    for (const [id, doc] of this.docs) {
      index.check(doc, id, this.ns);
      index.add(doc, id);
    }
    this.indexes.push(index);
    this.log({ o: 'ci', db: this.db, c: this.name, spec });
    return true;
  }

  dropIndex(name: string): void {
    const at = this.indexes.findIndex((i) => i.spec.name === name);
    if (at < 0) throw new CommandError(Codes.IndexNotFound, `index not found with name [${name}]`);
    this.indexes.splice(at, 1);
    this.log({ o: 'di', db: this.db, c: this.name, name });
  }

  /** Replay path: the journal only holds states that already passed every check. */
  applyPut(doc: Doc): void {
    const id = valueKey(doc._id);
    const old = this.docs.get(id);
    if (old) for (const index of this.indexes) index.remove(old, id);
    this.store(id, doc);
  }

  applyCreateIndex(spec: IndexSpec): void {
    if (this.indexes.some((i) => i.spec.name === spec.name)) return;
    const index = new Index(spec);
    for (const [id, doc] of this.docs) index.add(doc, id);
    this.indexes.push(index);
  }

  applyDropIndex(name: string): void {
    const at = this.indexes.findIndex((i) => i.spec.name === name);
    if (at >= 0) this.indexes.splice(at, 1);
  }

  private store(id: string, doc: Doc): void {
    this.docs.set(id, doc);
    for (const index of this.indexes) index.add(doc, id);
  }

  private duplicateId(id: unknown): CommandError {
    return new Index({ ...ID_INDEX, unique: true }).duplicate(this.ns, [id]);
  }
}

function checkSize(doc: Doc, op: 'insert' | 'update'): void {
  const size = BSON.calculateObjectSize(doc);
  if (size <= MAX_BSON_OBJECT_SIZE) return;
  if (op === 'insert') {
    throw new CommandError(
      Codes.BadValue,
      `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`,
    );
  }
  throw new CommandError(
    Codes.Location17419,
    `Resulting document after update is larger than ${MAX_BSON_OBJECT_SIZE}`,
  );
}

export const viewNotWritable = (db: string, name: string): CommandError =>
  new CommandError(
    Codes.CommandNotSupportedOnView,
    `Namespace ${db}.${name} is a view, not a collection`,
  );

export function validateCollectionName(db: string, name: unknown): string {
  if (typeof name !== 'string')
    throw new CommandError(
      Codes.InvalidNamespace,
      `collection name has invalid type ${typeof name}`,
    );
  if (name.length === 0 || name.includes('\0') || name.startsWith('.') || name.includes('$')) {
    throw new CommandError(Codes.InvalidNamespace, `Invalid collection name: ${db}.${name}`);
  }
  return name;
}

export function validateDbName(db: unknown): string {
  if (typeof db !== 'string' || db.length === 0 || /[/\\. "$\0]/.test(db) || db.length > 63) {
    throw new CommandError(Codes.InvalidNamespace, `Invalid database name: '${String(db)}'`);
  }
  return db;
}

export class Store {
  private readonly dbs = new Map<string, Map<string, Collection>>();
  private readonly viewsByDb = new Map<string, Map<string, ViewSpec>>();
  private pending: Change[] = [];
  /** Called once a command has finished, before the reply goes out (see `commit`). */
  onCommit: ((commit: Commit) => void) | undefined;
  private replaying = false;

  private readonly log = (c: Change): void => {
    if (!this.replaying) this.pending.push(c);
  };

  /**
   * Hands on the changes of the command that just ran, with what must be journaled with them
   * (a retryable write's history) and whether its reply must wait until they are durable.
   */
  commit(history?: HistoryRecord, durable = false): void {
    if (this.pending.length === 0 && !history && !durable) return;
    const changes = this.pending;
    this.pending = [];
    this.onCommit?.({ changes, history, durable });
  }

  databaseNames(): string[] {
    return [...this.dbs.keys()];
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** A scratch collection with the given indexes, outside the store: nothing it does is logged. */
  detached(db: string, name: string, specs: IndexSpec[]): Collection {
    const coll = new Collection(db, name, () => undefined);
    for (const spec of specs) if (spec.name !== ID_INDEX.name) coll.createIndex(spec);
    return coll;
  }

  view(db: string, name: string): ViewSpec | undefined {
    return this.viewsByDb.get(db)?.get(name);
  }

  views(db: string): Array<[string, ViewSpec]> {
    return [...(this.viewsByDb.get(db) ?? [])];
  }

  /** Writes create collections implicitly, like mongod; a view refuses them. */
  getOrCreate(db: string, name: string): Collection {
    return this.get(db, name) ?? this.create(db, name);
  }

  createView(db: string, name: string, spec: ViewSpec): void {
    validateDbName(db);
    validateCollectionName(db, name);
    if (this.get(db, name) || this.view(db, name))
      throw new CommandError(Codes.NamespaceExists, `Namespace ${db}.${name} already exists`);
    let views = this.viewsByDb.get(db);
    if (!views) {
      views = new Map();
      this.viewsByDb.set(db, views);
    }
    views.set(name, spec);
    this.log({ o: 'cv', db, c: name, viewOn: spec.viewOn, pipeline: spec.pipeline });
  }

  create(db: string, name: string): Collection {
    validateDbName(db);
    validateCollectionName(db, name);
    if (this.view(db, name)) throw viewNotWritable(db, name);
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    if (colls.has(name))
      throw new CommandError(Codes.NamespaceExists, `Collection ${db}.${name} already exists.`);
    const coll = new Collection(db, name, this.log);
    colls.set(name, coll);
    this.log({ o: 'cc', db, c: name });
    return coll;
  }

  drop(db: string, name: string): boolean {
    if (this.viewsByDb.get(db)?.delete(name)) {
      this.log({ o: 'dc', db, c: name });
      return true;
    }
    const colls = this.dbs.get(db);
    if (!colls?.delete(name)) return false;
    if (colls.size === 0) this.dbs.delete(db);
    this.log({ o: 'dc', db, c: name });
    return true;
  }

  dropDatabase(db: string): void {
    const hadViews = this.viewsByDb.delete(db);
    if (!this.dbs.delete(db) && !hadViews) return;
    this.log({ o: 'dd', db });
  }

  apply(change: Change): void {
    this.replaying = true;
    try {
      switch (change.o) {
        case 'put':
          this.getOrCreate(change.db, change.c).applyPut(change.doc);
          break;
        case 'del': {
          const coll = this.get(change.db, change.c);
          const doc = coll?.getById(change.id);
          if (coll && doc) coll.remove(doc);
          break;
        }
        case 'ci':
          this.getOrCreate(change.db, change.c).applyCreateIndex(change.spec);
          break;
        case 'di':
          this.get(change.db, change.c)?.applyDropIndex(change.name);
          break;
        case 'cc':
          if (!this.get(change.db, change.c)) this.create(change.db, change.c);
          break;
        case 'dc':
          this.drop(change.db, change.c);
          break;
        case 'dd':
          this.dropDatabase(change.db);
          break;
        case 'cv':
          if (!this.view(change.db, change.c))
            this.createView(change.db, change.c, {
              viewOn: change.viewOn,
              pipeline: change.pipeline,
            });
          break;
      }
    } finally {
      this.replaying = false;
    }
  }

  /** The smallest list of changes that rebuilds the current state (used to compact the journal). */
  *snapshot(): Generator<Change> {
    for (const [db, colls] of this.dbs) {
      for (const coll of colls.values()) {
        yield { o: 'cc', db, c: coll.name };
        for (const index of coll.indexes) yield { o: 'ci', db, c: coll.name, spec: index.spec };
        for (const doc of coll.docs.values()) yield { o: 'put', db, c: coll.name, doc };
      }
    }
    for (const [db, views] of this.viewsByDb)
      for (const [c, v] of views) yield { o: 'cv', db, c, viewOn: v.viewOn, pipeline: v.pipeline };
  }

  docCount(): number {
    let n = 0;
    for (const colls of this.dbs.values())
      for (const c of colls.values()) n += c.docs.size + c.indexes.length + 1;
    return n;
  }
}

import { Long, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { CommandError } from './errors.js';
import { Index } from './indexes.js';
import { Store } from './store.js';
import { applyUpdate, buildUpsert, upsertSeed } from './update-doc.js';
import { normalize, shellDoc, valueKey } from './values.js';

const dupOf = (fn: () => unknown): CommandError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CommandError) return err;
    throw err;
  }
  throw new Error('expected a CommandError');
};

describe('unique indexes', () => {
  it('produces one key per array element and rejects a collision with another document', () => {
    const index = new Index({ v: 2, key: { tags: 1 }, name: 'tags_1', unique: true });
    index.add({ _id: 1, tags: ['a', 'b'] }, 'id1');
    expect(() => index.check({ _id: 1, tags: ['b', 'c'] }, 'id1', 'd.c')).not.toThrow();
    const err = dupOf(() => index.check({ _id: 2, tags: ['z', 'b'] }, 'id2', 'd.c'));
    expect(err.code).toBe(11000);
    expect(err.message).toBe(
      'E11000 duplicate key error collection: d.c index: tags_1 dup key: { tags: "b" }',
    );
    expect(err.extra).toEqual({ keyPattern: { tags: 1 }, keyValue: { tags: 'b' } });
  });

  it('honours partialFilterExpression', () => {
    const index = new Index({
      v: 2,
      key: { e: 1 },
      name: 'e_1',
      unique: true,
      partialFilterExpression: { active: true },
    });
    index.add({ e: 1, active: false }, 'a');
    expect(() => index.check({ e: 1, active: false }, 'b', 'd.c')).not.toThrow();
    index.add({ e: 1, active: true }, 'c');
    expect(() => index.check({ e: 1, active: true }, 'd', 'd.c')).toThrow(CommandError);
  });

  it('formats dup keys like mongod', () => {
    const id = new ObjectId('64b7f0000000000000000000');
    expect(shellDoc({ _id: id, n: 1, s: 'x', z: null })).toBe(
      `{ _id: ObjectId('64b7f0000000000000000000'), n: 1, s: "x", z: null }`,
    );
  });
});

describe('Store', () => {
  it('records one change per write and none while replaying', () => {
    const store = new Store();
    const seen: string[] = [];
    store.onCommit = ({ changes }) => seen.push(...changes.map((c) => c.o));
    const coll = store.getOrCreate('d', 'c');
    coll.insert({ _id: 1 });
    store.commit();
    expect(seen).toEqual(['cc', 'put']);
    store.apply({ o: 'put', db: 'd', c: 'c', doc: { _id: 2 } });
    store.commit();
    expect(seen).toEqual(['cc', 'put']);
    expect(coll.docs.size).toBe(2);
  });

  it('treats 1 and Long(1) as the same _id after normalisation', () => {
    expect(valueKey(normalize(Long.fromNumber(1)))).toBe(valueKey(1));
    expect(normalize(Long.fromString('9007199254740993'))).toBeInstanceOf(Long);
  });
});

describe('updates', () => {
  it('never mutates the stored document', () => {
    const stored = { _id: 1, a: { b: 1 }, arr: [1] };
    const next = applyUpdate(stored, { $set: { 'a.b': 2 }, $push: { arr: 2 } });
    expect(stored).toEqual({ _id: 1, a: { b: 1 }, arr: [1] });
    expect(next).toEqual({ _id: 1, a: { b: 2 }, arr: [1, 2] });
  });

  it('seeds upserts from equality conditions only', () => {
    expect(upsertSeed({ a: 1, b: { $gt: 2 }, c: { $eq: 3 }, $and: [{ d: 4 }], 'e.f': 5 })).toEqual({
      a: 1,
      c: 3,
      d: 4,
      e: { f: 5 },
    });
  });

  it('lets $setOnInsert choose the _id and puts _id first', () => {
    expect(buildUpsert({ k: 1 }, { $setOnInsert: { _id: 'x', v: 1 } })).toEqual({
      _id: 'x',
      k: 1,
      v: 1,
    });
    expect(Object.keys(buildUpsert({ k: 1 }, { $set: { v: 1 } }))[0]).toBe('_id');
  });

  it('maps mongod error codes for bad updates', () => {
    expect(dupOf(() => applyUpdate({ _id: 1, s: 'x' }, { $inc: { s: 1 } })).code).toBe(14);
    expect(dupOf(() => applyUpdate({ _id: 1, s: 'x' }, { $push: { s: 1 } })).code).toBe(2);
    expect(dupOf(() => applyUpdate({ _id: 1 }, { $set: { _id: 2 } })).code).toBe(66);
    expect(dupOf(() => applyUpdate({ _id: 1 }, { _id: 2, a: 1 })).code).toBe(66);
  });
});

describe('views in the store', () => {
  it('logs a created view so the journal replays it, and a drop removes it again', () => {
    const store = new Store();
    const changes: unknown[] = [];
    store.onCommit = (c) => changes.push(...c.changes);
    store.create('d', 'c');
    store.createView('d', 'v', { viewOn: 'c', pipeline: [{ $match: { a: 1 } }] });
    store.commit();
    const replayed = new Store();
    for (const change of store.snapshot()) replayed.apply(change);
    expect(replayed.view('d', 'v')).toEqual({ viewOn: 'c', pipeline: [{ $match: { a: 1 } }] });
    expect(() => replayed.getOrCreate('d', 'v')).toThrow('is a view, not a collection');
    expect(() => replayed.create('d', 'v')).toThrow('is a view');
    replayed.drop('d', 'v');
    expect(replayed.view('d', 'v')).toBeUndefined();
    expect(changes).toContainEqual({
      o: 'cv',
      db: 'd',
      c: 'v',
      viewOn: 'c',
      pipeline: [{ $match: { a: 1 } }],
    });
  });
});

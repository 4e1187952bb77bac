import { Long } from 'bson';
import { Query } from 'mingo';
import { describe, expect, it } from 'vitest';
import { select } from './query.js';
import { Store } from './store.js';

describe('select with an $or of one field pinned per clause', () => {
  const store = new Store();
  const coll = store.getOrCreate('d', 'versions');
  const docs = [
    { _id: 1, appId: 'a', version: 1 },
    { _id: 2, appId: 'a', version: 2 },
    { _id: 3, appId: 'b', version: 1 },
    { _id: 4, appId: ['a', 'z'], version: 5 },
    { _id: 5, version: 1 },
    { _id: 6, appId: null, version: 1 },
    { _id: 7, appId: 7, version: 3 },
    { _id: 8, appId: Long.fromNumber(7), version: 3 },
    { _id: 9, appId: '7', version: 3 },
    { _id: 10, appId: 'c', version: 9 },
  ];
  for (const doc of docs) coll.insert(doc);

  const filters = [
    {
      $or: [
        { appId: 'a', version: { $gte: 2 } },
        { appId: 'c', version: { $gte: 1 } },
      ],
    },
    { $or: [{ appId: 'b' }, { appId: 7 }] },
    { $or: [{ appId: 'a' }, { appId: 'z', version: 5 }] },
    // Not pinned in every clause: no prefilter, the same answer all the same.
    { $or: [{ appId: 'a' }, { version: 1 }] },
    { $or: [{ appId: 'a' }, { appId: { $exists: false } }] },
  ];

  it.each(filters)('answers %j as a full scan does', (filter) => {
    const scanned = (new Query(filter).find(docs).all() as { _id: number }[]).map((d) => d._id);
    const selected = select(coll, { filter }).map((d) => d._id);
    expect(selected).toEqual(scanned);
    expect(selected.length).toBeGreaterThan(0);
  });
});

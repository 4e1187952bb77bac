import { describe, expect, it } from 'vitest';
import { propertyRows, typeLabel } from './schema-type';

describe('typeLabel', () => {
  it.each([
    [{ $ref: '#/components/schemas/App' }, { text: 'App', ref: 'App' }],
    [
      { type: 'array', items: { $ref: '#/components/schemas/App' } },
      { text: 'list of App', ref: 'App' },
    ],
    [{ type: 'integer', minimum: 1, maximum: 9007199254740991 }, { text: 'integer ≥ 1' }],
    [{ type: 'string', format: 'date-time' }, { text: 'string (date-time)' }],
    [{ type: ['string', 'null'] }, { text: 'string or null' }],
    [{ enum: ['added', 'removed'] }, { text: 'one of "added", "removed"' }],
    [
      { anyOf: [{ $ref: '#/components/schemas/Stamp' }, { type: 'null' }] },
      { text: 'Stamp or null', ref: 'Stamp' },
    ],
    [{}, { text: 'any' }],
  ])('%j → %j', (schema, label) => expect(typeLabel(schema)).toEqual(label));
});

describe('propertyRows', () => {
  it('lists properties with required flags and folds inline objects', () => {
    const rows = propertyRows({
      type: 'object',
      required: ['a'],
      properties: {
        a: { type: 'string', description: 'the a' },
        b: { type: 'object', properties: {} },
      },
    });
    expect(rows).toEqual([
      { name: 'a', type: { text: 'string' }, required: true, description: 'the a', nested: null },
      {
        name: 'b',
        type: { text: 'object' },
        required: false,
        description: null,
        nested: { type: 'object', properties: {} },
      },
    ]);
  });
});

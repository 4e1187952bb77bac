import { describe, expect, it } from 'vitest';
import { newestMarker, parseMarker, parseMarkerMessage } from './deployment-marker';

describe('the active-deployment marker', () => {
  it.each([
    [['global', '3', null], { deployment: 'global', epoch: 3 }],
    [['global', '4', 'global'], { deployment: 'global', epoch: 4, live: ['global'] }],
    [
      ['legacy', '2', 'legacy,global'],
      { deployment: 'legacy', epoch: 2, live: ['legacy', 'global'] },
    ],
    [['global', '-1', null], null],
    [['global', '1.5', null], null],
    [[null, '1', null], null],
    [['global', null, null], null],
  ])('parses the hash %j', (fields, want) => {
    expect(parseMarker(fields)).toEqual(want);
  });

  it('parses the message, with and without the live list, and refuses garbage', () => {
    expect(parseMarkerMessage('{"deployment":"global","epoch":4,"live":["global"]}')).toEqual({
      deployment: 'global',
      epoch: 4,
      live: ['global'],
    });
    expect(parseMarkerMessage('{"deployment":"global","epoch":1}')).toEqual({
      deployment: 'global',
      epoch: 1,
    });
    expect(parseMarkerMessage('{"deployment":"global","epoch":1,"live":[3]}')).toEqual({
      deployment: 'global',
      epoch: 1,
    });
    expect(parseMarkerMessage('not json')).toBeNull();
  });

  it('follows the highest epoch; an equal or lower one never replaces the one followed', () => {
    const current = { deployment: 'global', epoch: 3 };
    expect(newestMarker(current, [null, { deployment: 'legacy', epoch: 2 }])).toBe(current);
    expect(newestMarker(current, [{ deployment: 'legacy', epoch: 3 }])).toBe(current);
    expect(newestMarker(current, [{ deployment: 'legacy', epoch: 5, live: ['legacy'] }])).toEqual({
      deployment: 'legacy',
      epoch: 5,
      live: ['legacy'],
    });
  });
});

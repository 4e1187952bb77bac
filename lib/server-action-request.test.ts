import { describe, expect, it } from 'vitest';
import { actionPost, actionRefusal } from '@/lib/server-action-request';

// A form action's id as Next writes it (first byte 7f: reads its arguments) and signOut's (00).
const FORM_ACTION = `7f${'a'.repeat(40)}`;
const NO_ARGS = `00${'a'.repeat(40)}`;
const BOUNDARY = 'b0undary';
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;
const TEXT = 'text/plain;charset=UTF-8';

function multipart(fields: [string, string][]): string {
  return (
    fields
      .map(
        ([name, value]) =>
          `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      )
      .join('') + `--${BOUNDARY}--\r\n`
  );
}

async function refusal(contentType: string | null, body: string | Uint8Array, id = FORM_ACTION) {
  const headers = new Headers({ 'next-action': id });
  if (contentType !== null) headers.set('content-type', contentType);
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return actionRefusal('call', headers, new Uint8Array(bytes));
}

describe('actionPost', () => {
  it.each([
    ['POST', { 'next-action': 'x' }, 'call'],
    ['POST', { 'content-type': MULTIPART }, 'form'],
    ['POST', { 'content-type': 'application/json' }, null],
    ['GET', { 'next-action': 'x' }, null],
  ] as const)('%s %o is %s', (method, headers, kind) => {
    const request = new Request('http://localhost/apps', { method, headers });
    expect(actionPost(request)).toBe(kind);
  });
});

describe('actionRefusal', () => {
  // What the app's own calls send: a form action with and without a previous state, signOut.
  it.each([
    [
      'form action',
      MULTIPART,
      multipart([
        ['1_payload', '{"a":1}'],
        ['0', '["$undefined","$K1"]'],
      ]),
    ],
    [
      'form action with a previous state',
      MULTIPART,
      multipart([
        ['1_email', 'a@b.c'],
        ['0', '[{"status":"invalid","fieldErrors":{"email":["x"]},"at":"$D2026-01-01"},"$K1"]'],
      ]),
    ],
    [
      'outlined rows, a path into the root, special values',
      MULTIPART,
      multipart([
        ['2', '[["k",{"v":"$$x"}]]'],
        ['1', '{"n":"$n12","u":"$undefined","i":"$Infinity","m":"$Q2","t":"$T"}'],
        ['0', '[{"a":"$1","b":{"c":[1]},"d":"$0:0:b"},"$K3"]'],
      ]),
    ],
    ['signOut', TEXT, '[]'],
  ])('takes %s', async (_, type, body) => {
    const id = body === '[]' ? NO_ARGS : FORM_ACTION;
    expect(await refusal(type, body, id)).toBeNull();
  });

  const random = new Uint8Array(1024).map((_, i) => (i * 7919 + 13) % 256);
  it.each([
    ['random bytes as multipart', MULTIPART, random, 400, 'could not be read'],
    ['random bytes as text', TEXT, random, 400, 'not JSON'],
    ['random bytes without a type', null, random, 415, 'multipart/form-data or text/plain'],
    ['JSON as application/json', 'application/json', '["$K1"]', 415, 'text/plain'],
    ['a url-encoded form', 'application/x-www-form-urlencoded', 'a=1', 415, 'text/plain'],
    [
      'multipart without a boundary',
      'multipart/form-data',
      multipart([['0', '[]']]),
      400,
      'no boundary',
    ],
    [
      'truncated multipart',
      MULTIPART,
      multipart([['0', '["$K1"]']]).slice(0, 50),
      400,
      'could not be read',
    ],
    [
      'a part with no name',
      MULTIPART,
      `--${BOUNDARY}\r\nfoo\r\n\r\nbar\r\n--${BOUNDARY}--\r\n`,
      400,
      'could not be read',
    ],
    ['no row 0', MULTIPART, multipart([['x', '1']]), 400, 'Row 0 is missing'],
    ['row 0 not JSON', MULTIPART, multipart([['0', 'nope']]), 400, 'not JSON'],
    ['text that is not JSON', TEXT, 'a'.repeat(1024), 400, 'not JSON'],
    ['an object, not a list', TEXT, '{"a":1}', 400, 'not a list'],
    ['a string, not a list', TEXT, '"hello"', 400, 'not a list'],
    ['a form action without a form', TEXT, '[1,2]', 400, 'previous state'],
    ['a form action with nothing', TEXT, '[]', 400, 'previous state'],
    ['a form action with the form alone', TEXT, '["$K1"]', 400, 'previous state'],
    ['a reference to a missing row', TEXT, '["$1","$K1"]', 400, 'missing'],
    [
      'a reference to a later row',
      MULTIPART,
      multipart([
        ['0', '["$1","$K2"]'],
        ['1', '{}'],
      ]),
      400,
      'comes after',
    ],
    ['a bad big integer', TEXT, '["$nxyz","$K1"]', 400, 'big integer'],
    ['a server reference', TEXT, '["$h1","$K1"]', 400, 'no action takes ($h)'],
    ['a stream', TEXT, '["$R1","$K1"]', 400, 'no action takes ($R)'],
    [
      'a Map from an object',
      MULTIPART,
      multipart([
        ['1', '{}'],
        ['0', '["$Q1","$K2"]'],
      ]),
      400,
      'not a Map',
    ],
    [
      'one Set row used twice',
      MULTIPART,
      multipart([
        ['1', '[]'],
        ['0', '[{"a":"$W1","b":"$W1"},"$K2"]'],
      ]),
      400,
      'used twice',
    ],
    ['the root referring to itself', TEXT, '["$0","$K1"]', 400, 'themselves'],
    ['a path to nothing', TEXT, '[{"a":1,"p":"$0:0:b"},"$K1"]', 400, 'to nothing'],
    [
      'deep brackets',
      TEXT,
      `[${'['.repeat(100_000)}${']'.repeat(100_000)},"$K1"]`,
      400,
      'too deeply',
    ],
  ])('refuses %s', async (_, type, body, status, words) => {
    const answer = await refusal(type, body);
    expect(answer?.status).toBe(status);
    expect(answer?.message).toContain(words);
  });

  it('refuses a reply that expands past a million array slots', async () => {
    // Row 1 is 100 000 slots; row 0 names it 20 times: small on the wire, huge once decoded.
    const row1 = JSON.stringify(Array.from({ length: 100_000 }, () => 0));
    const row0 = JSON.stringify([Array.from({ length: 20 }, () => '$1'), '$K2']);
    const answer = await refusal(
      MULTIPART,
      multipart([
        ['1', row1],
        ['0', row0],
      ]),
    );
    expect(answer?.status).toBe(400);
    expect(answer?.message).toContain('too large');
  });

  describe('a form posted without JavaScript', () => {
    // The fields useActionState renders: the action, and row 1 with the bound state (or none).
    const bound = (state: string | null): [string, string][] => [
      ['$ACTION_REF_1', ''],
      ['$ACTION_1:0', JSON.stringify({ id: FORM_ACTION, bound: '$@1' })],
      ...(state === null ? [] : ([['$ACTION_1:1', state]] as [string, string][])),
    ];
    const form = (fields: [string, string][]) =>
      actionRefusal(
        'form',
        new Headers({ 'content-type': MULTIPART }),
        new TextEncoder().encode(multipart([...fields, ['email', 'a@b.c']])),
      );

    it.each([
      ['as useActionState renders it', bound('[{"status":"idle"}]')],
      ['for an action that takes no arguments', [[`$ACTION_ID_${NO_ARGS}`, '']]],
      ['that names no action (Next renders the page)', [['name', 'x']]],
    ] as [string, [string, string][]][])('is taken %s', async (_, fields) => {
      expect(await form(fields)).toBeNull();
    });

    it.each([
      ['bound arguments that are not JSON', bound('nope'), 'not JSON'],
      ['bound arguments missing', bound(null), 'missing'],
      ['bound arguments that are not a list', bound('{}'), 'not a list'],
      ['no previous state', bound('[]'), 'previous state'],
      ['a form action named alone', [[`$ACTION_ID_${FORM_ACTION}`, '']], 'previous state'],
      [
        'no action in its metadata',
        [
          ['$ACTION_REF_1', ''],
          ['$ACTION_1:0', '{"bound":null}'],
        ],
        'name its action',
      ],
    ] as [string, [string, string][], string][])('is refused with %s', async (_, fields, words) => {
      const answer = await form(fields);
      expect(answer?.status).toBe(400);
      expect(answer?.message).toContain(words);
    });

    it('is refused when it does not parse', async () => {
      const headers = new Headers({ 'content-type': MULTIPART });
      const broken = new TextEncoder().encode(`--${BOUNDARY}\r\nx`);
      expect(await actionRefusal('form', headers, broken)).toMatchObject({ status: 400 });
    });
  });
});

it('takes the form alone for an action that reads only its first argument', async () => {
  // First byte 0x40: the compiler saw one argument read, as in `async function f(formData)`.
  const answer = await refusal(TEXT, '["$K1"]', `40${'a'.repeat(40)}`);
  expect(answer).toBeNull();
});

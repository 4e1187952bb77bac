import {
  boundProblem,
  callProblem,
  formRows,
  textRows,
  type FormArity,
} from '@/lib/server-action-reply';

/**
 * A server action is a POST to a page: a call from the app's JavaScript names the action in a
 * `Next-Action` header and sends its arguments as multipart/form-data or, when they fit one JSON
 * row, as text/plain; a form submitted before the JavaScript loads is a multipart POST naming the
 * action in its fields. Next decodes the body before any code of ours runs and answers 500 for
 * one it cannot decode; proxy.ts asks this module first and refuses such a body with a 4xx.
 * Unknown action ids are left to Next, which knows them and answers 400 or 409.
 * Pure: the proxy does not run under `react-server`.
 */

export interface Refusal {
  status: 400 | 415;
  message: string;
}

/** A POST to a page that Next would decode as a server action, and how. */
export type ActionPost = 'call' | 'form';

export function actionPost(request: Request): ActionPost | null {
  if (request.method !== 'POST') return null;
  if (request.headers.has('next-action')) return 'call';
  return mediaType(request.headers.get('content-type')) === 'multipart/form-data' ? 'form' : null;
}

/** Null when Next can decode the body of this action POST; else the answer to give instead. */
export async function actionRefusal(
  kind: ActionPost,
  headers: Headers,
  body: Uint8Array<ArrayBuffer>,
): Promise<Refusal | null> {
  const contentType = headers.get('content-type');
  const type = mediaType(contentType);
  if (type === 'multipart/form-data') {
    if (!/;\s*boundary=/i.test(contentType ?? ''))
      return { status: 400, message: 'The multipart body has no boundary.' };
    const form = await new Response(body, { headers: { 'content-type': contentType! } })
      .formData()
      .catch(() => null);
    if (form === null) return { status: 400, message: 'The multipart body could not be read.' };
    if (kind === 'form') return formRefusal(form);
    return invalidReply(callProblem(formRows(form), formArity(headers.get('next-action'))));
  }
  if (kind === 'call' && type === 'text/plain') {
    // Read as Next reads it: UTF-8, a bad byte becomes U+FFFD.
    const text = Buffer.from(body).toString('utf8');
    return invalidReply(callProblem(textRows(text), formArity(headers.get('next-action'))));
  }
  return {
    status: 415,
    message: 'A server action takes multipart/form-data or text/plain.',
  };
}

/**
 * A form posted without JavaScript names its action in a field: `$ACTION_ID_<id>` (called with
 * the form alone) or `$ACTION_REF_<n>`, whose rows `$ACTION_<n>:…` name the action and the
 * arguments bound to it (the previous state). Next checks the ids; React decodes the rows, and a
 * bad one is a 500. React uses the last such field; every one is checked.
 */
function formRefusal(form: FormData): Refusal | null {
  for (const name of form.keys()) {
    let problem: string | null = null;
    if (name.startsWith('$ACTION_ID_'))
      problem =
        formArity(name.slice('$ACTION_ID_'.length)) === 2
          ? 'The action takes a previous state and a form.'
          : null;
    else if (name.startsWith('$ACTION_REF_')) {
      const rows = formRows(form, `$ACTION_${name.slice('$ACTION_REF_'.length)}:`, false);
      const id = rows.get(0)?.match(/^\{"id":"([0-9a-f]+)"/)?.[1] ?? '';
      problem = boundProblem(rows, formArity(id));
    }
    if (problem !== null) return invalidReply(problem);
  }
  return null;
}

/**
 * How many arguments the named action takes as the app calls it (see FormArity). Next's compiler
 * writes into an id's first byte which of the first six arguments the function reads (bits 6 to
 * 1) and whether it takes more (bit 0); the client leaves unread ones out, so `signOut()` is
 * called with none. An action reading only its first argument takes the form alone; one reading
 * more, or one the compiler could not see into (`defineAction`'s, 0x7f), takes a state and a form.
 */
function formArity(actionId: string | null): FormArity {
  const info = parseInt(actionId?.slice(0, 2) ?? '', 16);
  if (Number.isNaN(info)) return 2;
  if ((info & 0x7f) === 0) return 0;
  return (info & 0x7f) === 0x40 ? 1 : 2;
}

function invalidReply(problem: string | null): Refusal | null {
  return problem === null
    ? null
    : { status: 400, message: `The server action's arguments could not be read: ${problem}` };
}

/** The media type of a Content-Type header, lower case, without its parameters. */
function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

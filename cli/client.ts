import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { problemSchema } from '../lib/schemas/api';
import { CliError, EXIT, type ExitCode } from './exit-codes';

/** `prp_` + 43 base64url characters, as the dashboard issues them. */
const TOKEN_PATTERN = /^prp_[A-Za-z0-9_-]{43}$/;

export interface Connection {
  url: string;
  token: string;
}

/** Where to connect, from the flags or the environment, with a clear word when something is missing. */
export function connectionFrom(opts: { url?: string; token?: string }): Connection {
  const token = opts.token ?? process.env.PROPAGATE_TOKEN;
  if (!token) {
    throw new CliError(
      'No API token. Set PROPAGATE_TOKEN (or pass --token); an account admin creates one on the dashboard’s API tokens page.',
      EXIT.auth,
    );
  }
  if (!TOKEN_PATTERN.test(token)) {
    throw new CliError(
      'PROPAGATE_TOKEN does not look like a Propagate API token (prp_ followed by 43 characters).',
      EXIT.auth,
    );
  }
  const url = (opts.url ?? process.env.PROPAGATE_URL ?? 'http://localhost:3000').replace(
    /\/+$/,
    '',
  );
  if (!/^https?:\/\//.test(url)) {
    throw new CliError(
      `PROPAGATE_URL must start with http:// or https:// (got "${url}")`,
      EXIT.usage,
    );
  }
  return { url, token };
}

/** A problem answer from the API, with the exit code it maps to. */
export class ApiProblem extends CliError {
  constructor(
    readonly status: number,
    readonly problem: z.output<typeof problemSchema>,
  ) {
    super(problem.detail, exitCodeFor(status), problem);
  }
}

function exitCodeFor(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 412) return EXIT.conflict;
  if (status === 400 || status === 415 || status === 422 || status === 428) return EXIT.invalid;
  return EXIT.error;
}

function problemOf(status: number, json: unknown): z.output<typeof problemSchema> {
  const parsed = problemSchema.safeParse(json);
  return parsed.success
    ? parsed.data
    : { type: 'about:blank', title: 'Error', status, detail: `The server answered ${status}.` };
}

export interface Answer<T> {
  status: number;
  data: T;
  headers: Headers;
}

/**
 * The API over HTTP: bearer token, JSON both ways, answers decoded with the schemas the server
 * encodes with, problems thrown as ApiProblem. Network failures are retried once (a write keeps
 * its Idempotency-Key, so a retry after a lost answer cannot save twice).
 */
export class ApiClient {
  constructor(private readonly connection: Connection) {}

  /** A streaming GET (Server-Sent Events); problems are thrown like any other answer's. */
  async open(path: string, signal: AbortSignal): Promise<Response> {
    const response = await fetch(`${this.connection.url}${path}`, {
      headers: { authorization: `Bearer ${this.connection.token}`, accept: 'text/event-stream' },
      signal,
    });
    if (!response.ok) {
      const json = (await response.json().catch(() => null)) as unknown;
      throw new ApiProblem(response.status, problemOf(response.status, json));
    }
    return response;
  }

  async request<S extends z.ZodType>(
    schema: S,
    path: string,
    init: {
      method?: 'GET' | 'PUT' | 'POST';
      body?: unknown;
      headers?: Record<string, string>;
      signal?: AbortSignal;
    } = {},
  ): Promise<Answer<z.output<S>>> {
    const method = init.method ?? 'GET';
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.connection.token}`,
      accept: 'application/json, application/problem+json',
      ...init.headers,
    };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET') headers['idempotency-key'] ??= randomUUID();
    const url = `${this.connection.url}${path}`;
    const send = () =>
      fetch(url, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: init.signal,
      });
    let response: Response;
    try {
      response = await send().catch((error: unknown) => {
        if (init.signal?.aborted) throw error;
        return send();
      });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      const reason =
        error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message)
          : String(error);
      throw new CliError(`Could not reach ${this.connection.url} (${reason}).`, EXIT.error);
    }
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      throw new CliError(
        `${method} ${path} answered ${response.status} with something that is not JSON.`,
        EXIT.error,
      );
    }
    if (!response.ok) throw new ApiProblem(response.status, problemOf(response.status, json));
    const decoded = schema.safeParse(json);
    if (!decoded.success) {
      throw new CliError(
        `${method} ${path} answered in a shape this CLI does not know (${decoded.error.issues[0]?.message ?? 'invalid'}); is the CLI older than the server?`,
        EXIT.error,
      );
    }
    return { status: response.status, data: decoded.data, headers: response.headers };
  }
}

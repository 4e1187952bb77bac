import type { Socket } from 'node:net';
import { BSON } from 'bson';
import { Codes, CommandError } from './errors.js';
import { type Context, runCommand } from './commands/index.js';
import { labelRetryable } from './retryable-writes.js';
import {
  FLAG_MORE_TO_COME,
  FrameReader,
  ProtocolError,
  encodeMsg,
  encodeReply,
  parseFrame,
  type Request,
} from './wire.js';
import type { Doc } from './values.js';

/** mongod only answers the handshake over legacy OP_QUERY. */
const HELLO_COMMANDS = new Set(['hello', 'isMaster', 'ismaster']);

type CommandRequest = Extract<Request, { body: Doc }>;

let nextResponseId = 1;

function respond(req: Request, ctx: Context): Buffer | undefined {
  if (req.op === 'query') {
    const db = req.collection.endsWith('.$cmd') ? req.collection.slice(0, -5) : undefined;
    const query = (
      req.query.$query && typeof req.query.$query === 'object' ? req.query.$query : req.query
    ) as Doc;
    const name = Object.keys(query)[0] ?? '';
    let reply: Doc;
    if (db === undefined || !HELLO_COMMANDS.has(name)) {
      reply = new CommandError(
        352,
        `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`,
      ).toReply();
    } else {
      reply = runCommand({ ...query, $db: db }, ctx);
    }
    return encodeReply(reply, nextResponseId++, req.requestId);
  }
  // A copy: running the command normalises its body in place.
  if ('body' in req && ctx.onCommand)
    ctx.onCommand(BSON.deserialize(BSON.serialize(req.body), { promoteLongs: false }));
  const retryable = 'body' in req && req.body.txnNumber !== undefined;
  const failure = 'body' in req ? ctx.failPoints.check(Object.keys(req.body)[0] ?? '') : undefined;
  if (failure && 'close' in failure)
    throw new ProtocolError('closed by the failCommand fail point');
  let reply: Doc;
  if (failure) reply = retryable ? labelRetryable(failure.reply) : failure.reply;
  else reply = 'error' in req ? req.error.toReply() : runCommand(req.body, ctx);
  if (retryable && reply.ok === 1 && ctx.failPoints.closeAfterRetryableWrite())
    throw new ProtocolError('closed by the onPrimaryTransactionalWrite fail point');
  if (req.moreToCome) return undefined;
  try {
    return encodeMsg(reply, nextResponseId++, req.requestId);
  } catch (err) {
    const fallback = new CommandError(
      Codes.BSONObjectTooLarge,
      `reply could not be encoded: ${(err as Error).message}`,
    );
    return encodeMsg(fallback.toReply(), nextResponseId++, req.requestId);
  }
}

/** How long a hello from the driver's streaming monitor may wait (see ReplicaSetPrimary). */
function helloWait(req: Request, ctx: Context): number | undefined {
  if (req.op !== 'msg' || !('body' in req) || !ctx.replicaSet) return undefined;
  if (!HELLO_COMMANDS.has(Object.keys(req.body)[0] ?? '')) return undefined;
  return ctx.replicaSet.awaitMs(req.body);
}

/**
 * Serves one client. Anything that breaks the framing closes this socket only; commands run
 * synchronously, so replies go out in request order. An awaitable hello holds the connection:
 * frames behind it wait. With `exhaustAllowed` the server keeps answering it every wait, each
 * reply flagged moreToCome, until the client hangs up, as mongod streams topology changes.
 */
export function serveConnection(socket: Socket, ctx: Context): void {
  const reader = new FrameReader();
  let waiting: NodeJS.Timeout | undefined;
  const queued: Buffer[] = [];

  const fail = (err: unknown): void => {
    if (!(err instanceof ProtocolError)) {
      process.emitWarning(
        `devstack mongo: dropping connection after unexpected error: ${(err as Error).stack ?? String(err)}`,
      );
    }
    socket.destroy();
  };
  const send = (out: Buffer): void => {
    if (!socket.write(out)) socket.pause();
  };
  const hold = (req: CommandRequest, ms: number, responseTo: number): void => {
    waiting = setTimeout(() => {
      try {
        const id = nextResponseId++;
        const flags = req.exhaustAllowed ? FLAG_MORE_TO_COME : 0;
        send(encodeMsg(runCommand(req.body, ctx), id, responseTo, flags));
        if (req.exhaustAllowed) return hold(req, ms, id);
        waiting = undefined;
        while (!waiting && queued.length) handle(queued.shift() as Buffer);
      } catch (err) {
        fail(err);
      }
    }, ms);
  };
  const handle = (frame: Buffer): void => {
    const req = parseFrame(frame);
    const wait = helloWait(req, ctx);
    if (wait !== undefined) return hold(req as CommandRequest, wait, req.requestId);
    const out = respond(req, ctx);
    if (out) send(out);
  };

  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.on('close', () => clearTimeout(waiting));
  socket.on('drain', () => socket.resume());
  socket.on('data', (chunk: Buffer) => {
    try {
      for (const frame of reader.push(chunk)) {
        if (waiting) queued.push(frame);
        else handle(frame);
      }
    } catch (err) {
      fail(err);
    }
  });
}

import type { Socket } from 'node:net';
import { Codes, CommandError } from './errors.js';
import { type Context, runCommand } from './commands/index.js';
import {
  FrameReader,
  ProtocolError,
  encodeMsg,
  encodeReply,
  parseFrame,
  type Request,
} from './wire.js';
import type { Doc } from './values.js';

/** mongod only answers the handshake over legacy OP_QUERY. */
const OP_QUERY_COMMANDS = new Set(['hello', 'isMaster', 'ismaster']);

let nextResponseId = 1;

function respond(req: Request, ctx: Context): Buffer | undefined {
  if (req.op === 'query') {
    const db = req.collection.endsWith('.$cmd') ? req.collection.slice(0, -5) : undefined;
    const query = (
      req.query.$query && typeof req.query.$query === 'object' ? req.query.$query : req.query
    ) as Doc;
    const name = Object.keys(query)[0] ?? '';
    let reply: Doc;
    if (db === undefined || !OP_QUERY_COMMANDS.has(name)) {
      reply = new CommandError(
        352,
        `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`,
      ).toReply();
    } else {
      reply = runCommand({ ...query, $db: db }, ctx);
    }
    return encodeReply(reply, nextResponseId++, req.requestId);
  }
  const failure = 'body' in req ? ctx.failPoints.check(Object.keys(req.body)[0] ?? '') : undefined;
  if (failure && 'close' in failure)
    throw new ProtocolError('closed by the failCommand fail point');
  const reply =
    failure?.reply ?? ('error' in req ? req.error.toReply() : runCommand(req.body, ctx));
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

/**
 * Serves one client. Anything that breaks the framing closes this socket only; commands run
 * synchronously, so replies go out in request order.
 */
export function serveConnection(socket: Socket, ctx: Context): void {
  const reader = new FrameReader();
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.on('drain', () => socket.resume());
  socket.on('data', (chunk: Buffer) => {
    try {
      for (const frame of reader.push(chunk)) {
        const out = respond(parseFrame(frame), ctx);
        if (out && !socket.write(out)) socket.pause();
      }
    } catch (err) {
      if (!(err instanceof ProtocolError)) {
        process.emitWarning(
          `devstack mongo: dropping connection after unexpected error: ${(err as Error).stack ?? String(err)}`,
        );
      }
      socket.destroy();
    }
  });
}

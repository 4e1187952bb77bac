import { Codes, CommandError } from '../errors.js';
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE } from '../wire.js';
import type { Context, Handler } from './context.js';

/** 21 is MongoDB 7.0; the driver (7.9) accepts 9..29. */
export const MAX_WIRE_VERSION = 21;
const VERSION = '7.0.0';

/**
 * No `compression` (the driver would switch to OP_COMPRESSED). As a replica set member the
 * reply carries the set's identity and a `topologyVersion`, so the driver monitors it with
 * awaitable hellos (see connection.ts); as a standalone it has neither.
 */
function helloReply(legacy: boolean, ctx: Context) {
  return {
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    ...ctx.replicaSet?.helloFields(),
    helloOk: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

const notSupported =
  (what: string): Handler =>
  () => {
    throw new CommandError(
      Codes.IllegalOperation,
      `${what} are not supported by the development server`,
    );
  };

export const handshakeCommands: Record<string, Handler> = {
  hello: (_cmd, _db, ctx) => helloReply(false, ctx),
  isMaster: (_cmd, _db, ctx) => helloReply(true, ctx),
  ismaster: (_cmd, _db, ctx) => helloReply(true, ctx),
  ping: () => ({ ok: 1 }),
  buildInfo: () => ({
    version: VERSION,
    versionArray: [7, 0, 0, 0],
    gitVersion: 'propagate-devstack',
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['devstack-memory'],
    modules: [],
    ok: 1,
  }),
  // Harmless answer so tools that probe parameters carry on.
  getParameter: (cmd) => {
    const out: Record<string, unknown> = { ok: 1 };
    if (cmd.featureCompatibilityVersion !== undefined)
      out.featureCompatibilityVersion = { version: '7.0' };
    return out;
  },
  getCmdLineOpts: () => ({ argv: ['devstack-mongo'], parsed: {}, ok: 1 }),
  hostInfo: () => ({
    system: { currentTime: new Date(), hostname: 'localhost' },
    os: {},
    extra: {},
    ok: 1,
  }),
  whatsmyuri: () => ({ you: '127.0.0.1', ok: 1 }),
  connectionStatus: () => ({
    authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
    ok: 1,
  }),
  configureFailPoint: (cmd, db, ctx) => {
    if (db !== 'admin')
      throw new CommandError(
        Codes.Unauthorized,
        'configureFailPoint may only be run against the admin database.',
      );
    return ctx.failPoints.configure(cmd);
  },
  endSessions: (cmd, _db, ctx) => {
    ctx.sessions.end(cmd.endSessions);
    return { ok: 1 };
  },
  refreshSessions: () => ({ ok: 1 }),
  killSessions: () => ({ ok: 1 }),
  startSession: () => {
    throw new CommandError(
      Codes.IllegalOperation,
      'startSession is not supported by the development server',
    );
  },
  commitTransaction: notSupported('transactions'),
  abortTransaction: notSupported('transactions'),
};
handshakeCommands.buildinfo = handshakeCommands.buildInfo as Handler;

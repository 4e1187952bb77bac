import { Long, ObjectId, Timestamp } from 'bson';
import { type Doc, isPlainObject, toInt } from './values.js';

/** The replica set the devstack's server presents by default (its URIs name it). */
export const DEVSTACK_REPLICA_SET = 'devstack';

/**
 * The identity of a one-member replica set whose only member is this server, always primary:
 * what `hello` must say for the driver to discover it through `?replicaSet=<name>`, select it
 * as RSPrimary, send `txnNumber` on retryable writes and monitor it with streaming hellos.
 * Nothing is replicated; a write is majority-committed when it is applied.
 */
export class ReplicaSetPrimary {
  readonly name: string;
  /** host:port as clients reach it; the driver drops a seed whose address differs from `me`. */
  readonly me: string;
  /** Changes with every start, so the driver knows a hello's topologyVersion is from another process. */
  private readonly processId = new ObjectId();
  /**
   * Each start of a single-member set is a new election; seconds since the epoch keep the term
   * (and so the electionId the driver compares to detect a stale primary) growing across restarts.
   */
  private readonly term: Long;
  private readonly electionId: ObjectId;
  private lastWrite: { ts: Timestamp; date: Date };

  constructor(name: string, me: string, now = Date.now()) {
    this.name = name;
    this.me = me;
    this.term = Long.fromNumber(Math.floor(now / 1000));
    this.electionId = new ObjectId(`7fffffff${this.term.toString(16).padStart(16, '0')}`);
    this.lastWrite = {
      ts: new Timestamp({ t: Math.floor(now / 1000), i: 1 }),
      date: new Date(now),
    };
  }

  /** Advances the optime: called once per committed command that changed data. */
  noteWrite(now = Date.now()): void {
    const t = Math.floor(now / 1000);
    const previous = this.lastWrite.ts;
    const i = previous.high === t ? previous.low + 1 : 1;
    this.lastWrite = {
      ts: new Timestamp({ t: Math.max(t, previous.high), i }),
      date: new Date(now),
    };
  }

  helloFields(): Doc {
    const opTime = { ts: this.lastWrite.ts, t: this.term };
    return {
      topologyVersion: { processId: this.processId, counter: Long.fromNumber(0) },
      hosts: [this.me],
      setName: this.name,
      setVersion: 1,
      secondary: false,
      primary: this.me,
      me: this.me,
      electionId: this.electionId,
      lastWrite: {
        opTime,
        lastWriteDate: this.lastWrite.date,
        // One member: every applied write is on a majority.
        majorityOpTime: opTime,
        majorityWriteDate: this.lastWrite.date,
      },
    };
  }

  /**
   * An awaitable hello (the driver's streaming monitor) names the topologyVersion it last saw
   * and how long the server may wait for a change. Ours never changes, so a hello naming the
   * current version waits the whole time, as mongod does; any other version is answered now.
   */
  awaitMs(cmd: Doc): number | undefined {
    const tv = cmd.topologyVersion;
    if (!isPlainObject(tv) || cmd.maxAwaitTimeMS === undefined) return undefined;
    if (!(tv.processId instanceof ObjectId) || !tv.processId.equals(this.processId))
      return undefined;
    if (toInt(tv.counter, -1) !== 0) return undefined;
    return Math.max(0, toInt(cmd.maxAwaitTimeMS, 0));
  }
}

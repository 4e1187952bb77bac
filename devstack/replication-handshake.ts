/**
 * Tells a replica's replication connection from a client's by its first commands. A Redis
 * replica opens its link to the master with PING, then AUTH, `REPLCONF listening-port <port>`
 * (its own port: the TLS one when replication runs over TLS), `REPLCONF capa ...` and PSYNC. A
 * client sends something else before long (ioredis: AUTH, then CLIENT SETNAME, INFO, ...). So
 * the first command that is not PING, AUTH or REPLCONF makes it a client, and the listening port
 * names the replica that opened the link.
 */

const HANDSHAKE = new Set(['PING', 'AUTH', 'REPLCONF']);
/** A handshake is a few hundred bytes; more than this unclassified is a client. */
const LIMIT_BYTES = 64 * 1024;

export type Verdict = { kind: 'pending' } | { kind: 'client' } | { kind: 'replica'; port: number };

/** One connection's client→server bytes, fed as they arrive, until a verdict is reached. */
export class HandshakeSniffer {
  private buffer = Buffer.alloc(0);
  private verdict: Verdict = { kind: 'pending' };

  feed(chunk: Buffer): Verdict {
    if (this.verdict.kind !== 'pending') return this.verdict;
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const parsed = parseCommand(this.buffer);
      if (parsed === 'malformed') return this.decide({ kind: 'client' });
      if (!parsed) break;
      this.buffer = this.buffer.subarray(parsed.next);
      const [name = '', sub = '', value = ''] = parsed.args;
      if (!HANDSHAKE.has(name.toUpperCase())) return this.decide({ kind: 'client' });
      if (name.toUpperCase() === 'REPLCONF' && sub.toLowerCase() === 'listening-port') {
        const port = Number(value);
        return this.decide(Number.isInteger(port) ? { kind: 'replica', port } : { kind: 'client' });
      }
    }
    if (this.buffer.length > LIMIT_BYTES) return this.decide({ kind: 'client' });
    return this.verdict;
  }

  private decide(verdict: Verdict): Verdict {
    this.verdict = verdict;
    this.buffer = Buffer.alloc(0);
    return verdict;
  }
}

/** One RESP multibulk command at the start of `buf`; inline commands count as malformed. */
function parseCommand(buf: Buffer): { args: string[]; next: number } | 'malformed' | undefined {
  if (buf.length === 0) return undefined;
  if (buf[0] !== 0x2a /* '*' */) return 'malformed';
  let eol = buf.indexOf('\r\n');
  if (eol < 0) return undefined;
  const count = Number(buf.toString('latin1', 1, eol));
  if (!Number.isInteger(count) || count < 1 || count > 64) return 'malformed';
  const args: string[] = [];
  let at = eol + 2;
  for (let i = 0; i < count; i += 1) {
    if (at >= buf.length) return undefined;
    if (buf[at] !== 0x24 /* '$' */) return 'malformed';
    eol = buf.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const len = Number(buf.toString('latin1', at + 1, eol));
    if (!Number.isInteger(len) || len < 0 || len > LIMIT_BYTES) return 'malformed';
    if (buf.length < eol + 2 + len + 2) return undefined;
    args.push(buf.toString('latin1', eol + 2, eol + 2 + len));
    at = eol + 2 + len + 2;
  }
  return { args, next: at };
}

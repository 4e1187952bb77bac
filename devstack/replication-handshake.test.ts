import { describe, expect, it } from 'vitest';
import { HandshakeSniffer } from './replication-handshake';

const command = (...args: string[]) =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/** What a Redis 7 replica sends first, in the writes it makes them in. */
const replicaHandshake = [
  command('PING'),
  command('AUTH', 'replication', 'secret') +
    command('REPLCONF', 'listening-port', '40123') +
    command('REPLCONF', 'capa', 'eof', 'capa', 'psync2'),
];

describe('HandshakeSniffer', () => {
  it('names the replica by the listening port of its handshake', () => {
    const sniffer = new HandshakeSniffer();
    expect(sniffer.feed(Buffer.from(replicaHandshake[0]!))).toEqual({ kind: 'pending' });
    expect(sniffer.feed(Buffer.from(replicaHandshake[1]!))).toEqual({
      kind: 'replica',
      port: 40123,
    });
    // Decided once: what follows (PSYNC, acks) is not read.
    expect(sniffer.feed(Buffer.from(command('GET', 'x')))).toEqual({
      kind: 'replica',
      port: 40123,
    });
  });

  it('reads a handshake split anywhere, even one byte at a time', () => {
    const sniffer = new HandshakeSniffer();
    const bytes = Buffer.from(replicaHandshake.join(''));
    const verdicts = [...bytes].map((byte) => sniffer.feed(Buffer.from([byte])));
    expect(verdicts.at(-1)).toEqual({ kind: 'replica', port: 40123 });
    expect(verdicts.filter((v) => v.kind !== 'pending')).toHaveLength(
      Buffer.byteLength(command('REPLCONF', 'capa', 'eof', 'capa', 'psync2')) + 1,
    );
  });

  it.each([
    [
      'a client signing in, then naming itself',
      command('AUTH', 'u', 'p') + command('CLIENT', 'SETNAME', 'x'),
    ],
    ['a client asking for the slots', command('CLUSTER', 'SLOTS')],
    ['an inline command', 'PING\r\n'],
    ['REPLCONF with a port that is not a number', command('REPLCONF', 'listening-port', 'abc')],
  ])('takes %s for a client', (_, bytes) => {
    expect(new HandshakeSniffer().feed(Buffer.from(bytes))).toEqual({ kind: 'client' });
  });

  it('stays undecided while only PING and AUTH have come', () => {
    const sniffer = new HandshakeSniffer();
    expect(sniffer.feed(Buffer.from(command('PING') + command('AUTH', 'u', 'p')))).toEqual({
      kind: 'pending',
    });
  });
});

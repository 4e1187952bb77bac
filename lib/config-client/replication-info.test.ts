import { describe, expect, it } from 'vitest';
import { parseReplicationInfo } from './replication-info';

const replica = (lines: string[]) =>
  ['# Replication', 'role:slave', 'master_host:127.0.0.1', ...lines, ''].join('\r\n');

describe('parseReplicationInfo', () => {
  it('reads a healthy replica', () => {
    expect(
      parseReplicationInfo(replica(['master_link_status:up', 'master_last_io_seconds_ago:1'])),
    ).toEqual({
      role: 'slave',
      linkUp: true,
      downForSeconds: null,
    });
  });

  it('reads a replica cut off from its primary, with how long', () => {
    expect(
      parseReplicationInfo(
        replica(['master_link_status:down', 'master_link_down_since_seconds:42']),
      ),
    ).toEqual({
      role: 'slave',
      linkUp: false,
      downForSeconds: 42,
    });
  });

  it('does not invent a duration Redis does not know (-1)', () => {
    expect(
      parseReplicationInfo(
        replica(['master_link_status:down', 'master_link_down_since_seconds:-1']),
      ).downForSeconds,
    ).toBeNull();
  });

  it('has no link to watch on the primary itself', () => {
    expect(parseReplicationInfo('# Replication\r\nrole:master\r\nconnected_slaves:3\r\n')).toEqual({
      role: 'master',
      linkUp: null,
      downForSeconds: null,
    });
  });

  it('says unknown for output it does not recognise', () => {
    expect(parseReplicationInfo('').role).toBe('unknown');
  });
});

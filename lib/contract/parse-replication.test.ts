import { describe, expect, it } from 'vitest';
import { parseReplicationInfo } from './parse-replication';

describe('parseReplicationInfo', () => {
  it('reads a healthy replica', () => {
    const info =
      '# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_link_status:up\r\nmaster_last_io_seconds_ago:1\r\n';
    expect(parseReplicationInfo(info)).toEqual({
      role: 'slave',
      linkUp: true,
      linkDownSinceSeconds: null,
      connectedReplicas: null,
    });
  });

  it('reads a replica whose link is down, with how long', () => {
    const info = 'role:slave\nmaster_link_status:down\nmaster_link_down_since_seconds:42\n';
    expect(parseReplicationInfo(info)).toMatchObject({ linkUp: false, linkDownSinceSeconds: 42 });
  });

  it('reads a primary and its replica count', () => {
    const info = 'role:master\r\nconnected_slaves:3\r\nslave0:ip=127.0.0.1,port=1,state=online\r\n';
    expect(parseReplicationInfo(info)).toEqual({
      role: 'master',
      linkUp: null,
      linkDownSinceSeconds: null,
      connectedReplicas: 3,
    });
  });
});

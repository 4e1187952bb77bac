/**
 * The Redis ACL users every devstack server runs with, as in production: nobody connects
 * without a user, and each party gets only what it needs (docs/production.md lists the same
 * rules for a real deployment). Passwords are random per stack, kept in its config.json and env
 * file (mode 0600); the servers' config files hold only their sha256.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ACTIVE_DEPLOYMENT_KEY, DEPLOYMENT_CHANNEL } from '../lib/contract/deployment-marker';
import { CONFIG_KEY_PREFIX, UPDATES_CHANNEL } from '../lib/contract/cache-layout';
import {
  FLEET_INDEX_KEY,
  INSTANCE_REPORT_PREFIX,
  INSTANCES_INDEX_PREFIX,
  PRESENCE_PREFIX,
} from '../lib/contract/report-layout';

export interface RedisUser {
  username: string;
  password: string;
}

/** One user per party; `admin` is the devstack's own (probes, faults, tests' fault tricks). */
export interface RedisCredentials {
  admin: RedisUser;
  /** Propagate's server and worker: everything under `propagate:`, nothing dangerous. */
  writer: RedisUser;
  /** The config client: reads config entries and the deployment marker, subscribes. */
  reader: RedisUser;
  /** The config client's reports: writes report and presence keys, reads nothing. */
  reporter: RedisUser;
  /** Replicas' replication link to the primary. */
  replication: RedisUser;
}

const user = (username: string): RedisUser => ({
  username,
  password: randomBytes(24).toString('hex'),
});

export function newCredentials(): RedisCredentials {
  return {
    admin: user('devstack-admin'),
    writer: user('propagate'),
    reader: user('config-reader'),
    reporter: user('config-reporter'),
    replication: user('replication'),
  };
}

/** Commands every client needs to connect (ioredis names its connection and checks INFO). */
const CONNECT = ['+hello', '+auth', '+ping', '+quit', '+client|setname', '+info'];

/** A cluster client learns the slots and checks the cluster's state; a reader reads replicas. */
const CLUSTER_CLIENT = ['+cluster|slots', '+cluster|info'];

/** The rules after `user <name> on #<hash> reset`: keys (~), channels (&) and commands. */
export const ACL_RULES: Record<keyof RedisCredentials, string[]> = {
  admin: ['~*', '&*', '+@all'],
  writer: ['~propagate:*', '&propagate:*', '+@all', '-@dangerous', '+info'],
  reader: [
    `%R~${CONFIG_KEY_PREFIX}*`,
    `%R~${ACTIVE_DEPLOYMENT_KEY}`,
    `&${UPDATES_CHANNEL}`,
    `&${DEPLOYMENT_CHANNEL}`,
    '-@all',
    ...CONNECT,
    ...CLUSTER_CLIENT,
    '+readonly',
    '+hgetall',
    '+hmget',
    '+subscribe',
    '+unsubscribe',
  ],
  reporter: [
    `%W~${INSTANCE_REPORT_PREFIX}*`,
    `%W~${INSTANCES_INDEX_PREFIX}*`,
    `%W~${FLEET_INDEX_KEY}`,
    `%W~${PRESENCE_PREFIX}*`,
    '-@all',
    ...CONNECT,
    ...CLUSTER_CLIENT,
    '+set',
    '+zadd',
    '+zrem',
    '+zremrangebyscore',
    '+pexpire',
    '+del',
  ],
  replication: ['-@all', '+psync', '+replconf', '+ping'],
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The config-file lines a server needs: the users (with hashed passwords), the default user off,
 * and for a replica the user its replication link signs in with.
 */
export function aclConfig(credentials: RedisCredentials, replica: boolean): string {
  // The default user is off (nobody signs in as it, so a connection without a user gets NOAUTH)
  // but keeps every permission: Redis replays the AOF's MULTI/EXEC blocks (every push script's
  // effects) as that user at start, and a default user without permissions loses them.
  const lines = ['user default reset off ~* &* +@all'];
  for (const [party, rules] of Object.entries(ACL_RULES)) {
    const { username, password } = credentials[party as keyof RedisCredentials];
    lines.push(`user ${username} reset on #${sha256(password)} ${rules.join(' ')}`);
  }
  if (replica) {
    lines.push(`masteruser ${credentials.replication.username}`);
    lines.push(`masterauth ${credentials.replication.password}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The env variables the stack's env file carries for each party (see README "Settings"). */
export function credentialsEnv(credentials: RedisCredentials): Record<string, string> {
  return {
    REDIS_USERNAME: credentials.writer.username,
    REDIS_PASSWORD: credentials.writer.password,
    CONFIG_READER_USERNAME: credentials.reader.username,
    CONFIG_READER_PASSWORD: credentials.reader.password,
    CONFIG_REPORTER_USERNAME: credentials.reporter.username,
    CONFIG_REPORTER_PASSWORD: credentials.reporter.password,
    DEVSTACK_REDIS_ADMIN_USERNAME: credentials.admin.username,
    DEVSTACK_REDIS_ADMIN_PASSWORD: credentials.admin.password,
  };
}

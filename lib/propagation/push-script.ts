/**
 * Compare-and-set on the primary: write the config hash only if its version is newer than what
 * is there, and announce it in the same script so the message can never precede the data (both
 * replicate in order). The script touches one key, so it runs unchanged on Redis Cluster.
 *
 * A forced re-push (ARGV[8] = 'same-version', support's answer to a diverged entry) may also
 * replace the *same* version; an older version never replaces a newer one, forced or not.
 *
 * The hash is replaced as a whole (DEL, then HSET) so a config never keeps a tombstone's
 * `archived` field and a tombstone never keeps a config's `body` (lib/contract/cache-layout.ts).
 *
 * KEYS[1] propagate:cfg:{appId}
 * ARGV    version, checksum, body ('' for a tombstone), committedAt, message, channel,
 *         kind ('config' | 'tombstone'), overwrite ('same-version' | '')
 * Returns {1, pushedAt} when written, {0, currentVersion, currentChecksum} when refused.
 */
export const PUSH_SCRIPT = `
local current = redis.call('HMGET', KEYS[1], 'version', 'checksum')
if current[1] then
  local held, version = tonumber(current[1]), tonumber(ARGV[1])
  if held > version or (held == version and ARGV[8] ~= 'same-version') then
    return {0, held, current[2]}
  end
end
local t = redis.call('TIME')
local pushedAt = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('DEL', KEYS[1])
if ARGV[7] == 'tombstone' then
  redis.call('HSET', KEYS[1], 'version', ARGV[1], 'checksum', ARGV[2], 'archived', '1',
    'committedAt', ARGV[4], 'pushedAt', pushedAt)
else
  redis.call('HSET', KEYS[1], 'version', ARGV[1], 'checksum', ARGV[2], 'body', ARGV[3],
    'committedAt', ARGV[4], 'pushedAt', pushedAt)
end
redis.call('PUBLISH', ARGV[6], ARGV[5])
return {1, pushedAt}
`;

/**
 * Re-seal one entry's body after a key rotation: replaces `body` only when the hash holds this
 * very version with this very checksum and is a config (not a tombstone). The data is the same,
 * so nothing else changes and nothing is announced (clients already hold this version).
 *
 * KEYS[1] propagate:cfg:{appId}
 * ARGV    version, checksum, body
 * Returns 1 when rewritten, 0 when the entry is another version, another checksum, or absent.
 */
export const RESEAL_SCRIPT = `
local current = redis.call('HMGET', KEYS[1], 'version', 'checksum', 'body')
if current[1] == ARGV[1] and current[2] == ARGV[2] and current[3] then
  redis.call('HSET', KEYS[1], 'body', ARGV[3])
  return 1
end
return 0
`;

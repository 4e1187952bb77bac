import { BlockList, isIP } from 'node:net';

/**
 * Where a notification may go. In production only https to public addresses: a customer must
 * not be able to make Propagate's worker call its own network (metadata services, databases,
 * admin ports). The devstack allows loopback (WEBHOOKS_ALLOW_LOOPBACK), with http, for tests.
 * Names are resolved again when each attempt connects (send.ts), so a name that later resolves
 * to a private address (DNS rebinding) is refused then too.
 */

export type AddressKind = 'public' | 'loopback' | 'private';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Private, link-local, shared, reserved, documentation, multicast and unspecified ranges. */
const nonPublic = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  nonPublic.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  nonPublic.addSubnet(net, bits, 'ipv6');
}

/** `::ffff:10.0.0.1` is 10.0.0.1: judged as the IPv4 address it carries. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

export function addressKind(raw: string): AddressKind {
  const address = unmapped(raw);
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (loopback.check(address, family)) return 'loopback';
  if (nonPublic.check(address, family)) return 'private';
  return 'public';
}

export interface UrlPolicy {
  allowLoopback: boolean;
}

/** Why an address may not be called, or null when it may. */
export function refuseAddress(address: string, policy: UrlPolicy): string | null {
  const kind = addressKind(address);
  if (kind === 'public' || (kind === 'loopback' && policy.allowLoopback)) return null;
  return kind === 'loopback'
    ? `${address} is a loopback address`
    : `${address} is a private or reserved address`;
}

/** `[::1]` → `::1`: URL keeps the brackets of an IPv6 host. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

const isLoopbackName = (host: string) => host === 'localhost' || host.endsWith('.localhost');

/** The scheme rule: https, or http to a loopback host where loopback is allowed. */
export function refuseScheme(url: URL, policy: UrlPolicy): string | null {
  if (url.protocol === 'https:') return null;
  const host = hostOf(url);
  const local = isLoopbackName(host) || (isIP(host) !== 0 && addressKind(host) === 'loopback');
  if (url.protocol === 'http:' && policy.allowLoopback && local) return null;
  return 'Use an https:// URL';
}

export type Resolve = (host: string) => Promise<string[]>;

/**
 * Checks a URL before it is stored: scheme, then every address its host resolves to now.
 * Returns the reason it is refused, or null.
 */
export async function checkEndpointUrl(
  raw: string,
  policy: UrlPolicy,
  resolve: Resolve,
): Promise<string | null> {
  const url = new URL(raw);
  const scheme = refuseScheme(url, policy);
  if (scheme) return scheme;
  const host = hostOf(url);
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    return `${host} does not resolve to an address`;
  }
  if (addresses.length === 0) return `${host} does not resolve to an address`;
  for (const address of addresses) {
    const refused = refuseAddress(address, policy);
    if (refused) return `Not allowed: ${host === address ? '' : `${host} resolves to `}${refused}`;
  }
  return null;
}

/** The addresses a name resolves to now, within `timeoutMs` (a slow resolver is a refusal). */
export async function resolveHost(host: string, timeoutMs = 3_000): Promise<string[]> {
  const { lookup } = await import('node:dns/promises');
  const answer = await Promise.race([
    lookup(host, { all: true }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('DNS timeout')), timeoutMs).unref(),
    ),
  ]);
  return answer.map((a) => a.address);
}

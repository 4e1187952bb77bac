import { describe, expect, it } from 'vitest';
import { addressKind, checkEndpointUrl } from '@/lib/webhooks/url-guard';

const production = { allowLoopback: false };
const devstack = { allowLoopback: true };
const resolveTo = (addresses: string[]) => () => Promise.resolve(addresses);

describe('webhook URL guard', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'private'],
    ['100.64.0.1', 'private'],
    ['0.0.0.0', 'private'],
    ['fe80::1', 'private'],
    ['fd00::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::', 'private'],
  ])('%s is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  it.each([
    ['https://hooks.example.com/x', production, ['93.184.216.34'], null],
    ['http://hooks.example.com/x', production, ['93.184.216.34'], /https/],
    ['https://10.0.0.5/hook', production, [], /private/],
    ['https://169.254.169.254/latest', production, [], /private/],
    ['https://[::1]:8443/', production, [], /loopback/],
    ['https://internal.example.com/', production, ['10.0.0.7'], /resolves to 10\.0\.0\.7/],
    // One bad address among good ones is enough to refuse.
    ['https://mixed.example.com/', production, ['93.184.216.34', '127.0.0.1'], /loopback/],
    ['http://127.0.0.1:4000/hook', production, [], /https/],
    ['http://127.0.0.1:4000/hook', devstack, [], null],
    ['http://localhost:4000/hook', devstack, ['127.0.0.1'], null],
    // The devstack allows loopback, not the private network.
    ['https://10.0.0.5/hook', devstack, [], /private/],
    ['http://10.0.0.5/hook', devstack, [], /https/],
  ] as const)('%s (loopback %s)', async (url, policy, addresses, refused) => {
    const reason = await checkEndpointUrl(url, policy, resolveTo([...addresses]));
    if (refused === null) expect(reason).toBeNull();
    else expect(reason).toMatch(refused);
  });

  it('refuses a name that does not resolve', async () => {
    const reason = await checkEndpointUrl('https://nowhere.invalid/', production, () =>
      Promise.reject(new Error('ENOTFOUND')),
    );
    expect(reason).toMatch(/does not resolve/);
  });
});

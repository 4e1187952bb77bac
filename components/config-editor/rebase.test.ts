import { describe, expect, it } from 'vitest';
import { rebaseDraft } from '@/components/config-editor/rebase';
import { defaultConfig, SECRET_UNCHANGED, type AppConfig } from '@/lib/schemas/config';
import { maskSecrets } from '@/lib/secrets';

const base = (): AppConfig =>
  maskSecrets({
    ...defaultConfig('Shop'),
    signIn: {
      ...defaultConfig('Shop').signIn,
      social: [{ provider: 'google', clientId: 'g-1', clientSecret: 's' }],
    },
    urls: { allowedOrigins: [], redirectUrls: ['https://a.example.com/cb'], logoutUrls: [] },
    webhooks: [
      {
        id: 'orders',
        url: 'https://h.example.com/1',
        events: ['user.created'],
        signingSecret: 's',
      },
    ],
  });

describe('rebaseDraft', () => {
  it('keeps their change to a setting you did not touch and yours to one you did', () => {
    const mine = { ...base(), branding: { ...base().branding, primaryColor: '#111111' } };
    const theirs = { ...base(), sessions: { ...base().sessions, idleTimeoutMinutes: 30 } };
    const out = rebaseDraft(base(), mine, theirs);
    expect(out.branding.primaryColor).toBe('#111111');
    expect(out.sessions.idleTimeoutMinutes).toBe(30);
  });

  it('your value wins on the same setting (you review it against theirs before saving)', () => {
    const mine = { ...base(), branding: { ...base().branding, displayName: 'Mine' } };
    const theirs = { ...base(), branding: { ...base().branding, displayName: 'Theirs' } };
    expect(rebaseDraft(base(), mine, theirs).branding.displayName).toBe('Mine');
  });

  it('merges plain lists as sets', () => {
    const mine = {
      ...base(),
      urls: { ...base().urls, redirectUrls: ['https://b.example.com/cb'] },
    };
    const theirs = {
      ...base(),
      urls: {
        ...base().urls,
        redirectUrls: ['https://a.example.com/cb', 'https://c.example.com/cb'],
      },
    };
    expect(rebaseDraft(base(), mine, theirs).urls.redirectUrls).toEqual([
      'https://c.example.com/cb',
      'https://b.example.com/cb',
    ]);
  });

  it('merges identified items by identity and keeps secrets masked or as typed', () => {
    const mine: AppConfig = {
      ...base(),
      signIn: {
        ...base().signIn,
        social: [
          { provider: 'google', clientId: 'g-2', clientSecret: 'typed-new-secret' },
          { provider: 'github', clientId: 'gh', clientSecret: 'gh-secret' },
        ],
      },
    };
    const theirs: AppConfig = {
      ...base(),
      signIn: {
        ...base().signIn,
        social: [
          { provider: 'apple', clientId: 'ap', clientSecret: SECRET_UNCHANGED },
          {
            provider: 'google',
            clientId: 'g-1',
            clientSecret: SECRET_UNCHANGED,
            scopes: ['email'],
          },
        ],
      },
      webhooks: [],
    };
    const out = rebaseDraft(base(), mine, theirs);
    expect(out.signIn.social).toEqual([
      { provider: 'apple', clientId: 'ap', clientSecret: SECRET_UNCHANGED },
      { provider: 'google', clientId: 'g-2', clientSecret: 'typed-new-secret', scopes: ['email'] },
      { provider: 'github', clientId: 'gh', clientSecret: 'gh-secret' },
    ]);
    // They removed the webhook and you did not touch it: it stays removed.
    expect(out.webhooks).toEqual([]);
  });

  it('drops an item you removed even if they kept it', () => {
    const mine = { ...base(), webhooks: [] };
    expect(rebaseDraft(base(), mine, base()).webhooks).toEqual([]);
  });

  it('with no changes of yours, is their version', () => {
    const theirs = { ...base(), features: { ...base().features, organizations: true } };
    expect(rebaseDraft(base(), base(), theirs)).toEqual(theirs);
  });
});

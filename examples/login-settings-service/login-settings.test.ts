import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../lib/schemas/config';
import { escapeHtml, renderLoginPage } from './login-page';
import { loginSettings } from './login-settings';

const SECRET = 'demo-secret-do-not-serve';
const full = {
  ...defaultConfig('Acme Store'),
  signIn: {
    password: { enabled: true },
    passwordless: { enabled: true, linkLifetimeMinutes: 15 },
    social: [
      { provider: 'google', clientId: 'client-123', clientSecret: SECRET, scopes: ['openid'] },
    ],
  },
  webhooks: [
    {
      id: 'orders',
      url: 'https://hooks.example.test',
      events: ['user.created'],
      signingSecret: SECRET,
    },
  ],
};
const ctx = {
  appId: 'acme-store',
  version: 7,
  region: 'eu-west-1',
  instanceId: 'login-eu-west-1-1',
  stalenessMs: 0,
};

describe('loginSettings', () => {
  it('keeps what a login page needs and nothing secret', () => {
    const settings = loginSettings(full);
    expect(settings.signIn).toEqual({ password: true, emailLink: true, social: ['google'] });
    expect(settings.branding.displayName).toBe('Acme Store');
    expect(JSON.stringify(settings)).not.toContain(SECRET);
    expect(JSON.stringify(settings)).not.toContain('client-123');
    expect(JSON.stringify(settings)).not.toContain('hooks.example.test');
  });

  it('survives a config it does not recognise', () => {
    expect(loginSettings(null).branding).toEqual({
      displayName: 'Sign in',
      primaryColor: '#2563EB',
      logoUrl: '',
    });
    expect(
      loginSettings({ branding: { primaryColor: 'red; background: url(x)' } }).branding
        .primaryColor,
    ).toBe('#2563EB');
    expect(loginSettings({ branding: { logoUrl: 'javascript:alert(1)' } }).branding.logoUrl).toBe(
      '',
    );
  });
});

describe('renderLoginPage', () => {
  it('escapes names that come from the config', () => {
    const settings = loginSettings({
      ...full,
      branding: { displayName: '<script>x</script>', primaryColor: '#123456', logoUrl: '' },
    });
    const page = renderLoginPage(settings, ctx);
    expect(page).not.toContain('<script>x');
    expect(page).toContain('&lt;script&gt;');
    expect(page).toContain('acme-store v7');
    expect(page).not.toContain(SECRET);
  });

  it('says when the config may be stale', () => {
    expect(renderLoginPage(loginSettings(full), { ...ctx, stalenessMs: 12_000 })).toContain(
      'may be stale by 12 s',
    );
  });

  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

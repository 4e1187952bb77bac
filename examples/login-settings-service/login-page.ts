/** A tiny login page rendered from the settings: proof, in a browser, of which version a server uses. */
import type { LoginSettings } from './login-settings';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);

const PROVIDER_LABELS: Record<string, string> = {
  google: 'Google',
  github: 'GitHub',
  apple: 'Apple',
  microsoft: 'Microsoft',
  facebook: 'Facebook',
};

export interface PageContext {
  appId: string;
  version: number;
  region: string;
  instanceId: string;
  stalenessMs: number;
}

export function renderLoginPage(settings: LoginSettings, ctx: PageContext): string {
  const { branding, signIn, mfa } = settings;
  const buttons = [
    signIn.password
      ? '<label>Password <input type="password" autocomplete="current-password"></label>'
      : '',
    signIn.emailLink ? '<button type="button">Email me a sign-in link</button>' : '',
    ...signIn.social.map(
      (p) => `<button type="button">Continue with ${escapeHtml(PROVIDER_LABELS[p] ?? p)}</button>`,
    ),
  ].filter(Boolean);
  const stale =
    ctx.stalenessMs > 0 ? ` · may be stale by ${Math.round(ctx.stalenessMs / 1000)} s` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to ${escapeHtml(branding.displayName)}</title>
<style>
  body { font: 16px system-ui, sans-serif; background: #f8fafc; color: #0f172a; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  main { background: #fff; border: 1px solid #e2e8f0; border-radius: 12px; padding: 32px; width: 340px; }
  h1 { font-size: 20px; margin: 0 0 20px; }
  label, button { display: block; width: 100%; margin: 10px 0; box-sizing: border-box; }
  input { display: block; width: 100%; padding: 8px; margin-top: 4px; box-sizing: border-box; }
  button { padding: 10px; border: 0; border-radius: 8px; color: #fff; background: ${branding.primaryColor}; font: inherit; }
  footer { margin-top: 20px; font-size: 12px; color: #64748b; }
</style>
</head>
<body>
<main>
  ${branding.logoUrl ? `<img src="${escapeHtml(branding.logoUrl)}" alt="" height="40">` : ''}
  <h1>Sign in to ${escapeHtml(branding.displayName)}</h1>
  <form>${buttons.join('\n    ')}</form>
  ${mfa.policy === 'required' ? '<p>You will be asked for a second factor.</p>' : ''}
  <footer>${escapeHtml(ctx.appId)} v${ctx.version} · served by ${escapeHtml(ctx.instanceId)} in ${escapeHtml(ctx.region)}${stale}</footer>
</main>
</body>
</html>
`;
}

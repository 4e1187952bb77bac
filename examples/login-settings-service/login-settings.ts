/**
 * The public part of an app's configuration that a login page needs. The cached body also holds
 * secrets (social client secrets, webhook signing secrets): this picks fields by name from an
 * allow-list, so nothing that is not listed here can ever reach a browser.
 */
export interface LoginSettings {
  branding: { displayName: string; primaryColor: string; logoUrl: string };
  signIn: {
    password: boolean;
    emailLink: boolean;
    /** Provider names only: client ids and secrets stay on the server. */
    social: string[];
  };
  mfa: { policy: string; factors: string[] };
  registration: { enabled: boolean; fields: { name: string; required: boolean }[] };
  passwordRules: {
    minLength: number | null;
    requireUppercase: boolean;
    requireNumber: boolean;
    requireSymbol: boolean;
  };
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const bool = (v: unknown): boolean => v === true;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const HEX_COLOUR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

export function loginSettings(config: unknown): LoginSettings {
  const c = obj(config);
  const branding = obj(c.branding);
  const signIn = obj(c.signIn);
  const mfa = obj(c.mfa);
  const registration = obj(c.registration);
  const passwordPolicy = obj(c.passwordPolicy);
  const logoUrl = str(branding.logoUrl);
  const colour = str(branding.primaryColor);
  return {
    branding: {
      displayName: str(branding.displayName, 'Sign in'),
      primaryColor: HEX_COLOUR.test(colour) ? colour : '#2563EB',
      logoUrl: logoUrl.startsWith('https://') ? logoUrl : '',
    },
    signIn: {
      password: bool(obj(signIn.password).enabled),
      emailLink: bool(obj(signIn.passwordless).enabled),
      social: arr(signIn.social)
        .map((p) => str(obj(p).provider))
        .filter(Boolean),
    },
    mfa: {
      policy: str(mfa.policy, 'off'),
      factors: arr(mfa.factors)
        .map((f) => str(f))
        .filter(Boolean),
    },
    registration: {
      enabled: bool(registration.enabled),
      fields: arr(registration.fields).map((f) => ({
        name: str(obj(f).name),
        required: bool(obj(f).required),
      })),
    },
    passwordRules: {
      minLength: typeof passwordPolicy.minLength === 'number' ? passwordPolicy.minLength : null,
      requireUppercase: bool(passwordPolicy.requireUppercase),
      requireNumber: bool(passwordPolicy.requireNumber),
      requireSymbol: bool(passwordPolicy.requireSymbol),
    },
  };
}

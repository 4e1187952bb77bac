'use client';

import {
  BrandingSection,
  FeaturesSection,
  RegistrationSection,
  UrlsSection,
} from '@/components/config-editor/app-sections';
import {
  MfaSection,
  PasswordPolicySection,
  RateLimitsSection,
  SessionsSection,
} from '@/components/config-editor/policy-sections';
import { SignInSection } from '@/components/config-editor/sign-in-section';
import { WebhooksSection } from '@/components/config-editor/webhooks-section';

const nav = [
  ['signIn', 'Sign-in methods'],
  ['mfa', 'MFA'],
  ['passwordPolicy', 'Password policy'],
  ['sessions', 'Sessions and tokens'],
  ['urls', 'URLs'],
  ['rateLimits', 'Rate limits'],
  ['registration', 'Registration'],
  ['branding', 'Branding'],
  ['webhooks', 'Webhooks'],
  ['features', 'Features'],
] as const;

/** Every section of the configuration, with a table of contents beside it on wide screens. */
export function AppSections() {
  return (
    <div className="grid gap-6 lg:grid-cols-[12rem_minmax(0,1fr)]">
      <nav aria-label="Configuration sections" className="hidden lg:block">
        <ul className="sticky top-6 space-y-1 text-sm">
          {nav.map(([id, label]) => (
            <li key={id}>
              <a
                href={`#section-${id}`}
                className="block rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100 hover:text-slate-900"
              >
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="space-y-6">
        <SignInSection />
        <MfaSection />
        <PasswordPolicySection />
        <SessionsSection />
        <UrlsSection />
        <RateLimitsSection />
        <RegistrationSection />
        <BrandingSection />
        <WebhooksSection />
        <FeaturesSection />
      </div>
    </div>
  );
}

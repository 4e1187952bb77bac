import { labelledOptions } from '@/components/config-diff/format-value';
import {
  MFA_FACTORS,
  REGISTRATION_FIELDS,
  SOCIAL_PROVIDERS,
  WEBHOOK_EVENTS,
} from '@/lib/schemas/config';

export const providerOptions = labelledOptions('signIn.social', SOCIAL_PROVIDERS);
export const factorOptions = labelledOptions('mfa.factors', MFA_FACTORS);
export const eventOptions = labelledOptions('webhooks.*.events', WEBHOOK_EVENTS);
export const registrationFieldOptions = labelledOptions('registration.fields', REGISTRATION_FIELDS);
export const policyOptions = [
  { value: 'off', label: 'Off' },
  { value: 'optional', label: 'Optional — users may turn it on' },
  { value: 'required', label: 'Required for everyone' },
] as const;
export const verificationOptions = [
  { value: 'required', label: 'Required before first sign-in' },
  { value: 'optional', label: 'Optional — send a link, don’t block' },
  { value: 'off', label: 'Off' },
] as const;

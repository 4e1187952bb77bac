'use client';

import { useEditor } from '@/components/config-editor/editor-context';
import { EditorSection } from '@/components/config-editor/editor-section';
import {
  MultiChoiceField,
  NumberField,
  SelectField,
  ToggleField,
} from '@/components/config-editor/fields';
import { factorOptions, policyOptions } from '@/components/config-editor/labels';

export function MfaSection() {
  return (
    <EditorSection
      id="mfa"
      title="Multi-factor authentication"
      description="A second step after the password or link."
    >
      <SelectField path="mfa.policy" label="Policy" options={policyOptions} />
      <MultiChoiceField
        path="mfa.factors"
        legend="Allowed factors"
        hint="Required MFA needs at least one."
        options={factorOptions}
      />
      <NumberField
        path="mfa.rememberDeviceDays"
        label="Remember a device for"
        unit="days"
        min={0}
        max={365}
        hint="0 asks for the second factor at every sign-in."
      />
    </EditorSection>
  );
}

export function PasswordPolicySection() {
  return (
    <EditorSection
      id="passwordPolicy"
      title="Password policy"
      description="Length matters most; composition rules add little (NIST 800-63B)."
    >
      <div className="grid gap-4 sm:grid-cols-3">
        <NumberField
          path="passwordPolicy.minLength"
          label="Minimum length"
          unit="characters"
          min={8}
          max={128}
        />
        <NumberField
          path="passwordPolicy.historyCount"
          label="Previous passwords remembered"
          min={0}
          max={24}
          hint="Can’t be reused."
        />
        <NumberField
          path="passwordPolicy.maxAgeDays"
          label="Password expiry"
          unit="days"
          min={0}
          max={730}
          hint="0 means never expire."
        />
      </div>
      <div className="grid gap-3 sm:grid-cols-3">
        <ToggleField path="passwordPolicy.requireUppercase" label="Require an upper-case letter" />
        <ToggleField path="passwordPolicy.requireNumber" label="Require a number" />
        <ToggleField path="passwordPolicy.requireSymbol" label="Require a symbol" />
      </div>
    </EditorSection>
  );
}

export function SessionsSection() {
  return (
    <EditorSection
      id="sessions"
      title="Sessions and tokens"
      description="How long people stay signed in, and how long tokens last."
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <NumberField
          path="sessions.sessionLifetimeMinutes"
          label="Session lifetime"
          unit="minutes"
          min={5}
          max={525600}
          hint="10080 minutes is a week."
        />
        <NumberField
          path="sessions.idleTimeoutMinutes"
          label="Idle timeout"
          unit="minutes"
          min={1}
          max={525600}
          hint="No longer than the session lifetime."
        />
        <NumberField
          path="sessions.accessTokenLifetimeSeconds"
          label="Access token lifetime"
          unit="seconds"
          min={60}
          max={86400}
        />
        <NumberField
          path="sessions.refreshTokenLifetimeSeconds"
          label="Refresh token lifetime"
          unit="seconds"
          min={60}
          max={31536000}
          hint="Must be longer than the access token lifetime."
        />
      </div>
      <ToggleField
        path="sessions.refreshTokenRotation"
        label="Rotate refresh tokens"
        hint="Each refresh token works once; reuse signals theft."
      />
    </EditorSection>
  );
}

export function RateLimitsSection() {
  const { draft } = useEditor();
  return (
    <EditorSection
      id="rateLimits"
      title="Rate limits and lockout"
      description="Slow down password guessing."
    >
      <NumberField
        path="rateLimits.signInAttemptsPerMinute"
        label="Sign-in attempts per minute, per account"
        min={1}
        max={600}
      />
      <ToggleField
        path="rateLimits.lockout.enabled"
        label="Lock accounts after repeated failures"
      />
      {draft.rateLimits.lockout.enabled && (
        <div className="grid gap-4 sm:grid-cols-2">
          <NumberField
            path="rateLimits.lockout.threshold"
            label="Failed attempts before lockout"
            min={3}
            max={100}
          />
          <NumberField
            path="rateLimits.lockout.durationMinutes"
            label="Lockout duration"
            unit="minutes"
            min={1}
            max={1440}
          />
        </div>
      )}
    </EditorSection>
  );
}

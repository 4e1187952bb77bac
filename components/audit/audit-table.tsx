import { Badge, type BadgeTone } from '@/components/ui/badge';
import { Table, Td, Tr } from '@/components/ui/table';
import { TimeAgo } from '@/components/ui/time-ago';
import type { AuditDoc } from '@/lib/db/collections';
import { exactTime } from '@/lib/format-time';
import { auditActionLabels, auditActions, type AuditAction } from '@/lib/schemas/audit';

const tones: Record<AuditAction, BadgeTone> = {
  'config.saved': 'info',
  'config.rolled_back': 'warning',
  'push.retried': 'info',
  'push.forced': 'warning',
  'token.created': 'neutral',
  'token.revoked': 'warning',
  'sign_in.succeeded': 'success',
  'sign_in.failed': 'danger',
  sign_out: 'neutral',
  'migration.planned': 'neutral',
  'migration.started': 'info',
  'migration.cut_over': 'success',
  'migration.rolled_back': 'warning',
  'migration.finished': 'success',
  'migration.cancelled': 'warning',
  'app.created': 'success',
  'app.updated': 'neutral',
  'app.archived': 'warning',
  'app.restored': 'success',
  'user.invited': 'info',
  'invitation.revoked': 'warning',
  'invitation.accepted': 'success',
  'user.role_changed': 'warning',
  'user.disabled': 'danger',
  'user.enabled': 'success',
  'password.changed': 'neutral',
  'webhook.created': 'info',
  'webhook.enabled': 'success',
  'webhook.disabled': 'warning',
  'webhook.secret_rotated': 'warning',
  'webhook.deleted': 'warning',
  'webhook.resent': 'neutral',
};

const failureReasons: Record<string, string> = {
  wrong_password: 'wrong password',
  unknown_email: 'no such account',
  disabled: 'account disabled',
  rate_limited: 'too many failed attempts',
};

function isKnown(action: string): action is AuditAction {
  return (auditActions as readonly string[]).includes(action);
}

const actorKinds: Record<AuditDoc['actor']['kind'], string | null> = {
  user: null,
  token: 'API token',
  anonymous: 'not signed in',
  system: 'Propagate',
};

/** The facts worth a glance beyond the summary; everything else stays in the stored entry. */
function detailLine(entry: AuditDoc): string | null {
  const d = entry.details;
  const parts: string[] = [];
  if (typeof d.version === 'number') parts.push(`version ${d.version}`);
  if (typeof d.reason === 'string') parts.push(failureReasons[d.reason] ?? d.reason);
  if (typeof d.prefix === 'string') parts.push(`${d.prefix}…`);
  return parts.length ? parts.join(' · ') : null;
}

export function AuditTable({
  entries,
  showTenant,
  apps,
}: {
  entries: AuditDoc[];
  showTenant: boolean;
  /** Names of the apps on this page, by id. */
  apps: readonly { value: string; label: string }[];
}) {
  const appNames = new Map(apps.map((a) => [a.value, a.label]));
  return (
    <Table
      caption="Audit log entries, newest first"
      columns={[
        'When',
        'Who',
        'What',
        'App',
        showTenant && 'Account',
        'IP address',
        'Browser or client',
      ]}
    >
      <tbody>
        {entries.map((entry) => {
          const detail = detailLine(entry);
          const kind = actorKinds[entry.actor.kind];
          return (
            <Tr key={String(entry._id)}>
              <Td className="whitespace-nowrap">
                <TimeAgo date={entry.at} />
                <div className="text-xs text-slate-500">{exactTime(entry.at)}</div>
              </Td>
              <Td>
                <span className="font-medium text-slate-900">{entry.actor.name}</span>
                {kind && <div className="text-xs text-slate-500">{kind}</div>}
              </Td>
              <Td>
                <Badge tone={isKnown(entry.action) ? tones[entry.action] : 'neutral'}>
                  {isKnown(entry.action) ? auditActionLabels[entry.action] : entry.action}
                </Badge>
                <div className="mt-1 text-slate-700">{entry.summary}</div>
                {detail && <div className="text-xs text-slate-500">{detail}</div>}
              </Td>
              <Td>
                {entry.appId ? (
                  <>
                    {appNames.get(entry.appId)}
                    <div className="font-mono text-xs text-slate-500">{entry.appId}</div>
                  </>
                ) : (
                  '—'
                )}
              </Td>
              {showTenant && <Td>{entry.tenantId ?? '—'}</Td>}
              <Td className="font-mono text-xs whitespace-nowrap">{entry.ip ?? 'unknown'}</Td>
              <Td className="max-w-56 text-xs text-slate-500">
                <span className="line-clamp-2 break-all" title={entry.userAgent ?? undefined}>
                  {entry.userAgent ?? 'unknown'}
                </span>
              </Td>
            </Tr>
          );
        })}
      </tbody>
    </Table>
  );
}

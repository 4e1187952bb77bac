'use client';

import { useEffect, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { ActionError } from '@/components/ui/action-error';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/card';
import { Dialog } from '@/components/ui/dialog';
import { Table, Td, Tr } from '@/components/ui/table';
import { TimeAgo, TimeAgoOrNever } from '@/components/ui/time-ago';
import { useToast } from '@/components/ui/toast';
import { useFormAction } from '@/components/ui/use-form-action';
import { revokeApiToken } from '@/lib/actions/revoke-api-token';
import type { ApiTokenSummary } from '@/lib/db/api-tokens';
import { tokenScopeLabels } from '@/lib/schemas/api-token';

function RevokeDialog({ token, onClose }: { token: ApiTokenSummary | null; onClose: () => void }) {
  const toast = useToast();
  const { state, action, pending } = useFormAction(revokeApiToken);
  useEffect(() => {
    if (state.status === 'ok') {
      toast(state.message, 'success');
      onClose();
    }
    // Only a new result should close the dialog, not a re-render with the old one.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);

  return (
    <Dialog
      open={token !== null}
      onClose={onClose}
      title={token ? `Revoke “${token.name}”?` : 'Revoke token'}
      description="Anything that uses this token is refused from its next request. This cannot be undone; create a new token if you need access again."
    >
      {token && (
        <form action={action} className="space-y-4">
          <input type="hidden" name="tokenId" value={token._id} />
          <ActionError result={state} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={onClose}>
              Keep token
            </Button>
            <Button type="submit" variant="danger" pending={pending}>
              Revoke token
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

export function TokensTable({ tokens }: { tokens: ApiTokenSummary[] }) {
  const [revoking, setRevoking] = useState<ApiTokenSummary | null>(null);
  if (tokens.length === 0) {
    return (
      <EmptyState title="No API tokens yet">
        Create one above for each pipeline or script that talks to Propagate.
      </EmptyState>
    );
  }
  return (
    <>
      <Table
        caption="API tokens of your account"
        columns={['Name', 'Access', 'Token', 'Created', 'Last used', 'Status']}
        actions
      >
        <tbody>
          {tokens.map((token) => (
            <Tr key={token._id}>
              <Td className="font-medium text-slate-900">{token.name}</Td>
              <Td>
                <Badge tone={token.scope === 'read-write' ? 'warning' : 'neutral'}>
                  {tokenScopeLabels[token.scope]}
                </Badge>
              </Td>
              <Td>
                <code className="font-mono text-xs text-slate-600">{token.prefix}…</code>
              </Td>
              <Td>
                <TimeAgo date={token.createdAt} />
                <div className="text-xs text-slate-500">by {token.createdBy.name}</div>
              </Td>
              <Td>
                <TimeAgoOrNever date={token.lastUsedAt} />
              </Td>
              <Td>
                {token.revokedAt ? (
                  <>
                    <Badge tone="danger">Revoked</Badge>
                    <div className="text-xs text-slate-500">
                      <TimeAgo date={token.revokedAt} />
                    </div>
                  </>
                ) : (
                  <Badge tone="success" dot>
                    Active
                  </Badge>
                )}
              </Td>
              <Td className="text-right">
                {!token.revokedAt && (
                  <Button
                    variant="ghost"
                    size="sm"
                    onClick={() => setRevoking(token)}
                    aria-label={`Revoke ${token.name}`}
                  >
                    Revoke
                  </Button>
                )}
              </Td>
            </Tr>
          ))}
        </tbody>
      </Table>
      {/* Keyed by token so a message left from one token's attempt never shows for another. */}
      <RevokeDialog
        key={revoking?._id ?? 'none'}
        token={revoking}
        onClose={() => setRevoking(null)}
      />
    </>
  );
}

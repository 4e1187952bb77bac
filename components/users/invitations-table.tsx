'use client';

import { Button } from '@/components/ui/button';
import { Table, Td, Tr } from '@/components/ui/table';
import { TimeAgo } from '@/components/ui/time-ago';
import { RowAction } from '@/components/users/row-action';
import { revokeInvitation } from '@/lib/actions/revoke-invitation';
import { tenantRoleLabels, type TenantRole } from '@/lib/schemas/users';

export function InvitationsTable({
  invitations,
}: {
  invitations: {
    id: string;
    email: string;
    role: TenantRole;
    createdAt: Date;
    expiresAt: Date;
    by: string;
  }[];
}) {
  return (
    <Table caption="Pending invitations" columns={['Email', 'Role', 'Invited', 'Expires']} actions>
      <tbody>
        {invitations.map((i) => (
          <Tr key={i.id}>
            <Td className="font-medium text-slate-900">{i.email}</Td>
            <Td>{tenantRoleLabels[i.role]}</Td>
            <Td>
              <TimeAgo date={i.createdAt} />{' '}
              <span className="text-xs text-slate-500">by {i.by}</span>
            </Td>
            <Td>
              <TimeAgo date={i.expiresAt} />
            </Td>
            <Td className="text-right">
              <RowAction action={revokeInvitation} fields={{ invitationId: i.id }}>
                <Button
                  type="submit"
                  variant="ghost"
                  size="sm"
                  aria-label={`Revoke the invitation of ${i.email}`}
                >
                  Revoke
                </Button>
              </RowAction>
            </Td>
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}

'use client';

import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { choicesOf, Options, Select } from '@/components/ui/field';
import { Table, Td, Tr } from '@/components/ui/table';
import { TimeAgoOrNever } from '@/components/ui/time-ago';
import { RowAction } from '@/components/users/row-action';
import { changeUserRole } from '@/lib/actions/change-user-role';
import { setUserDisabled } from '@/lib/actions/set-user-disabled';
import { roleLabels, type Role } from '@/lib/auth/roles';
import { TENANT_ROLES, tenantRoleLabels } from '@/lib/schemas/users';

export interface UserRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  tenantId: string | null;
  disabled: boolean;
  lastSignInAt: Date | null;
  activeSessions: number;
}

export function UsersTable({
  users,
  selfId,
  manages,
  showTenant,
}: {
  users: UserRow[];
  selfId: string;
  manages: boolean;
  showTenant: boolean;
}) {
  return (
    <Table
      caption="Users, their roles and sessions"
      columns={[
        'Person',
        showTenant && 'Tenant',
        'Role',
        'Status',
        'Last sign-in',
        'Active sessions',
      ]}
      actions={manages}
    >
      <tbody>
        {users.map((u) => {
          const editable = manages && (u.role === 'admin' || u.role === 'viewer');
          return (
            <Tr key={u.id}>
              <Td>
                <p className="font-medium text-slate-900">
                  {u.name}
                  {u.id === selfId && (
                    <Badge tone="info" className="ml-2">
                      You
                    </Badge>
                  )}
                </p>
                <p className="text-xs text-slate-500">{u.email}</p>
              </Td>
              {showTenant && <Td>{u.tenantId ?? '—'}</Td>}
              <Td>
                {editable ? (
                  <RowAction action={changeUserRole} fields={{ userId: u.id }}>
                    <label htmlFor={`role-${u.id}`} className="sr-only">
                      Role of {u.name}
                    </label>
                    <Select
                      id={`role-${u.id}`}
                      name="role"
                      defaultValue={u.role}
                      className="w-28 py-1"
                    >
                      <Options choices={choicesOf(TENANT_ROLES, tenantRoleLabels)} />
                    </Select>
                    <Button
                      type="submit"
                      variant="secondary"
                      size="sm"
                      className="whitespace-nowrap"
                    >
                      Change role
                    </Button>
                  </RowAction>
                ) : (
                  roleLabels[u.role]
                )}
              </Td>
              <Td>
                {u.disabled ? (
                  <Badge tone="danger">Disabled</Badge>
                ) : (
                  <Badge tone="success" dot>
                    Active
                  </Badge>
                )}
              </Td>
              <Td>
                <TimeAgoOrNever date={u.lastSignInAt} />
              </Td>
              <Td>{u.activeSessions}</Td>
              {manages && (
                <Td className="text-right">
                  {editable && u.id !== selfId && (
                    <RowAction
                      action={setUserDisabled}
                      fields={{ userId: u.id, disabled: String(!u.disabled) }}
                    >
                      <Button
                        type="submit"
                        variant={u.disabled ? 'secondary' : 'ghost'}
                        size="sm"
                        aria-label={`${u.disabled ? 'Re-enable' : 'Disable'} ${u.name}`}
                      >
                        {u.disabled ? 'Re-enable' : 'Disable'}
                      </Button>
                    </RowAction>
                  )}
                </Td>
              )}
            </Tr>
          );
        })}
      </tbody>
    </Table>
  );
}

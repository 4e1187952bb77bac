import { describe, expect, it } from 'vitest';
import { fieldPropsFor } from '@/components/ui/field';
import { createAppSchema } from '@/lib/schemas/app';
import { acceptInvitationSchema, inviteUserSchema } from '@/lib/schemas/users';

describe('fieldPropsFor', () => {
  it('gives the id, name and first error of a field', () => {
    const field = fieldPropsFor('app', { name: ['Enter a name', 'second'] });
    expect(field('name')).toEqual({ id: 'app-name', name: 'name', error: 'Enter a name' });
  });

  // The browser checks the same bounds as the schema that validates the action.
  it.each([
    [createAppSchema, 'name', { required: true, maxLength: 100 }],
    [createAppSchema, 'id', { required: true }],
    [createAppSchema, 'description', { maxLength: 500 }],
    [createAppSchema, 'secrets', {}],
    [acceptInvitationSchema, 'password', { required: true, minLength: 12, maxLength: 200 }],
    [acceptInvitationSchema, 'confirm', {}],
    [inviteUserSchema, 'email', { maxLength: 200 }],
    [inviteUserSchema, 'role', {}],
  ] as const)(
    'reads the bounds of a text field from its schema (case %#)',
    (schema, name, bounds) => {
      const { id: _id, name: _name, error, ...rest } = fieldPropsFor('f', {}, schema)(name);
      expect(error).toBeUndefined();
      expect(rest).toEqual(bounds);
    },
  );
});

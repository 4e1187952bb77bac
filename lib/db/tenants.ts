import 'server-only';
import { collections, type TenantDoc } from '@/lib/db/collections';
import { insertIfMissing } from '@/lib/db/config-versions';

export async function getTenant(id: string): Promise<TenantDoc | null> {
  const c = await collections();
  return c.tenants.findOne({ _id: id });
}

export async function listTenants(): Promise<TenantDoc[]> {
  const c = await collections();
  return c.tenants.find({}).sort({ name: 1 }).toArray();
}

/** Creates the tenant if it is missing; an existing tenant is left exactly as it is. */
export async function ensureTenant({ id, name }: { id: string; name: string }): Promise<boolean> {
  const c = await collections();
  return insertIfMissing(() => c.tenants.insertOne({ _id: id, name, createdAt: new Date() }));
}

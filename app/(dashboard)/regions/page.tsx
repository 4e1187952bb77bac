import type { Metadata } from 'next';
import { RegionsTable } from '@/components/regions/regions-table';
import { PageHeader } from '@/components/ui/page-header';

export const metadata: Metadata = { title: 'Regions' };

export default function RegionsPage() {
  return (
    <>
      <PageHeader
        title="Regions"
        description="The primary cache takes every new version; each read replica serves one region and receives changes from the primary."
      />
      <RegionsTable />
    </>
  );
}

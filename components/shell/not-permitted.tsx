import { Card, ErrorState } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';

/** What a page shows a role that may not use it (the nav hides the link; a typed URL lands here). */
export function NotPermitted({ title, children }: { title: string; children: string }) {
  return (
    <>
      <PageHeader title={title} />
      <Card>
        <ErrorState title="Your role does not include this page">{children}</ErrorState>
      </Card>
    </>
  );
}

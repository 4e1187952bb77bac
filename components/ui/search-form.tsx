import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/field';

/**
 * A search box as a plain GET form: the list behind it is searched and paged on the server,
 * and the search is part of a URL that can be shared. `hint` says what it matches.
 */
export function SearchForm({
  id,
  action,
  label,
  hint,
  defaultValue,
}: {
  id: string;
  action: string;
  label: string;
  hint: string;
  defaultValue: string;
}) {
  return (
    <form role="search" action={action} className="flex flex-wrap items-end gap-2">
      {/* The width sits on the wrapper: the input fills it (its own w-full would win). */}
      <div className="w-96 max-w-full space-y-1">
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          {label}
        </label>
        <Input
          id={id}
          name="q"
          type="search"
          defaultValue={defaultValue}
          placeholder={hint}
          maxLength={100}
        />
      </div>
      <Button type="submit" variant="secondary">
        Search
      </Button>
    </form>
  );
}

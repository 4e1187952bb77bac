/** A JSON Schema (as the OpenAPI document holds it) in a few words, for the reference page. */
export type JsonSchema = Record<string, unknown>;

export interface TypeLabel {
  text: string;
  /** The component it names, for a link. */
  ref?: string;
}

const REF = '#/components/schemas/';

function bounds(schema: JsonSchema): string {
  const parts: string[] = [];
  if (typeof schema.minimum === 'number' && schema.minimum > -Number.MAX_SAFE_INTEGER)
    parts.push(`≥ ${schema.minimum}`);
  if (typeof schema.maximum === 'number' && schema.maximum < Number.MAX_SAFE_INTEGER)
    parts.push(`≤ ${schema.maximum}`);
  if (typeof schema.maxLength === 'number') parts.push(`≤ ${schema.maxLength} chars`);
  return parts.length ? ` ${parts.join(', ')}` : '';
}

export function typeLabel(schema: JsonSchema | undefined): TypeLabel {
  if (!schema || Object.keys(schema).length === 0) return { text: 'any' };
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace(REF, '');
    return { text: name, ref: name };
  }
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) {
    const labels = union.map(typeLabel);
    const ref = labels.find((l) => l.ref)?.ref;
    return { text: labels.map((l) => l.text).join(' or '), ref };
  }
  if (Array.isArray(schema.enum))
    return { text: `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}` };
  if ('const' in schema) return { text: JSON.stringify(schema.const) };
  const type = Array.isArray(schema.type)
    ? (schema.type as string[]).join(' or ')
    : typeof schema.type === 'string'
      ? schema.type
      : 'any';
  if (schema.type === 'array') {
    const item = typeLabel(schema.items as JsonSchema | undefined);
    return { text: `list of ${item.text}`, ref: item.ref };
  }
  const format = typeof schema.format === 'string' ? ` (${schema.format})` : '';
  return { text: `${type}${format}${bounds(schema)}` };
}

export interface PropertyRow {
  name: string;
  type: TypeLabel;
  required: boolean;
  description: string | null;
  /** An inline object's own schema, shown folded. */
  nested: JsonSchema | null;
}

export function propertyRows(schema: JsonSchema): PropertyRow[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    type: typeLabel(property),
    required: required.has(name),
    description: typeof property.description === 'string' ? property.description : null,
    nested:
      property.type === 'object' ||
      (property.type === 'array' && (property.items as JsonSchema | undefined)?.type === 'object')
        ? property
        : null,
  }));
}

import { Codes, CommandError } from '../errors.js';
import { idFirst, project, select } from '../query.js';
import { validateUpdateSpec } from '../update-doc.js';
import { type Doc, isPlainObject } from '../values.js';
import {
  type Context,
  type Handler,
  checkHint,
  collationOf,
  letVariables,
  optionalBool,
  optionalDoc,
  statementOnce,
  writableCollectionArg,
} from './context.js';
import { updateMatching } from './write.js';

function shape(doc: Doc | undefined, fields: Doc | undefined): Doc | null {
  if (!doc) return null;
  if (!fields || Object.keys(fields).length === 0) return doc;
  return idFirst(project([doc], fields)[0] as Doc);
}

/** A retried findAndModify answers with the document it returned the first time, as mongod. */
const findAndModify: Handler = (cmd, db, ctx) => statementOnce(ctx, 0, () => modify(cmd, db, ctx));

function modify(cmd: Doc, db: string, ctx: Context): Doc {
  const name = writableCollectionArg(cmd, 'findAndModify', db, ctx);
  const query = optionalDoc(cmd, 'query', 'findAndModify') ?? {};
  const sort = optionalDoc(cmd, 'sort', 'findAndModify');
  const fields = optionalDoc(cmd, 'fields', 'findAndModify');
  const remove = optionalBool(cmd, 'remove', false);
  const returnNew = optionalBool(cmd, 'new', false);
  const upsert = optionalBool(cmd, 'upsert', false);
  const variables = letVariables(cmd, 'findAndModify');
  const collation = collationOf(cmd);
  const hasUpdate = cmd.update !== undefined && cmd.update !== null;
  if (remove && hasUpdate)
    throw new CommandError(Codes.FailedToParse, 'Cannot specify both an update and remove=true');
  if (!remove && !hasUpdate)
    throw new CommandError(
      Codes.FailedToParse,
      'Either an update or remove=true must be specified',
    );
  if (remove && returnNew)
    throw new CommandError(
      Codes.FailedToParse,
      "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document",
    );
  if (remove && upsert)
    throw new CommandError(Codes.FailedToParse, 'Cannot specify both upsert=true and remove=true');

  if (remove) {
    const coll = ctx.store.get(db, name);
    checkHint(coll, cmd.hint);
    const [doc] = select(coll, { filter: query, sort, limit: 1, variables, collation });
    if (doc && coll) coll.remove(doc);
    return { lastErrorObject: { n: doc ? 1 : 0 }, value: shape(doc, fields), ok: 1 };
  }

  const u = validateUpdateSpec(cmd.update);
  const arrayFilters = Array.isArray(cmd.arrayFilters)
    ? cmd.arrayFilters.filter(isPlainObject)
    : undefined;
  const out = updateMatching(ctx, db, name, query, u, {
    multi: false,
    upsert,
    arrayFilters,
    sort,
    variables,
    collation,
    hint: cmd.hint,
  });
  if (out.upserted) {
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: out.upserted._id },
      value: returnNew ? shape(out.upserted, fields) : null,
      ok: 1,
    };
  }
  if (out.matched === 0)
    return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  return {
    lastErrorObject: { n: 1, updatedExisting: true },
    value: shape(returnNew ? out.after : out.before, fields),
    ok: 1,
  };
}

export const findAndModifyCommands: Record<string, Handler> = {
  findAndModify,
  findandmodify: findAndModify,
};

import { Aggregator, ProcessingMode } from 'mingo';
import { collationKeys } from '../collation.js';
import { Codes, CommandError, fromMingo, notSupported } from '../errors.js';
import { validateCollectionName } from '../store.js';
import { type Doc, isPlainObject } from '../values.js';
import { writeMerge, writeOut } from './aggregate-output.js';
import {
  type Context,
  collationOf,
  cursorReply,
  letVariables,
  optionalInt,
  readSource,
  readTarget,
} from './context.js';

/** Stages mingo does not implement or that need a server this is not; refused by name. */
const UNSUPPORTED_STAGES = new Set([
  '$changeStream',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$geoNear',
  '$planCacheStats',
]);

/** Under a collation only these stages are answered (on collation ranks, see collation.ts). */
const COLLATED_STAGES = new Set(['$match', '$sort', '$skip', '$limit', '$count']);

/** Stages that produce documents themselves and so need no collection (`aggregate: 1`). */
const SOURCE_STAGES = new Set(['$documents', '$listLocalSessions']);

function stagesOf(pipeline: unknown): Doc[] {
  if (!Array.isArray(pipeline))
    throw new CommandError(
      Codes.TypeMismatch,
      "BSON field 'aggregate.pipeline' is missing or is not an array",
    );
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new CommandError(
        Codes.Location40323,
        'A pipeline stage specification object must contain exactly one field.',
      );
    }
  }
  return pipeline as Doc[];
}

const stageName = (stage: Doc): string => Object.keys(stage)[0] as string;

/**
 * `{$group: {_id: <constant>, n: {$sum: <number>}}}` (what countDocuments sends) compares no
 * strings, so it is the one `$group` a collation leaves unchanged.
 */
function isCountingGroup(stage: Doc): boolean {
  const group = stage.$group;
  if (!isPlainObject(group)) return false;
  const { _id, ...fields } = group;
  if (typeof _id === 'string' || isPlainObject(_id) || Array.isArray(_id)) return false;
  return Object.values(fields).every(
    (acc) =>
      isPlainObject(acc) && Object.keys(acc).join() === '$sum' && typeof acc.$sum === 'number',
  );
}

export function aggregate(cmd: Doc, db: string, ctx: Context): Doc {
  const target = cmd.aggregate;
  const name = target === 1 ? undefined : validateCollectionName(db, target);
  const pipeline = stagesOf(cmd.pipeline);
  if (cmd.explain)
    throw new CommandError(
      Codes.NotImplemented,
      'explain is not supported by the development server',
    );
  const cursorOpt = cmd.cursor;
  if (!isPlainObject(cursorOpt)) {
    throw new CommandError(
      Codes.FailedToParse,
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  }
  const batchSize = optionalInt(cursorOpt, 'batchSize', 'aggregate.cursor');
  const variables = letVariables(cmd, 'aggregate');
  const collator = name && ctx.store.view(db, name) ? undefined : collationOf(cmd);

  let writeStage: Doc | undefined;
  pipeline.forEach((stage, i) => {
    const op = stageName(stage);
    if (UNSUPPORTED_STAGES.has(op)) throw notSupported(op);
    if (op === '$out' || op === '$merge') {
      if (i !== pipeline.length - 1)
        throw new CommandError(40601, `${op} can only be the final stage in the pipeline`);
      writeStage = stage;
    }
    if (SOURCE_STAGES.has(op) && i !== 0)
      throw new CommandError(40602, `${op} is only valid as the first stage in a pipeline`);
    if (collator && !COLLATED_STAGES.has(op) && !isCountingGroup(stage))
      throw notSupported(`${op} with a collation`);
  });
  const first = pipeline[0] ? stageName(pipeline[0]) : undefined;
  if (name === undefined && !SOURCE_STAGES.has(first ?? '')) {
    throw new CommandError(
      Codes.InvalidNamespace,
      `{aggregate: 1} is not valid for '${first ?? 'an empty pipeline'}'; a collection is required.`,
    );
  }
  if (first === '$listLocalSessions' && name !== undefined)
    throw new CommandError(
      Codes.InvalidNamespace,
      '$listLocalSessions must be run against the database with {aggregate: 1}',
    );

  let source: Doc[] = [];
  if (name) {
    const target = readTarget(cmd, db, name, ctx);
    source = Array.isArray(target.source) ? target.source : (target.source?.all() ?? []);
  }
  let stages = writeStage ? pipeline.slice(0, -1) : pipeline;
  if (first === '$listLocalSessions') {
    source = ctx.sessions.list();
    stages = stages.slice(1);
  }

  let docs: Doc[];
  try {
    if (collator) {
      // Filters and sorts run on collation ranks; the stages allowed here return source documents.
      const filters = stages.flatMap((s) => (isPlainObject(s.$match) ? [s.$match] : []));
      const keys = collationKeys(source, { $and: filters }, collator);
      const { keyed, original } = keys.documents(source);
      const keyedStages = stages.map((s) =>
        isPlainObject(s.$match) ? { $match: keys.filter(s.$match) } : s,
      );
      docs = new Aggregator(keyedStages, { scriptEnabled: false, variables })
        .run<Doc>(keyed)
        .map(original);
    } else {
      docs = new Aggregator(stages, {
        collectionResolver: (other: string) => readSource(ctx, db, other).docs,
        // Stages such as $addFields may write into their input; stored documents must not change.
        processingMode: ProcessingMode.CLONE_INPUT,
        scriptEnabled: false,
        variables,
      }).run<Doc>(source);
    }
  } catch (err) {
    throw fromMingo(err, 'aggregate');
  }
  if (writeStage) {
    if (stageName(writeStage) === '$out') writeOut(ctx, db, writeStage.$out, docs);
    else writeMerge(ctx, db, writeStage.$merge, docs, variables);
    docs = [];
  }
  const ns = name ? `${db}.${name}` : `${db}.$cmd.aggregate`;
  const batch = ctx.cursors.first(ns, docs, batchSize);
  return cursorReply(batch.id, batch.ns, batch.docs, true);
}

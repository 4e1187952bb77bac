/**
 * What the runner does not run, and what the dev server refuses on purpose. Every entry states
 * why. Keys are `<file name>` (every test of the file) or `<file name>#<test description>`.
 */

/** Tests no run can pass here: the Node driver itself behaves otherwise. Applies to every server. */
const BYPASS_FALSE =
  'the Node driver sends bypassDocumentValidation only when it is true (lib/operations/aggregate.js, find_and_modify.js, bulk/common.js), so the expected `false` never reaches any server';
const NULL_ID =
  'the Node driver replaces a null _id with a new ObjectId before it sends an insert, so no server receives the null _id';

const SKIPS: Record<string, string> = {
  'bypassDocumentValidation.json#Aggregate with $out passes bypassDocumentValidation: false':
    BYPASS_FALSE,
  'bypassDocumentValidation.json#BulkWrite passes bypassDocumentValidation: false': BYPASS_FALSE,
  'bypassDocumentValidation.json#FindOneAndReplace passes bypassDocumentValidation: false':
    BYPASS_FALSE,
  'bypassDocumentValidation.json#FindOneAndUpdate passes bypassDocumentValidation: false':
    BYPASS_FALSE,
  'bypassDocumentValidation.json#InsertMany passes bypassDocumentValidation: false': BYPASS_FALSE,
  'create-null-ids.json#inserting _id with type null via insertOne': NULL_ID,
  'create-null-ids.json#inserting _id with type null via insertMany': NULL_ID,
  'create-null-ids.json#inserting _id with type null via bulkWrite': NULL_ID,
};

export interface Refusal {
  /** MongoDB's error code the dev server answers with. */
  code: number;
  /** Text the error message must contain: the option, stage or command it names. */
  names: string;
  reason: string;
}

/**
 * Tests the dev server cannot pass because it refuses a feature it does not implement (listed in
 * devstack/mongo/README.md). They count as failures in the pass rate, but the runner checks that
 * the failure is exactly this refusal, never a wrong answer. Against a real MongoDB they must pass.
 */
const REFUSALS: Record<string, Refusal> = {
  'findOneAndUpdate-errorResponse.json#findOneAndUpdate document validation errInfo is accessible':
    {
      code: 238,
      names: 'collMod (validator)',
      reason: 'schema validators (collMod validator) are not implemented',
    },
};

const lookup = <T>(table: Record<string, T>, file: string, test: string): T | undefined =>
  table[`${file}#${test}`] ?? table[file];

export const skipFor = (file: string, test: string): string | undefined =>
  lookup(SKIPS, file, test);
export const refusalFor = (file: string, test: string): Refusal | undefined =>
  lookup(REFUSALS, file, test);

import { readFileSync } from 'node:fs';
import { EJSON } from 'bson';
import type { MongoClient as Client } from 'mongodb';

export type Doc = Record<string, unknown>;

/**
 * A file of MongoDB's Unified Test Format (the CRUD subset) as the runner reads it, the server it
 * runs against, and the runOnRequirements and schema version rules that decide whether it runs.
 */
export interface TestFile {
  description: string;
  schemaVersion: string;
  runOnRequirements?: Doc[];
  createEntities?: Doc[];
  initialData?: CollectionData[];
  tests: TestCase[];
}

interface CollectionData {
  collectionName: string;
  databaseName: string;
  createOptions?: Doc;
  documents: Doc[];
}

export interface TestCase {
  description: string;
  runOnRequirements?: Doc[];
  skipReason?: string;
  operations: Operation[];
  expectEvents?: Array<{
    client: string;
    eventType?: string;
    events: Doc[];
    ignoreExtraEvents?: boolean;
  }>;
  outcome?: CollectionData[];
}

export interface Operation {
  name: string;
  object: string;
  arguments?: Doc;
  expectResult?: unknown;
  expectError?: Doc;
  saveResultAsEntity?: string;
  ignoreResultAndError?: boolean;
}

export interface ServerInfo {
  version: number[];
  topology: 'single' | 'replicaset' | 'sharded' | 'load-balanced';
  auth: boolean;
}

/** Major.minor schema versions this runner understands (1.x up to what the CRUD files use). */
const SUPPORTED_SCHEMA_MAJOR = 1;

export function loadTestFile(path: string): TestFile {
  return EJSON.parse(readFileSync(path, 'utf8'), { relaxed: true }) as TestFile;
}

export async function serverInfo(client: Client, uri: string): Promise<ServerInfo> {
  const admin = client.db('admin');
  const build = await admin.command({ buildInfo: 1 });
  const hello = await admin.command({ hello: 1 });
  const version = String(build.version)
    .split(/[.-]/)
    .slice(0, 3)
    .map((p) => Number.parseInt(p, 10) || 0);
  const topology =
    hello.msg === 'isdbgrid'
      ? 'sharded'
      : hello.serviceId !== undefined
        ? 'load-balanced'
        : hello.setName !== undefined
          ? 'replicaset'
          : 'single';
  return { version, topology, auth: /\/\/[^/@]+@/.test(uri) };
}

const parseVersion = (v: string): number[] => v.split('.').map((p) => Number.parseInt(p, 10) || 0);

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Why a requirement is unmet, or null when the server satisfies it. */
function unmet(req: Doc, info: ServerInfo): string | null {
  if (typeof req.minServerVersion === 'string') {
    if (compareVersions(info.version, parseVersion(req.minServerVersion)) < 0)
      return `needs server ≥ ${req.minServerVersion}`;
  }
  if (typeof req.maxServerVersion === 'string') {
    const max = parseVersion(req.maxServerVersion);
    if (compareVersions(info.version.slice(0, max.length), max) > 0)
      return `needs server ≤ ${req.maxServerVersion}`;
  }
  if (Array.isArray(req.topologies)) {
    const tops = req.topologies as string[];
    const ok =
      tops.includes(info.topology) ||
      (info.topology === 'sharded' && tops.includes('sharded-replicaset'));
    if (!ok) return `needs topology ${tops.join('/')}`;
  }
  if (req.serverless === 'require') return 'needs Atlas Serverless';
  if (req.auth === true && !info.auth) return 'needs authentication';
  if (req.auth === false && info.auth) return 'needs no authentication';
  if (req.authMechanism !== undefined) return 'needs an authentication mechanism';
  if (req.csfle !== undefined && req.csfle !== false)
    return 'needs client-side field level encryption';
  if (req.serverParameters !== undefined) return 'needs server parameters the runner does not read';
  return null;
}

/** Null when one of the requirements is met (or there are none), else why none is. */
export function requirementsUnmet(reqs: Doc[] | undefined, info: ServerInfo): string | null {
  if (!reqs || reqs.length === 0) return null;
  const reasons: string[] = [];
  for (const r of reqs) {
    const why = unmet(r, info);
    if (!why) return null;
    reasons.push(why);
  }
  return reasons.join(' or ');
}

export function schemaUnsupported(file: TestFile): string | null {
  const major = Number.parseInt(file.schemaVersion, 10);
  return major === SUPPORTED_SCHEMA_MAJOR ? null : `schema version ${file.schemaVersion}`;
}

/** The config client's public surface; see README.md. */
export { createConfigClient } from './config-client';
export { connectionFromEnv } from './connection-env';
export { secretKeysFromEnv } from './secret-keys-env';
export { parseSecretKeys, type SecretKeys } from '../contract/secret-envelope';
export {
  AppArchivedError,
  ConfigClientError,
  ConfigNotReadyError,
  type ConfigClientErrorKind,
} from './errors';
export {
  DEFAULT_REPORT_RETENTION_MS,
  instanceReportKey,
  instancesIndexKey,
  type InstanceReport,
} from '../contract/report-layout';
export type * from './types';
export {
  createFollowingConfigClient,
  type DeploymentEndpoint,
  type FollowingClientOptions,
  type FollowingConfigClient,
  type FollowingStatus,
} from './following-client';

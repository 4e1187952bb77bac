/**
 * The names the cache contract carries: region names (in endpoint lists, instance reports,
 * presence entries and a devstack's directories) and cache deployment names (in markers and
 * reports). One rule each, shared by the app, the config client's reports and the devstack.
 */

/** Lower-case letters, digits and dashes, at most 63 characters (one DNS label). */
export const REGION_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Starts with a letter; at most 31 characters. */
export const DEPLOYMENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;

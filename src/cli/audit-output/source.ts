/** The origin of the audited state, as the outputs name it. */
export type AuditSource = { type: 'files'; paths: string[] } | { type: 'cluster'; context: string };

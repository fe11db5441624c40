/** The audit: checks over a StateStore that report every violation at once, for `netpol-guard audit`. */
export { auditState, countResults, hasFailures, type AuditInput, type AuditOptions } from './audit.js';
export { ObjectIndex, objectRef } from './object-index.js';
export { AUDIT_RULES, type AuditRuleInfo } from './rules.js';
export * from './types.js';

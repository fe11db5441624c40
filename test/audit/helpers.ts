import { auditState, type AuditReport, type Finding } from '../../src/audit/index.js';
import { readFileInput } from '../../src/audit/read-files.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { Config } from '../../src/config/types.js';

export const FINDINGS = 'test/fixtures/audit/findings';
export const CLEAN = 'test/fixtures/audit/clean';

/** The clock of the unit tests: after the expired exemption, before the active one. */
export const NOW = new Date('2025-06-01T12:00:00Z');

export async function auditFixture(path: string, config: Config = defaultConfig()): Promise<AuditReport> {
  return auditState(await readFileInput([path]), { config, now: NOW });
}

export function findingsOf(report: AuditReport, namespace: string): Finding[] {
  const found = report.namespaces.find((entry) => entry.name === namespace);
  if (!found) throw new Error(`namespace ${namespace} is not in the report`);
  return found.findings;
}

import type { Config } from '../config/types.js';
import type { UserInfo } from './types.js';

/** Tells whether the user or one of its groups is a configured approver. */
export function isConfiguredApprover(config: Config, user: UserInfo): boolean {
  return (
    config.approvers.usernames.includes(user.username) ||
    user.groups.some((group) => config.approvers.groups.includes(group))
  );
}

/** Returns the service account netpol-guard runs as, which writes the baseline policies. */
export function ownServiceAccount(config: Config): string {
  return `system:serviceaccount:${config.webhookNamespace}:netpol-guard`;
}

/**
 * The user kube-controller-manager acts as when it runs without
 * `--use-service-account-credentials`; with that flag, each controller uses
 * its own service account in kube-system.
 */
const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';

/**
 * Tests whether a controller in kube-system created the object from its
 * owner's template (a ReplicaSet from a Deployment, a Pod from a ReplicaSet):
 * the owner's exemption was approved when the owner was written.
 */
export function isControllerCopy(user: UserInfo, object: unknown): boolean {
  const controller = user.username === CONTROLLER_MANAGER_USER || user.username.startsWith('system:serviceaccount:kube-system:');
  if (!controller) return false;
  const owners = (object as { metadata?: { ownerReferences?: unknown } } | null)?.metadata?.ownerReferences;
  return Array.isArray(owners) && owners.some((owner) => (owner as { controller?: unknown })?.controller === true);
}

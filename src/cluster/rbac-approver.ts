import type { AuthorizationV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { UserInfo } from '../rules/types.js';
import { describeError } from './kube-errors.js';

/**
 * The permission an RBAC approver of exemptions holds. `exempt` is a custom
 * verb on a resource of netpol-guard's own group, so a ClusterRole grants it
 * without granting any real API access:
 * `{ apiGroups: [netpol-guard.io], resources: [namespaces], verbs: [exempt] }`.
 */
export const EXEMPT_PERMISSION = { group: 'netpol-guard.io', resource: 'namespaces', verb: 'exempt' } as const;

/**
 * Returns a function that sends a SubjectAccessReview to check
 * whether a user, with its groups, has EXEMPT_PERMISSION. Any error counts
 * as "no", so an unreachable API server never grants an exemption.
 */
export function rbacApprover(api: AuthorizationV1Api, logger: Logger): (user: UserInfo) => Promise<boolean> {
  return async (user) => {
    try {
      const review = await api.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: user.username,
            groups: [...user.groups],
            ...(user.uid === undefined ? {} : { uid: user.uid }),
            ...(user.extra === undefined ? {} : { extra: user.extra }),
            resourceAttributes: { ...EXEMPT_PERMISSION },
          },
        },
      });
      return review.status?.allowed === true;
    } catch (error) {
      logger.warn({ user: user.username, reason: describeError(error) }, 'SubjectAccessReview failed; treating the user as no approver');
      return false;
    }
  };
}

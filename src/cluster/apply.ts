import { PatchStrategy, setHeaderOptions, type NetworkingV1Api } from '@kubernetes/client-node';
import type { BaselinePolicyObject } from '../rules/baseline.js';
import { FIELD_MANAGER, type ApplyPolicy } from './reconciler.js';

/**
 * Returns a server-side apply of a NetworkPolicy: PATCH with content type
 * `application/apply-patch+yaml` (a JSON body is valid YAML), field manager
 * `netpol-guard` and force. Force takes the fields netpol-guard sets back from
 * any other manager, and repeating an apply changes nothing.
 */
export function serverSideApply(networking: NetworkingV1Api): ApplyPolicy {
  const options = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
  return async (policy: BaselinePolicyObject) => {
    await networking.patchNamespacedNetworkPolicy(
      { name: policy.metadata.name, namespace: policy.metadata.namespace, body: policy, fieldManager: FIELD_MANAGER, force: true },
      options,
    );
  };
}

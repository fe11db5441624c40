import t from 'tap';
import { ApiException } from '@kubernetes/client-node';
import { describeError, isGone, isNamespaceGone } from '../../src/cluster/kube-errors.js';

t.test('kube error helpers read API exceptions', async (t) => {
  const terminating = new ApiException(
    403,
    'Unsuccessful HTTP Request',
    JSON.stringify({
      kind: 'Status',
      code: 403,
      reason: 'Forbidden',
      message: 'networkpolicies "default-deny-all" is forbidden: unable to create new content in namespace shop because it is being terminated',
      details: { causes: [{ type: 'NamespaceTerminating', field: 'metadata.namespace' }] },
    }),
    {},
  );
  t.equal(isNamespaceGone(terminating), true);
  t.equal(isNamespaceGone(new ApiException(404, 'Unsuccessful HTTP Request', '{}', {})), true);
  t.equal(isNamespaceGone(new ApiException(403, 'Unsuccessful HTTP Request', JSON.stringify({ message: 'RBAC: access denied' }), {})), false);
  t.equal(isGone(Object.assign(new Error('Gone'), { statusCode: 410 })), true);
  t.equal(describeError(new ApiException(403, 'Unsuccessful HTTP Request', JSON.stringify({ message: 'RBAC: access denied' }), {})), 'HTTP 403: RBAC: access denied');
  t.equal(describeError(new Error('socket hang up')), 'socket hang up');
});

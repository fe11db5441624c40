import t from 'tap';
import { isConfiguredApprover, isControllerCopy, ownServiceAccount } from '../../src/rules/approval.js';
import { ADMIN, DEVELOPER, REPLICASET_CONTROLLER, config, pod, replicaSetOwner } from './fixtures.js';

t.test('isConfiguredApprover', async (t) => {
  const configured = config((c) => {
    c.approvers.usernames = ['lead@example.com'];
    c.approvers.groups = ['netsec'];
  });
  const cases: Array<[string, { username: string; groups: string[] }, boolean]> = [
    ['listed username', { username: 'lead@example.com', groups: [] }, true],
    ['member of a listed group', { username: 'sec@example.com', groups: ['netsec'] }, true],
    ['neither', DEVELOPER, false],
    ['system:masters only by default', ADMIN, false],
  ];
  for (const [name, user, expected] of cases) t.equal(isConfiguredApprover(configured, user), expected, name);
  t.equal(isConfiguredApprover(config(), ADMIN), true, 'system:masters is the default approver group');
});

t.test('isControllerCopy', async (t) => {
  const owned = pod('shop', 'cart-x', { ownerReferences: replicaSetOwner('cart') });
  const cases: Array<[string, { username: string; groups: string[] }, unknown, boolean]> = [
    ['kube-system controller with a controller owner', REPLICASET_CONTROLLER, owned, true],
    ['kube-controller-manager user with a controller owner', { username: 'system:kube-controller-manager', groups: [] }, owned, true],
    ['kube-system controller without an owner', REPLICASET_CONTROLLER, pod('shop', 'cart-x'), false],
    [
      'owner that is not the controller',
      REPLICASET_CONTROLLER,
      pod('shop', 'cart-x', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'u', controller: false }] }),
      false,
    ],
    ['service account in another namespace', { username: 'system:serviceaccount:shop:deployer', groups: [] }, owned, false],
    ['person', DEVELOPER, owned, false],
    ['no object', REPLICASET_CONTROLLER, null, false],
  ];
  for (const [name, user, object, expected] of cases) t.equal(isControllerCopy(user, object), expected, name);
});

t.test('ownServiceAccount', async (t) => {
  t.equal(ownServiceAccount(config()), 'system:serviceaccount:netpol-guard:netpol-guard');
  t.equal(ownServiceAccount(config((c) => (c.webhookNamespace = 'guard'))), 'system:serviceaccount:guard:netpol-guard');
});

import t from 'tap';
import { loadKubeConfig, makeClients } from '../../src/cluster/kube-client.js';
import { EXEMPT_PERMISSION, rbacApprover } from '../../src/cluster/rbac-approver.js';
import { startHarness } from './cluster-harness.js';

t.test('rbacApprover asks a SubjectAccessReview for the exempt verb', async (t) => {
  const reviews: unknown[] = [];
  const harness = await startHarness(t, {
    server: {
      reviewAccess: (spec) => {
        reviews.push(spec);
        return (spec as { groups?: string[] }).groups?.includes('platform-admins') === true;
      },
    },
  });
  const approve = rbacApprover(makeClients(loadKubeConfig(harness.server.kubeconfigPath)).authorization, harness.logger);

  t.equal(await approve({ username: 'alice', uid: 'u-1', groups: ['platform-admins', 'system:authenticated'] }), true);
  t.equal(await approve({ username: 'bob', groups: ['developers'] }), false);
  t.same(reviews, [
    { user: 'alice', uid: 'u-1', groups: ['platform-admins', 'system:authenticated'], resourceAttributes: { ...EXEMPT_PERMISSION } },
    { user: 'bob', groups: ['developers'], resourceAttributes: { ...EXEMPT_PERMISSION } },
  ]);
  t.same(
    harness.server.requests.filter((request) => request.resource === 'subjectaccessreviews').map((request) => [request.method, request.path, request.status]),
    [
      ['POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', 201],
      ['POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', 201],
    ],
  );
});

t.test('rbacApprover answers false on errors', async (t) => {
  const harness = await startHarness(t, { server: { reviewAccess: () => true } });
  const approve = rbacApprover(makeClients(loadKubeConfig(harness.server.kubeconfigPath)).authorization, harness.logger);

  const allow = harness.server.forbid((attributes) => attributes.resource === 'subjectaccessreviews');
  t.equal(await approve({ username: 'alice', groups: [] }), false);
  allow();
  await harness.server.stop();
  t.equal(await approve({ username: 'alice', groups: [] }), false);

  const failures = harness.lines.filter((line) => line.msg === 'SubjectAccessReview failed; treating the user as no approver');
  t.equal(failures.length, 2);
  t.match(failures[0]?.reason, /^HTTP 403: /);
  t.match(failures[1]?.reason, /ECONNREFUSED/);
});

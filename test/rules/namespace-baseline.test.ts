import t from 'tap';
import { escapeJsonPointer, namespaceBaselinePatch } from '../../src/rules/namespace-baseline.js';
import { NOW, config, deployment, namespace, reviewRequest } from './fixtures.js';

const EXEMPT_REASON = { 'netpol-guard.io/exempt-reason': 'lab cluster' };

t.test('namespaceBaselinePatch', async (t) => {
  const cases: Array<[string, ReturnType<typeof reviewRequest>, unknown]> = [
    [
      'new namespace gets the label and the policy list',
      reviewRequest({ object: namespace('team-a') }),
      [
        { op: 'add', path: '/metadata/labels/netpol-guard.io~1baseline', value: 'enabled' },
        { op: 'add', path: '/metadata/annotations/netpol-guard.io~1baseline-policies', value: 'default-deny-all,allow-dns-egress' },
      ],
    ],
    [
      'namespace without maps gets whole maps',
      reviewRequest({ object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } } }),
      [
        { op: 'add', path: '/metadata/labels', value: { 'netpol-guard.io/baseline': 'enabled' } },
        { op: 'add', path: '/metadata/annotations', value: { 'netpol-guard.io/baseline-policies': 'default-deny-all,allow-dns-egress' } },
      ],
    ],
    ['namespace already labelled is left alone', reviewRequest({ object: namespace('team-a', { 'netpol-guard.io/baseline': 'disabled' }) }), null],
    ['statically exempt namespace is left alone', reviewRequest({ object: namespace('kube-public') }), null],
    [
      'exemption from default-deny skips the baseline',
      reviewRequest({ object: namespace('lab', {}, { 'netpol-guard.io/exempt': 'default-deny', ...EXEMPT_REASON }) }),
      null,
    ],
    [
      'expired exemption does not skip the baseline',
      reviewRequest({ object: namespace('lab', {}, { 'netpol-guard.io/exempt': 'all', ...EXEMPT_REASON, 'netpol-guard.io/exempt-until': '2026-01-01' }) }),
      [
        { op: 'add', path: '/metadata/labels/netpol-guard.io~1baseline', value: 'enabled' },
        { op: 'add', path: '/metadata/annotations/netpol-guard.io~1baseline-policies', value: 'default-deny-all,allow-dns-egress' },
      ],
    ],
    ['update is left alone', reviewRequest({ operation: 'UPDATE', object: namespace('team-a'), oldObject: namespace('team-a') }), null],
    ['other kinds are left alone', reviewRequest({ object: deployment('team-a', 'api') }), null],
  ];
  for (const [name, request, expected] of cases) {
    t.same(namespaceBaselinePatch(request, config(), NOW), expected, name);
  }
});

t.test('escapeJsonPointer', async (t) => {
  t.equal(escapeJsonPointer('netpol-guard.io/a~b'), 'netpol-guard.io~1a~0b');
});

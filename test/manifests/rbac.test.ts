// The ClusterRole and Role grant exactly the API calls in API_CALLS: every
// call the process makes is allowed, and nothing else is.
import t from 'tap';
import { API_CALLS } from '../../src/cluster/api-calls.js';
import type { Manifest } from '../helpers/kustomize.js';
import { findAll, findOne, renderVariant, VARIANT_NAMES } from './rendered.js';


interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Binding {
  roleRef: { apiGroup: string; kind: string; name: string };
  subjects: Array<{ kind: string; name: string; namespace?: string }>;
}

/** Lists every (group, resource, verb) a role's rules grant, as sorted strings. */
function grants(rules: PolicyRule[]): string[] {
  const result = new Set<string>();
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs) result.add(`${group}/${resource}/${verb}`);
  }
  return [...result].sort();
}

function expectedGrants(scope: 'cluster' | 'own-namespace'): string[] {
  const calls = API_CALLS.filter((call) => call.scope === scope);
  return grants(calls.map((call) => ({ apiGroups: [call.group], resources: [call.resource], verbs: [...call.verbs] })));
}

const SERVICE_ACCOUNT = [{ kind: 'ServiceAccount', name: 'netpol-guard', namespace: 'netpol-guard' }];

for (const variant of VARIANT_NAMES) {
  t.test(`${variant} ClusterRole grants API_CALLS cluster scope`, async (t) => {
    const objects = await renderVariant(variant);
    const clusterRoles = findAll(objects, 'ClusterRole');
    t.strictSame(clusterRoles.map((role) => role.metadata.name), ['netpol-guard']);
    t.strictSame(grants(clusterRoles[0]!.rules as PolicyRule[]), expectedGrants('cluster'));
  });

  t.test(`${variant} Role grants API_CALLS own-namespace scope`, async (t) => {
    const objects = await renderVariant(variant);
    const roles = findAll(objects, 'Role');
    t.strictSame(roles.map((role) => `${role.metadata.namespace}/${role.metadata.name}`), ['netpol-guard/netpol-guard-leader-election']);
    t.strictSame(grants(roles[0]!.rules as PolicyRule[]), expectedGrants('own-namespace'));
  });

  t.test(`${variant} roles use no wildcards or names`, async (t) => {
    const objects = await renderVariant(variant);
    for (const role of [...findAll(objects, 'ClusterRole'), ...findAll(objects, 'Role')]) {
      for (const rule of role.rules as PolicyRule[]) {
        const fields = [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs];
        t.notOk(fields.includes('*'), `${role.metadata.name} ${JSON.stringify(rule)} has no wildcard`);
        t.equal(rule.nonResourceURLs, undefined, `${role.metadata.name} nonResourceURLs`);
        t.equal(rule.resourceNames, undefined, `${role.metadata.name} resourceNames`);
      }
    }
  });

  t.test(`${variant} bindings grant the service account`, async (t) => {
    const objects = await renderVariant(variant);
    const clusterRoleBinding = findOne(objects, 'ClusterRoleBinding') as Manifest & Binding;
    t.strictSame(clusterRoleBinding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'netpol-guard' });
    t.strictSame(clusterRoleBinding.subjects, SERVICE_ACCOUNT);

    const roleBinding = findOne(objects, 'RoleBinding') as Manifest & Binding;
    t.equal(roleBinding.metadata.namespace, 'netpol-guard');
    t.strictSame(roleBinding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'netpol-guard-leader-election' });
    t.strictSame(roleBinding.subjects, SERVICE_ACCOUNT);

    const serviceAccount = findOne(objects, 'ServiceAccount');
    t.equal(`${serviceAccount.metadata.namespace}/${serviceAccount.metadata.name}`, 'netpol-guard/netpol-guard');
    const deployment = findOne(objects, 'Deployment', 'netpol-guard');
    const podSpec = (deployment.spec as { template: { spec: { serviceAccountName: string } } }).template.spec;
    t.equal(podSpec.serviceAccountName, 'netpol-guard');
  });
}

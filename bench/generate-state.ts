/**
 * Writes a synthetic cluster state as manifest files, one file per
 * namespace, for timing `netpol-guard audit -f` at scale. The same options
 * always produce the same files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface GeneratedStateOptions {
  namespaces: number;
  policiesPerNamespace: number;
  podsPerNamespace: number;
}

export const SCALE_STATE: GeneratedStateOptions = { namespaces: 10_000, policiesPerNamespace: 5, podsPerNamespace: 10 };

/** Apps per namespace; each has a Deployment and owns `podsPerNamespace / APPS` Pods. */
const APPS = 5;

function namespaceYaml(name: string, index: number): string {
  // Every tenth namespace runs in warn mode, so the audit reports mode findings too.
  const mode = index % 10 === 0 ? '\n    netpol-guard.io/mode: warn' : '';
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels:
    kubernetes.io/metadata.name: ${name}
    team: team-${index % 50}${mode}
`;
}

function policyYaml(namespace: string, index: number, policy: number): string {
  if (policy === 0) {
    // Every seventh namespace lacks default-deny for Egress.
    const types = index % 7 === 0 ? '[Ingress]' : '[Ingress, Egress]';
    return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-all
  namespace: ${namespace}
spec:
  podSelector: {}
  policyTypes: ${types}
`;
  }
  if (policy === 1 && index % 5 !== 0) {
    // Every fifth namespace has no DNS allow, so its pods are reported.
    return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns-egress
  namespace: ${namespace}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
`;
  }
  const app = `app-${policy % APPS}`;
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-${app}-${policy}
  namespace: ${namespace}
spec:
  podSelector:
    matchLabels:
      app: ${app}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: app-${(policy + 1) % APPS}
        - namespaceSelector:
            matchLabels:
              team: team-${index % 50}
      ports:
        - protocol: TCP
          port: 8080
`;
}

function deploymentYaml(namespace: string, app: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${namespace}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      containers:
        - name: main
          image: registry.example.com/${app}:1.0.0
          ports:
            - name: http
              containerPort: 8080
`;
}

function podYaml(namespace: string, index: number, app: string, pod: number): string {
  const hash = `${(index * 7919 + pod).toString(36).padStart(6, '0').slice(-6)}c5d`;
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${app}-${hash}-p${pod}
  namespace: ${namespace}
  labels:
    app: ${app}
    pod-template-hash: ${hash}
  ownerReferences:
    - apiVersion: apps/v1
      kind: ReplicaSet
      name: ${app}-${hash}
      uid: 00000000-0000-4000-8000-${String(index).padStart(6, '0')}${String(pod).padStart(6, '0')}
      controller: true
spec:
  containers:
    - name: main
      image: registry.example.com/${app}:1.0.0
      ports:
        - name: http
          containerPort: 8080
status:
  podIP: 10.${(index >> 8) & 255}.${index & 255}.${pod + 2}
`;
}

const KUBE_SYSTEM = `apiVersion: v1
kind: Namespace
metadata:
  name: kube-system
---
apiVersion: v1
kind: Pod
metadata:
  name: coredns-0
  namespace: kube-system
  labels:
    k8s-app: kube-dns
spec:
  containers:
    - name: coredns
      image: registry.k8s.io/coredns/coredns:v1.11.1
      ports:
        - { name: dns, containerPort: 53, protocol: UDP }
        - { name: dns-tcp, containerPort: 53, protocol: TCP }
status:
  podIP: 10.96.0.10
`;

/** Writes the state into `dir` and returns the number of objects written. */
export async function generateState(dir: string, options: GeneratedStateOptions = SCALE_STATE): Promise<number> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'kube-system.yaml'), KUBE_SYSTEM);
  let objects = 2;
  for (let index = 0; index < options.namespaces; index++) {
    const name = `tenant-${String(index).padStart(5, '0')}`;
    const documents = [namespaceYaml(name, index)];
    for (let policy = 0; policy < options.policiesPerNamespace; policy++) documents.push(policyYaml(name, index, policy));
    // Deployments only in every other namespace, so some Pods stand alone in the report.
    const withDeployments = index % 2 === 0;
    for (let app = 0; app < APPS && withDeployments; app++) documents.push(deploymentYaml(name, `app-${app}`));
    for (let pod = 0; pod < options.podsPerNamespace; pod++) documents.push(podYaml(name, index, `app-${pod % APPS}`, pod));
    objects += documents.length;
    await writeFile(path.join(dir, `${name}.yaml`), documents.join('---\n'));
  }
  return objects;
}

/**
 * The kubeconfig file that points @kubernetes/client-node at the test API server.
 */
import { stringify } from 'yaml';

export const KUBECONFIG_NAME = 'kube-api-test';

export interface KubeconfigInput {
  url: string;
  token: string;
  namespace: string;
  /** PEM of the CA that signed the server certificate, or undefined for plain HTTP. */
  caPem: string | undefined;
}

/**
 * Renders a kubeconfig with one cluster, one bearer-token user and one
 * current context. For plain HTTP it sets insecure-skip-tls-verify, because
 * @kubernetes/client-node 1.x refuses an http:// server without it.
 */
export function renderKubeconfig(input: KubeconfigInput): string {
  const cluster =
    input.caPem === undefined
      ? { server: input.url, 'insecure-skip-tls-verify': true }
      : { server: input.url, 'certificate-authority-data': Buffer.from(input.caPem).toString('base64') };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: KUBECONFIG_NAME, cluster }],
    users: [{ name: KUBECONFIG_NAME, user: { token: input.token } }],
    contexts: [
      { name: KUBECONFIG_NAME, context: { cluster: KUBECONFIG_NAME, user: KUBECONFIG_NAME, namespace: input.namespace } },
    ],
    'current-context': KUBECONFIG_NAME,
    preferences: {},
  });
}

import {
  AuthorizationV1Api,
  CoordinationV1Api,
  KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
  Watch,
  type KubernetesObject,
  type ResponseContext,
} from '@kubernetes/client-node';

/**
 * KubernetesObjectApi that returns response bodies as the JSON the API server
 * sent. The base class converts them into the generated model classes, which
 * turns timestamps into Date objects and renames fields such as
 * `ipBlock.except` to `_except`. The state reads the wire form, as watch
 * events deliver it.
 */
export class RawObjectApi extends KubernetesObjectApi {
  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext, type?: string): Promise<T> {
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      return JSON.parse(await response.body.text()) as T;
    }
    return super.processResponse<T>(response, type);
  }
}

/** The API clients the cluster state uses, all from one KubeConfig. */
export interface KubeClients {
  kubeConfig: KubeConfig;
  objects: RawObjectApi;
  watch: Watch;
  networking: NetworkingV1Api;
  coordination: CoordinationV1Api;
  authorization: AuthorizationV1Api;
}

/**
 * Loads a KubeConfig from a file, or without one from the pod's service
 * account (the token and CA under /var/run/secrets/kubernetes.io/serviceaccount
 * and KUBERNETES_SERVICE_HOST/PORT), as KubeConfig.loadFromCluster reads them.
 */
export function loadKubeConfig(path?: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path === undefined) {
    // Outside a pod loadFromCluster() succeeds with an empty server URL, and the first request fails with "Invalid URL".
    if (!process.env.KUBERNETES_SERVICE_HOST) throw new Error('no kubeconfig was found and this is not a pod (KUBERNETES_SERVICE_HOST is not set)');
    kubeConfig.loadFromCluster();
  } else {
    kubeConfig.loadFromFile(path);
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new Error(path === undefined ? 'in-cluster configuration has no API server' : `kubeconfig ${path} has no current cluster; set current-context`);
  }
  return kubeConfig;
}

export function makeClients(kubeConfig: KubeConfig): KubeClients {
  return {
    kubeConfig,
    objects: kubeConfig.makeApiClient(RawObjectApi),
    watch: new Watch(kubeConfig),
    networking: kubeConfig.makeApiClient(NetworkingV1Api),
    coordination: kubeConfig.makeApiClient(CoordinationV1Api),
    authorization: kubeConfig.makeApiClient(AuthorizationV1Api),
  };
}

import type { Logger } from 'pino';
import type { Config } from '../config/types.js';
import type { StateProvider } from '../server/start.js';

export interface ClusterStateOptions {
  /** Path of a kubeconfig file; without it the in-cluster service account is used. */
  kubeconfig?: string;
  config: Config;
  logger: Logger;
}

/** Fills the state from the API server with informers. */
export async function startClusterState(options: ClusterStateOptions): Promise<StateProvider> {
  void options;
  throw new Error('reading the state from a cluster is not available yet; use --state PATH');
}

/** Namespace of Argo CD itself; Argo CD's Applications and AppProjects live there too. */
export const ARGOCD_NAMESPACE = 'argocd';

/** The in-cluster API server as Argo CD names it. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

{{- /*
Where an environment keeps credentials in AWS Secrets Manager, .Values.isolation.externalSecrets
({ store: { name, region }, refreshInterval, secrets: [{ name, data: [{ alias, key, property }],
template: { <Secret key>: <template> } }] }) becomes one namespaced SecretStore (External Secrets
Operator's own Pod Identity: no auth block) and one ExternalSecret per Secret, which owns the
Secret and writes exactly the template's keys. Sync wave -1: Argo CD waits for the Secrets
(ExternalSecret health) before it starts the workloads that read them. Absent: nothing.
Rendered by "isolation.networkpolicies", which every wrapper chart includes.
*/ -}}
{{- define "isolation.externalsecrets" -}}
{{- $isolation := .Values.isolation | default dict -}}
{{- with $isolation.externalSecrets }}
{{- $store := .store }}
---
apiVersion: external-secrets.io/v1
kind: SecretStore
metadata:
  name: {{ $store.name }}
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
spec:
  provider:
    aws:
      service: SecretsManager
      region: {{ $store.region | quote }}
{{- range .secrets }}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: {{ .name }}
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
spec:
  refreshInterval: {{ $.Values.isolation.externalSecrets.refreshInterval | quote }}
  secretStoreRef:
    kind: SecretStore
    name: {{ $store.name }}
  target:
    name: {{ .name }}
    creationPolicy: Owner
    deletionPolicy: Retain
    template:
      type: Opaque
      engineVersion: v2
      data: {{- toYaml .template | nindent 8 }}
  data:
{{- range .data }}
    - secretKey: {{ .alias }}
      remoteRef:
        key: {{ .key | quote }}
        property: {{ .property | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- /*
Default-deny ingress for the release's namespace, then one NetworkPolicy per allow rule of
.Values.isolation.allow ({ name, podLabels, from, ports }). A rule without peers is skipped: an
empty `from` would admit everyone. Egress stays open (model pulls, DNS).
Use: {{ include "isolation.networkpolicies" . }} in one template of the wrapper chart. It also
renders the namespace's ExternalSecrets where the environment injects them (_externalsecrets.tpl).
*/ -}}
{{- define "isolation.networkpolicies" -}}
{{- $isolation := .Values.isolation | default dict -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .Release.Name }}-default-deny-ingress
spec:
  podSelector: {}
  policyTypes:
    - Ingress
{{- range ($isolation.allow | default list) }}
{{- if .from }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ $.Release.Name }}-{{ .name }}
spec:
  podSelector:
    matchLabels: {{- toYaml .podLabels | nindent 6 }}
  policyTypes:
    - Ingress
  ingress:
    - from: {{- toYaml .from | nindent 8 }}
      ports:
      {{- range .ports }}
        - port: {{ toJson . }}
          protocol: TCP
      {{- end }}
{{- end }}
{{- end }}
{{- include "isolation.externalsecrets" . }}
{{- end }}

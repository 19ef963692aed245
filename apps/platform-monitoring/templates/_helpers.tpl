{{- define "platform-monitoring.labels" -}}
app.kubernetes.io/name: platform-monitoring
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "librechat.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}{{ .Release.Name }}{{ else }}{{ .Release.Name }}-{{ .Chart.Name }}{{ end }}
{{- end }}

{{- define "librechat.labels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{- /* The Secret LibreChat reads its credentials from: the global name wins, like upstream. */ -}}
{{- define "librechat.secretName" -}}
{{- .Values.global.librechat.existingSecretName | default .Values.librechat.existingSecretName }}
{{- end }}

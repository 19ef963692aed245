{{- /* The wake gateway's haproxy.cfg (templates/gateway.yaml); dict: gateway (its values), namespace. */ -}}
{{- define "ollama.gatewayConfig" -}}
{{- $g := .gateway -}}
global
  log stdout format raw local0 notice

defaults
  mode http
  log global
  option dontlognull
  timeout connect 3s
  timeout http-request 30s
  timeout client {{ $g.timeoutServer }}
  timeout server {{ $g.timeoutServer }}

# Re-resolves Ollama's Service name (the cluster DNS of /etc/resolv.conf).
resolvers cluster
  parse-resolv-conf
  hold valid 30s

# What LibreChat calls: counted per request (haproxy_frontend_http_requests_total{proxy="{{ $g.frontend }}"}).
frontend {{ $g.frontend }}
  bind :8080
  default_backend ollama

# Prometheus's scrape and the kubelet's probes: not counted as requests.
frontend metrics
  bind :8405
  monitor-uri /healthz
  http-request use-service prometheus-exporter if { path /metrics }

# Ollama's Service; down while it has no ready pod (scaled to zero or starting): then the
# "model starting" answer.
backend ollama
  option httpchk GET /api/version
  http-check expect status 200
  default-server inter 2s fall 2 rise 1
  server ollama {{ $g.ollama.service }}.{{ .namespace }}.svc.cluster.local:{{ $g.ollama.port }} check resolvers cluster init-addr last,libc,none
  errorfile 503 /usr/local/etc/haproxy/starting.http
{{- end -}}

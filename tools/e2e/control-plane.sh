#!/usr/bin/env bash
# tools/e2e/control-plane.sh - a throw-away local Kubernetes control plane for the e2e test:
# etcd, kube-apiserver and kube-controller-manager on free loopback ports, with a fresh CA,
# serving/client certificates, service-account keys and an admin kubeconfig in a temp dir.
# There is no kubelet or scheduler: objects are stored and reconciled by the controllers
# (namespaces, garbage collection, deployments -> replicasets -> pods), but pods never run.
#
# Usage:
#   tools/e2e/control-plane.sh run -- <command...>
#       start, run the command with KUBECONFIG, E2E_KUBECONFIG, E2E_KUBE_CONTEXT, E2E_KUBE_SERVER,
#       E2E_CP_DIR (certs, logs/) and E2E_CP_STARTUP_SECONDS exported, stop (also on INT/TERM);
#       exit with the command's status.
#   tools/e2e/control-plane.sh selftest
#       start; create a namespace holding a configmap and a deployment; wait for the controllers
#       to create its pod; delete the namespace and wait until it is gone; stop; check that no
#       process it started is left.
#   tools/e2e/control-plane.sh shell      run -- "${SHELL:-bash}", to poke around by hand.
#   source tools/e2e/control-plane.sh     only defines e2e_cp_start / e2e_cp_stop (the caller
#                                         owns the trap that calls e2e_cp_stop).
# Binaries come from E2E_ETCD_BIN, E2E_KUBE_APISERVER_BIN, E2E_KUBE_CONTROLLER_MANAGER_BIN and
# E2E_KUBECTL_BIN when set (see toolchain.sh's env.sh), otherwise from tools/e2e/toolchain.sh.
# Environment: E2E_CP_TIMEOUT (readiness timeout per component, seconds, default 120),
#   E2E_CP_KEEP=1 (keep the temp dir with certs and logs after stop), E2E_CP_VERBOSITY (-v, default 1).

E2E_CP_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_CP_PIDS=()
E2E_CP_NAMES=()
E2E_CP_DIR=""
E2E_CP_STARTUP_SECONDS=""

e2e_cp_log() { printf '[control-plane] %s\n' "$*" >&2; }
e2e_cp_now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
e2e_cp_since() { awk -v a="$1" -v b="$(e2e_cp_now)" 'BEGIN { printf "%.1f", b - a }'; }

# Use the toolchain's binaries (building them if needed) unless the caller already chose some.
e2e_cp_resolve_bins() {
  if [ -z "${E2E_ETCD_BIN:-}" ] || [ -z "${E2E_KUBE_APISERVER_BIN:-}" ] ||
    [ -z "${E2E_KUBE_CONTROLLER_MANAGER_BIN:-}" ] || [ -z "${E2E_KUBECTL_BIN:-}" ]; then
    local dir
    dir=$("$E2E_CP_SCRIPT_DIR/toolchain.sh") || return 1
    # shellcheck source=/dev/null
    . "$dir/env.sh" || return 1
  fi
  local b
  for b in "$E2E_ETCD_BIN" "$E2E_KUBE_APISERVER_BIN" "$E2E_KUBE_CONTROLLER_MANAGER_BIN" "$E2E_KUBECTL_BIN"; do
    [ -x "$b" ] || { e2e_cp_log "not executable: $b"; return 1; }
  done
  command -v openssl >/dev/null || { e2e_cp_log "openssl is required"; return 1; }
  command -v curl >/dev/null || { e2e_cp_log "curl is required"; return 1; }
}

# Print <n> distinct TCP ports that nothing listens on, below the usual ephemeral range.
e2e_cp_free_ports() {
  local n=$1 picked=" " port tries=0
  while [ "$n" -gt 0 ]; do
    tries=$((tries + 1))
    [ "$tries" -lt 1000 ] || { e2e_cp_log "no free port found"; return 1; }
    port=$((20000 + RANDOM % 12000))
    case "$picked" in *" $port "*) continue ;; esac
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    picked+="$port "
    n=$((n - 1))
  done
  printf '%s\n' "$picked"
}

# e2e_cp_cert <name> <subject> <extensions>: key + certificate signed by the local CA.
e2e_cp_cert() {
  local pki="$E2E_CP_DIR/pki" name=$1 subj=$2 ext=$3
  printf '%b\n' "$ext" >"$pki/$name.ext"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/$name.key" 2>/dev/null &&
    openssl req -new -key "$pki/$name.key" -subj "$subj" -out "$pki/$name.csr" &&
    openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
      -days 2 -sha256 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
}

e2e_cp_pki() {
  local pki="$E2E_CP_DIR/pki"
  mkdir -p "$pki" && (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/ca.key") &&
    openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=gitops-llm-e2e-ca" -days 2 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$pki/ca.crt" &&
    e2e_cp_cert apiserver "/CN=kube-apiserver" \
      "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" &&
    e2e_cp_cert admin "/O=system:masters/CN=e2e-admin" \
      "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth" &&
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/sa.key" 2>/dev/null &&
    openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
}

e2e_cp_kubeconfig() { # e2e_cp_kubeconfig <server url> <file>
  local pki="$E2E_CP_DIR/pki"
  cat >"$2" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: e2e-local
    cluster:
      server: $1
      certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
  - name: e2e-admin
    user:
      client-certificate-data: $(base64 -w0 "$pki/admin.crt")
      client-key-data: $(base64 -w0 "$pki/admin.key")
contexts:
  - name: e2e-local
    context:
      cluster: e2e-local
      user: e2e-admin
      namespace: default
current-context: e2e-local
EOF
  chmod 600 "$2"
}

# e2e_cp_spawn <name> <command...>: start in the background, log to <dir>/logs/<name>.log
e2e_cp_spawn() {
  local name=$1
  shift
  "$@" >"$E2E_CP_DIR/logs/$name.log" 2>&1 &
  E2E_CP_PIDS+=("$!")
  E2E_CP_NAMES+=("$name")
}

# e2e_cp_wait <name> <pid> <probe command...>: poll the probe until it succeeds.
e2e_cp_wait() {
  local name=$1 pid=$2 deadline
  shift 2
  deadline=$((SECONDS + ${E2E_CP_TIMEOUT:-120}))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      e2e_cp_log "$name exited during start-up; last lines of its log:"
      tail -n 30 "$E2E_CP_DIR/logs/$name.log" >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      e2e_cp_log "$name not ready after ${E2E_CP_TIMEOUT:-120}s; last lines of its log:"
      tail -n 30 "$E2E_CP_DIR/logs/$name.log" >&2
      return 1
    fi
    sleep 0.2
  done
}

e2e_cp_etcd_healthy() { curl -fsS "http://127.0.0.1:$1/health" | grep -q '"health":"true"'; }
e2e_cp_apiserver_ready() {
  local pki="$E2E_CP_DIR/pki"
  curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "https://127.0.0.1:$1/readyz"
}
e2e_cp_kcm_healthy() { curl -fsSk "https://127.0.0.1:$1/healthz"; }
e2e_cp_has_pods() { [ -n "$("$E2E_KUBECTL_BIN" -n "$1" get pods -l "$2" -o name)" ]; }
e2e_cp_default_sa() { "$E2E_KUBECTL_BIN" --kubeconfig "$E2E_CP_DIR/admin.kubeconfig" -n default get serviceaccount default; }

# Start everything; on success export KUBECONFIG, E2E_KUBECONFIG, E2E_KUBE_CONTEXT, E2E_KUBE_SERVER.
e2e_cp_start() {
  local t0 t etcd_port peer_port api_port kcm_port ports v=${E2E_CP_VERBOSITY:-1}
  e2e_cp_resolve_bins || return 1
  t0=$(e2e_cp_now)
  E2E_CP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/e2e-control-plane.XXXXXX") || return 1
  mkdir -p "$E2E_CP_DIR/logs" "$E2E_CP_DIR/etcd" || return 1
  e2e_cp_pki || { e2e_cp_log "certificate generation failed"; return 1; }
  ports=$(e2e_cp_free_ports 4) || return 1
  read -r etcd_port peer_port api_port kcm_port <<<"$ports"
  local pki="$E2E_CP_DIR/pki" kubeconfig="$E2E_CP_DIR/admin.kubeconfig" server="https://127.0.0.1:$api_port"
  e2e_cp_kubeconfig "$server" "$kubeconfig" || return 1
  e2e_cp_log "dir $E2E_CP_DIR; ports etcd $etcd_port/$peer_port, apiserver $api_port, controller-manager $kcm_port"

  t=$(e2e_cp_now)
  e2e_cp_spawn etcd "$E2E_ETCD_BIN" --name e2e --data-dir "$E2E_CP_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "e2e=http://127.0.0.1:$peer_port" --initial-cluster-state new \
    --unsafe-no-fsync --log-level warn
  e2e_cp_wait etcd "${E2E_CP_PIDS[-1]}" e2e_cp_etcd_healthy "$etcd_port" || return 1
  local etcd_s
  etcd_s=$(e2e_cp_since "$t")

  t=$(e2e_cp_now)
  e2e_cp_spawn kube-apiserver "$E2E_KUBE_APISERVER_BIN" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --cert-dir "$pki/apiserver" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --authorization-mode RBAC --allow-privileged=true --profiling=false --v "$v"
  e2e_cp_wait kube-apiserver "${E2E_CP_PIDS[-1]}" e2e_cp_apiserver_ready "$api_port" || return 1
  local api_s
  api_s=$(e2e_cp_since "$t")

  t=$(e2e_cp_now)
  e2e_cp_spawn kube-controller-manager "$E2E_KUBE_CONTROLLER_MANAGER_BIN" \
    --kubeconfig "$kubeconfig" --authentication-kubeconfig "$kubeconfig" --authorization-kubeconfig "$kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$kcm_port" --cert-dir "$pki/controller-manager" \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --service-cluster-ip-range 10.0.0.0/24 \
    --controllers '*' --use-service-account-credentials=false --leader-elect=false --profiling=false --v "$v"
  e2e_cp_wait kube-controller-manager "${E2E_CP_PIDS[-1]}" e2e_cp_kcm_healthy "$kcm_port" || return 1
  # The default service account shows the controllers are actually reconciling.
  e2e_cp_wait kube-controller-manager "${E2E_CP_PIDS[-1]}" e2e_cp_default_sa || return 1
  local kcm_s
  kcm_s=$(e2e_cp_since "$t")

  E2E_CP_STARTUP_SECONDS=$(e2e_cp_since "$t0")
  export KUBECONFIG="$kubeconfig" E2E_KUBECONFIG="$kubeconfig" E2E_KUBE_CONTEXT=e2e-local E2E_KUBE_SERVER="$server"
  export E2E_CP_DIR E2E_CP_STARTUP_SECONDS
  e2e_cp_log "ready in ${E2E_CP_STARTUP_SECONDS}s (etcd ${etcd_s}s, kube-apiserver ${api_s}s, kube-controller-manager ${kcm_s}s); KUBECONFIG=$kubeconfig"
}

# Stop in reverse order (TERM, then KILL after 15s), reap, and remove the temp dir.
e2e_cp_stop() {
  local - # keep option changes local: this runs from EXIT traps, where errexit must not cut it short
  set +e
  local i pid name deadline
  for ((i = ${#E2E_CP_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${E2E_CP_PIDS[i]}
    name=${E2E_CP_NAMES[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    deadline=$((SECONDS + 15))
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      e2e_cp_log "$name (pid $pid) ignored TERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true # reap; its status (143 after TERM) is not an error here
  done
  E2E_CP_PIDS=()
  E2E_CP_NAMES=()
  if [ -n "$E2E_CP_DIR" ] && [ -d "$E2E_CP_DIR" ]; then
    if [ "${E2E_CP_KEEP:-0}" = 1 ]; then
      e2e_cp_log "stopped; kept $E2E_CP_DIR"
    else
      rm -rf "$E2E_CP_DIR"
      e2e_cp_log "stopped; removed $E2E_CP_DIR"
    fi
  fi
  return 0
}

# On INT/TERM: TERM the command (a background child, so it ignores INT), then exit -> EXIT trap.
E2E_CP_CHILD=""
e2e_cp_interrupted() {
  local deadline
  if [ -n "$E2E_CP_CHILD" ] && kill -0 "$E2E_CP_CHILD" 2>/dev/null; then
    e2e_cp_log "interrupted: terminating the command (pid $E2E_CP_CHILD)"
    kill -TERM "$E2E_CP_CHILD" 2>/dev/null
    deadline=$((SECONDS + 20))
    while kill -0 "$E2E_CP_CHILD" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    kill -KILL "$E2E_CP_CHILD" 2>/dev/null || true
  fi
  exit "$1"
}

e2e_cp_main_run() { # e2e_cp_main_run <foreground|background> [--] <command...>
  local how=$1
  shift
  [ "${1:-}" = "--" ] && shift
  [ "$#" -gt 0 ] || { e2e_cp_log "usage: control-plane.sh run -- <command...>"; return 2; }
  trap e2e_cp_stop EXIT
  trap 'e2e_cp_interrupted 130' INT
  trap 'e2e_cp_interrupted 143' TERM
  e2e_cp_start || return 1
  local rc=0
  if [ "$how" = foreground ]; then
    "$@" || rc=$?
  else
    # In the background, so that a TERM sent to this script alone is handled at once, not
    # after the command ends; stdin stays the caller's.
    "$@" <&0 &
    E2E_CP_CHILD=$!
    wait "$E2E_CP_CHILD" || rc=$?
    E2E_CP_CHILD=""
  fi
  e2e_cp_log "command exited with $rc"
  return "$rc"
}

e2e_cp_main_selftest() {
  trap e2e_cp_stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local t0 ns="e2e-selftest-$$" fail=0 t pids dir
  t0=$(e2e_cp_now)
  e2e_cp_start || return 1
  k() { "$E2E_KUBECTL_BIN" "$@"; }
  k version
  k create namespace "$ns"
  k -n "$ns" create configmap probe --from-literal=hello=world
  k -n "$ns" create deployment probe --image=registry.k8s.io/pause:3.10
  # deployment -> replicaset -> pod (Pending forever: there is no scheduler or kubelet)
  e2e_cp_wait kube-controller-manager "${E2E_CP_PIDS[-1]}" e2e_cp_has_pods "$ns" app=probe || fail=1
  k -n "$ns" get deployment,replicaset,pod,configmap
  t=$(e2e_cp_now)
  k delete namespace "$ns" --wait=true --timeout=120s || fail=1
  if k get namespace "$ns" >/dev/null 2>&1; then
    e2e_cp_log "FAIL: namespace $ns still exists after deletion"
    k get namespace "$ns" -o yaml >&2
    fail=1
  else
    e2e_cp_log "namespace $ns deleted completely in $(e2e_cp_since "$t")s"
  fi
  pids="${E2E_CP_PIDS[*]}"
  dir=$E2E_CP_DIR
  trap - EXIT
  e2e_cp_stop
  local pid
  for pid in $pids; do
    if kill -0 "$pid" 2>/dev/null; then e2e_cp_log "FAIL: pid $pid still running"; fail=1; fi
  done
  if pgrep -f -- "$dir" >/dev/null; then
    e2e_cp_log "FAIL: processes still refer to $dir:"
    pgrep -af -- "$dir" >&2
    fail=1
  fi
  [ ! -e "$dir" ] || { e2e_cp_log "FAIL: $dir was not removed"; fail=1; }
  if [ "$fail" = 0 ]; then
    e2e_cp_log "selftest PASS (start-up ${E2E_CP_STARTUP_SECONDS}s, total $(e2e_cp_since "$t0")s; no process left)"
  else
    e2e_cp_log "selftest FAIL"
  fi
  return "$fail"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    run) shift; e2e_cp_main_run background "$@" ;;
    selftest) e2e_cp_main_selftest ;;
    shell) e2e_cp_main_run foreground -- "${SHELL:-bash}" ;;
    -h | --help) sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0" ;;
    *) sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
  esac
fi

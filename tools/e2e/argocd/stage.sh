#!/usr/bin/env bash
# tools/e2e/argocd/stage.sh - the GitOps loop with REAL Argo CD against the local control plane.
#
# Runs inside `tools/e2e/control-plane.sh run -- bash tools/e2e/argocd/stage.sh` (KUBECONFIG is
# exported). Starts Redis, a loopback HTTPS Git server holding a copy of the project's apps/, a
# loopback HTTPS Helm repository serving stand-in dependency charts (charts/), and Argo CD's
# application-controller and repo-server as local processes; the platform objects (namespaces,
# Secret, AppProject, Applications) come from the program synthesized against those servers.
# Then proves: every Application Synced under the AppProject with no error condition; the
# workloads carry what the environment asked for; a value-file commit is applied without
# Terraform; a manual change is reverted by self-heal; a `git revert` rolls back; a
# double-hierarchy mistake changes nothing in the cluster while `npm run check` names the key;
# deleting the objects makes Argo CD delete everything it created. Every process it starts is
# stopped on exit (also on failure, INT and TERM).
#
# Environment:
#   KUBECONFIG              the cluster (set by control-plane.sh)                       required
#   E2E_KUBECTL_BIN         kubectl                                                     required
#   E2E_ARGOCD_MODE         kubectl (default): the stage creates the stacks' objects from the
#                           synthesized JSON (for machines without the pinned Terraform
#                           providers); terraform: E2E_ARGOCD_DEPLOY / E2E_ARGOCD_DESTROY do it
#   E2E_ARGOCD_DEPLOY       MODE terraform: command run (bash -c) in the work copy to deploy, with
#                           PLATFORM_OVERRIDES_FILE exported; e.g. "npx cdktf deploy 'dev-*' --auto-approve"
#   E2E_ARGOCD_DESTROY      MODE terraform: the same for the teardown (e.g. cdktf destroy)
#   E2E_OVERRIDES_BASE      JSON overrides file the stage merges its gitops settings into (MODE
#                           terraform: the caller's cluster/argocd-chart overrides)
#   E2E_REPO                repository under test (default: the checkout holding this script)
#   E2E_ARGOCD_ENV          environment to deploy (default dev; stacks <env>-*)
#   E2E_ARGOCD_BIN_DIR      dir with argocd-application-controller, argocd-repo-server, helm
#                           (default: built/cached by tools/e2e/argocd/build.sh)
#   E2E_HELM_BIN            helm (default: $E2E_ARGOCD_BIN_DIR/helm)
#   E2E_CRDS_DIR            Argo CD CRDs, MODE kubectl (default $E2E_REPO/../shared/upstream/argo-cd-10.1.1/crds)
#   GITOPS_REVISION         branch the Applications track (default main)
#   E2E_ARGOCD_TIMEOUT      bound of each wait, seconds (default 180)
#   E2E_KEEP=1              keep the temp dir (logs, work copy, Git repo)
# Exit status: 0 pass; 1 fail; 3 unavailable here (Argo CD/helm cannot be built, redis-server or
# the Argo CD CRDs are missing, no private mount namespace): the caller reports it as skipped.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_REPO=${E2E_REPO:-$(cd "$here/../../.." && pwd)}
MODE=${E2E_ARGOCD_MODE:-kubectl}
ENV_NAME=${E2E_ARGOCD_ENV:-dev}
REVISION=${GITOPS_REVISION:-main}
TIMEOUT=${E2E_ARGOCD_TIMEOUT:-180}
ARGOCD_NS=argocd
# The GitOps-loop steps edit this app's value file and watch its Deployment.
LOOP_APP=ollama
LOOP_VALUES="apps/$LOOP_APP/values-$ENV_NAME.yaml"

# shellcheck source=processes.sh
. "$here/processes.sh"

say() { echo "e2e: $*"; }
fail() { echo "e2e: FAIL: $*" >&2; exit 1; }
unavailable() { echo "e2e: UNAVAILABLE: $*" >&2; exit 3; }
kubectl() { "$E2E_KUBECTL_BIN" "$@"; }
ts() { node "$E2E_REPO/tools/run-ts.js" "$@"; }
now() { printf '%s' "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
declare -A timing
phase_started=0
begin() { phase_started=$EPOCHREALTIME; say "── $1"; }
end() { timing[$1]=$(since "$phase_started"); }

: "${KUBECONFIG:?KUBECONFIG must point at the cluster (run inside control-plane.sh)}"
: "${E2E_KUBECTL_BIN:?E2E_KUBECTL_BIN must name kubectl}"
case "$MODE" in
  kubectl) ;;
  terraform) : "${E2E_ARGOCD_DEPLOY:?MODE terraform needs E2E_ARGOCD_DEPLOY}" "${E2E_ARGOCD_DESTROY:?MODE terraform needs E2E_ARGOCD_DESTROY}" ;;
  *) fail "E2E_ARGOCD_MODE must be kubectl or terraform, not '$MODE'" ;;
esac

# --- prerequisites -----------------------------------------------------------------------------
for tool in git openssl node unshare curl; do command -v "$tool" >/dev/null || fail "$tool is required"; done
command -v redis-server >/dev/null || unavailable "redis-server is not installed (apt-get install -y redis-server)"
# The controller gets its in-cluster credentials from a private mount namespace (needs root).
unshare --mount --propagation private true 2>/dev/null || unavailable "cannot create a private mount namespace here (unshare --mount needs root)"
if [ -z "${E2E_ARGOCD_BIN_DIR:-}" ]; then
  set +e
  build_dir=$(bash "$here/build.sh")
  status=$?
  set -e
  [ "$status" != 3 ] || unavailable "Argo CD or helm cannot be built from the module proxy (see above)"
  [ "$status" = 0 ] || fail "tools/e2e/argocd/build.sh exited $status"
  E2E_ARGOCD_BIN_DIR=$build_dir/bin
fi
E2E_HELM_BIN=${E2E_HELM_BIN:-$E2E_ARGOCD_BIN_DIR/helm}
for bin in argocd-application-controller argocd-repo-server; do
  [ -x "$E2E_ARGOCD_BIN_DIR/$bin" ] || fail "not executable: $E2E_ARGOCD_BIN_DIR/$bin"
done
[ -x "$E2E_HELM_BIN" ] || fail "not executable: $E2E_HELM_BIN"
CRDS_DIR=${E2E_CRDS_DIR:-$E2E_REPO/../shared/upstream/argo-cd-10.1.1/crds}
if [ "$MODE" = kubectl ] && [ ! -d "$CRDS_DIR" ]; then unavailable "the Argo CD CRDs are not at $CRDS_DIR"; fi

# --- temp dir, cleanup -------------------------------------------------------------------------
T=$(mktemp -d "${TMPDIR:-/tmp}/e2e-argocd.XXXXXX")
PROC_LOG_DIR=$T/logs # read by processes.sh
export PROC_LOG_DIR
mkdir -p "$T/logs" "$T/tls" "$T/ssh" "$T/redis" "$T/home" "$T/repo-tmp" "$T/sa" "$T/helm-repo" "$T/git"
FG_PID=""
IN_CLUSTER_SA=e2e-argocd-in-cluster
sa_created=0
passed=0

diagnose() {
  local name
  for name in argocd-application-controller argocd-repo-server; do
    [ -f "$T/logs/$name.log" ] || continue
    echo "e2e: ── last lines of $name.log:" >&2
    grep -v 'level=debug' "$T/logs/$name.log" | tail -n 25 >&2
  done
  kubectl -n "$ARGOCD_NS" get applications.argoproj.io -o yaml 2>/dev/null | grep -A 12 -E '^  (status|    conditions):' | head -n 60 >&2 || true
}

cleanup() {
  local - status=$?
  set +e
  if [ -n "$FG_PID" ]; then kill -TERM "$FG_PID" 2>/dev/null; wait "$FG_PID" 2>/dev/null; fi
  if [ "$passed" != 1 ] && [ "$status" != 3 ]; then diagnose; fi
  proc_stop_all
  if [ "$sa_created" = 1 ]; then
    kubectl delete clusterrolebinding "$IN_CLUSTER_SA" --ignore-not-found --wait=false >/dev/null 2>&1
    kubectl -n kube-system delete serviceaccount "$IN_CLUSTER_SA" --ignore-not-found --wait=false >/dev/null 2>&1
  fi
  local left
  left=$(proc_left)
  [ -z "$left" ] || echo "e2e: FAIL: processes left behind: $left" >&2
  if [ "${E2E_KEEP:-0}" = 1 ]; then say "kept $T"; else rm -rf "$T"; fi
  if [ -n "$left" ]; then exit 1; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run <command...>: in the background so INT/TERM are handled at once (cleanup stops it).
run() {
  "$@" &
  FG_PID=$!
  local rc=0
  wait "$FG_PID" || rc=$?
  FG_PID=""
  return "$rc"
}

# wait_until <timeout s> <what> <command...>: poll until the command succeeds.
wait_until() {
  local timeout=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what: not reached within ${timeout}s"
    sleep 1
  done
}

total_started=$(now)
say "MODE $MODE$([ "$MODE" = kubectl ] && echo ' (objects created from the synthesized JSON, not by Terraform)')"

# --- loopback servers --------------------------------------------------------------------------
begin "Redis, Git server (HTTPS), Helm repository (HTTPS)"
redis_port="" repo_port="" repo_metrics_port="" controller_metrics_port=""
free_port redis_port
proc_spawn redis redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
  --protected-mode no --dir "$T/redis" --logfile ''
redis_ping() { [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = PONG ]; }
proc_wait redis 30 redis_ping

# One throw-away certificate for both servers; Argo CD trusts it through its TLS data path (the
# files argocd-tls-certs-cm would mount), keyed by host name, so TLS is verified, not skipped.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$T/tls.key" -out "$T/tls.crt" 2>/dev/null
cp "$T/tls.crt" "$T/tls/127.0.0.1"

proc_spawn helm-repo node "$E2E_REPO/tools/run-ts.js" "$here/helm-repo-server.ts" "$T/helm-repo" "$T/tls.crt" "$T/tls.key" "$T/helm-repo.port"
proc_wait helm-repo 30 test -s "$T/helm-repo.port"
helm_url="https://127.0.0.1:$(cat "$T/helm-repo.port")"
# Hand-written stand-ins where the assertions need the upstream layout; a generic one per other app.
ts "$here/stand-ins.ts" "$E2E_REPO" "$here/charts" "$T/stand-ins" >/dev/null
for chart in "$here"/charts/*/ "$T"/stand-ins/*/; do
  if [ -f "$chart/Chart.yaml" ]; then "$E2E_HELM_BIN" package "$chart" -d "$T/helm-repo" >/dev/null; fi
done
"$E2E_HELM_BIN" repo index "$T/helm-repo" --url "$helm_url"
say "   Helm repository $helm_url: $(cd "$T/helm-repo" && echo ./*.tgz | sed 's#\./##g')"

# The work copy: the project with its chart dependencies pointed at the loopback repository; the
# Git repository serves its apps/.
work=$T/work
mkdir -p "$work"
tar -C "$E2E_REPO" --exclude=./node_modules --exclude=./cdktf.out --exclude='./terraform.*.tfstate*' --exclude=./.git -cf - . | tar -C "$work" -xf -
ln -s "$E2E_REPO/node_modules" "$work/node_modules"
ts "$here/work-copy.ts" chart-repos "$work/apps" "$helm_url"

git_tree=$T/git/tree
git init -q --bare -b "$REVISION" "$T/git/gitops.git"
git init -q -b "$REVISION" "$git_tree"
cp -R "$work/apps" "$git_tree/apps"
gitc() { git -C "$git_tree" -c user.name=e2e -c user.email=e2e@example.invalid -c commit.gpgsign=false "$@"; }
gitc add -A && gitc commit -q -m "apps/ from the repository under test (dependencies -> loopback Helm repo)"
gitc push -q "$T/git/gitops.git" "HEAD:$REVISION"
head_rev() { git -C "$git_tree" rev-parse HEAD; }
push() { gitc push -q "$T/git/gitops.git" "HEAD:$REVISION"; }

proc_spawn git-server node "$E2E_REPO/tools/run-ts.js" "$here/git-https-server.ts" "$T/git" "$T/tls.crt" "$T/tls.key" "$T/git-server.port"
proc_wait git-server 30 test -s "$T/git-server.port"
git_url="https://127.0.0.1:$(cat "$T/git-server.port")/gitops.git"
GIT_SSL_CAINFO="$T/tls.crt" git ls-remote "$git_url" >/dev/null || fail "git ls-remote $git_url"
say "   Git repository $git_url ($REVISION at $(head_rev | cut -c1-12))"
end servers

# --- the platform objects ----------------------------------------------------------------------
begin "synthesize against the loopback servers and create the $ENV_NAME objects"
ts "$here/work-copy.ts" overrides "$T/overrides.json" "$ENV_NAME" "$git_url" "$REVISION" ${E2E_OVERRIDES_BASE:+"$E2E_OVERRIDES_BASE"}
export PLATFORM_OVERRIDES_FILE=$T/overrides.json CHECKPOINT_DISABLE=1
unset GITOPS_REPO_URL # the overrides file sets the loopback URL
if [ "$MODE" = kubectl ]; then
  (cd "$work" && CDKTF_OUTDIR="$work/cdktf.out" node tools/run-ts.js main.ts) >"$T/logs/synth.log" 2>&1 || { cat "$T/logs/synth.log"; fail "synth"; }
  say "   the Argo CD chart (helm_release) is replaced by its CRDs, as the e2e's stand-in chart does"
  # Server-side: the Application CRD is too large for the last-applied annotation.
  kubectl apply --server-side --force-conflicts -f "$CRDS_DIR" >/dev/null
  # (kubectl wait fails at once while a new CRD has no conditions yet, hence the retry)
  wait_until 60 "Argo CD CRDs established" kubectl wait --for condition=established --timeout=5s -f "$CRDS_DIR"
  ts "$here/synth-objects.ts" create "$work/cdktf.out" "$ENV_NAME-"
else
  (cd "$work" && run bash -c "$E2E_ARGOCD_DEPLOY") >"$T/logs/deploy.log" 2>&1 || { cat "$T/logs/deploy.log"; fail "deploy: $E2E_ARGOCD_DEPLOY"; }
  [ -d "$work/cdktf.out" ] || fail "the deploy left no $work/cdktf.out"
  say "   deployed by: $E2E_ARGOCD_DEPLOY"
fi
end objects

# --- Argo CD -----------------------------------------------------------------------------------
begin "start Argo CD $(ARGOCD_BINARY_NAME=argocd "$E2E_ARGOCD_BIN_DIR/argocd-repo-server" version --client --short 2>/dev/null | sed -n 's/^argocd: //p') (application-controller, repo-server)"
# What the Argo CD chart would install besides the CRDs: its settings, with a short reconciliation.
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ConfigMap
metadata: { name: argocd-cm, namespace: $ARGOCD_NS, labels: { app.kubernetes.io/part-of: argocd } }
data:
  timeout.reconciliation: 10s
---
apiVersion: v1
kind: ConfigMap
metadata: { name: argocd-rbac-cm, namespace: $ARGOCD_NS, labels: { app.kubernetes.io/part-of: argocd } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: argocd-tls-certs-cm, namespace: $ARGOCD_NS, labels: { app.kubernetes.io/part-of: argocd } }
data:
  127.0.0.1: |
$(sed 's/^/    /' "$T/tls.crt")
---
apiVersion: v1
kind: Secret
metadata: { name: argocd-secret, namespace: $ARGOCD_NS, labels: { app.kubernetes.io/part-of: argocd } }
stringData:
  server.secretkey: $(openssl rand -hex 32)
---
apiVersion: v1
kind: Secret
metadata:
  name: e2e-gitops-repo
  namespace: $ARGOCD_NS
  labels: { argocd.argoproj.io/secret-type: repository }
stringData:
  type: git
  url: $git_url
EOF

# The in-cluster destination (https://kubernetes.default.svc) is reached the way a pod reaches it:
# KUBERNETES_SERVICE_HOST/PORT and a service-account token + CA under
# /var/run/secrets/kubernetes.io/serviceaccount, supplied by a private mount namespace.
kubectl -n kube-system create serviceaccount "$IN_CLUSTER_SA" >/dev/null
sa_created=1
kubectl create clusterrolebinding "$IN_CLUSTER_SA" --clusterrole cluster-admin --serviceaccount "kube-system:$IN_CLUSTER_SA" >/dev/null
kubectl -n kube-system create token "$IN_CLUSTER_SA" --duration 2h >"$T/sa/token"
kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$T/sa/ca.crt"
printf '%s' "$ARGOCD_NS" >"$T/sa/namespace"
api_server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
api_hostport=${api_server#https://}

free_port repo_port
free_port repo_metrics_port
free_port controller_metrics_port
argocd_env=(env "PATH=$E2E_ARGOCD_BIN_DIR:$PATH" "HOME=$T/home" "TMPDIR=$T/repo-tmp" ARGOCD_GPG_ENABLED=false
  "ARGOCD_TLS_DATA_PATH=$T/tls" "ARGOCD_SSH_DATA_PATH=$T/ssh" "KUBECONFIG=$KUBECONFIG")
argocd_started=$(now)
proc_spawn argocd-repo-server "${argocd_env[@]}" "$E2E_ARGOCD_BIN_DIR/argocd-repo-server" \
  --address 127.0.0.1 --port "$repo_port" --metrics-address 127.0.0.1 --metrics-port "$repo_metrics_port" \
  --redis "127.0.0.1:$redis_port" --disable-tls --loglevel info
# shellcheck disable=SC2016 # expanded by the inner shell
proc_spawn argocd-application-controller "${argocd_env[@]}" "SA_DIR=$T/sa" \
  "KUBERNETES_SERVICE_HOST=${api_hostport%:*}" "KUBERNETES_SERVICE_PORT=${api_hostport##*:}" \
  unshare --mount --propagation private -- sh -c '
    mount -t tmpfs -o mode=0755 e2e-argocd-run /run &&
    mkdir -p /var/run/secrets/kubernetes.io/serviceaccount &&
    cp "$SA_DIR/token" "$SA_DIR/ca.crt" "$SA_DIR/namespace" /var/run/secrets/kubernetes.io/serviceaccount/ &&
    exec "$@"' sh "$E2E_ARGOCD_BIN_DIR/argocd-application-controller" \
  --namespace "$ARGOCD_NS" --repo-server "127.0.0.1:$repo_port" --repo-server-plaintext \
  --redis "127.0.0.1:$redis_port" --metrics-port "$controller_metrics_port" --app-resync 10 --loglevel info
proc_wait argocd-repo-server 60 curl -fsS "http://127.0.0.1:$repo_metrics_port/healthz"
proc_wait argocd-application-controller 60 curl -fsS "http://127.0.0.1:$controller_metrics_port/healthz"
timing[argocd_start]=$(since "$argocd_started")
say "   ready in ${timing[argocd_start]}s (repo-server :$repo_port, controller metrics :$controller_metrics_port, redis :$redis_port)"
end argocd

refresh() { # hard refresh of every Application, so a new commit is picked up at once
  kubectl -n "$ARGOCD_NS" annotate applications.argoproj.io --all argocd.argoproj.io/refresh=hard --overwrite >/dev/null
}
assert_synced() { run ts "$here/assert-argocd.ts" synced "$work/cdktf.out" "$ENV_NAME" "$1" "$TIMEOUT"; }
deploy_json() { kubectl -n "$LOOP_APP" get deployment "$LOOP_APP" -o jsonpath="$1"; }
deploy_is() { [ "$(deploy_json "$1")" = "$2" ]; }

# --- a. first sync -----------------------------------------------------------------------------
begin "a. every Application Synced under the AppProject; workloads as the environment asks"
assert_synced "$(head_rev)" || fail "first sync"
timing[first_sync]=$(since "$argocd_started")
run ts "$here/assert-argocd.ts" workloads "$work/cdktf.out" "$ENV_NAME" "$git_tree" || fail "workloads"
end first_sync_total

# --- b. the GitOps loop ------------------------------------------------------------------------
memory_path='ollama.resources.requests.memory'
memory_jsonpath='{.spec.template.spec.containers[0].resources.requests.memory}'
begin "b1. a commit to $LOOP_VALUES is applied without Terraform"
before_memory=$(deploy_json "$memory_jsonpath")
new_memory=3Gi
[ "$before_memory" != "$new_memory" ] || new_memory=5Gi
ts "$here/work-copy.ts" set "$git_tree/$LOOP_VALUES" "$memory_path" "$new_memory"
gitc commit -q -am "e2e: $LOOP_APP requests $new_memory of memory" && push
change_rev=$(head_rev)
refresh
wait_until "$TIMEOUT" "Deployment $LOOP_APP requests $new_memory (was $before_memory)" deploy_is "$memory_jsonpath" "$new_memory"
assert_synced "$change_rev" || fail "sync of the value change"
say "   ok  Deployment $LOOP_APP requests memory $before_memory -> $new_memory from commit ${change_rev:0:12}"
end commit

begin "b2. a manual kubectl change to a managed object is reverted by self-heal"
replicas=$(deploy_json '{.spec.replicas}')
chart_label=$(deploy_json '{.metadata.labels.helm\.sh/chart}')
kubectl -n "$LOOP_APP" scale deployment "$LOOP_APP" --replicas $((replicas + 2)) >/dev/null
kubectl -n "$LOOP_APP" label deployment "$LOOP_APP" --overwrite helm.sh/chart=edited-by-hand >/dev/null
say "   scaled $LOOP_APP to $((replicas + 2)) replicas and relabelled it by hand"
wait_until "$TIMEOUT" "self-heal of replicas" deploy_is '{.spec.replicas}' "$replicas"
wait_until "$TIMEOUT" "self-heal of the helm.sh/chart label" deploy_is '{.metadata.labels.helm\.sh/chart}' "$chart_label"
say "   ok  replicas back to $replicas and label helm.sh/chart back to $chart_label"
end selfheal

begin "b3. git revert rolls the commit back"
gitc revert --no-edit "$change_rev" >/dev/null && push
revert_rev=$(head_rev)
refresh
wait_until "$TIMEOUT" "Deployment $LOOP_APP back to $before_memory" deploy_is "$memory_jsonpath" "$before_memory"
assert_synced "$revert_rev" || fail "sync of the revert"
say "   ok  Deployment $LOOP_APP requests memory $new_memory -> $before_memory from revert ${revert_rev:0:12}"
end revert

begin "b4. a double-hierarchy mistake changes nothing in the cluster; npm run check names the key"
gpu_jsonpath='{.spec.template.spec.containers[0].resources.limits.nvidia\.com/gpu}'
generation=$(deploy_json '{.metadata.generation}')
gpu_before=$(deploy_json "$gpu_jsonpath")
mistake_key=${memory_path%%.*}.gpu.number # ollama.gpu.number instead of ollama.ollama.gpu.number
ts "$here/work-copy.ts" set "$git_tree/$LOOP_VALUES" "$mistake_key" 2
gitc commit -q -am "e2e: GPU count at the wrong level ($mistake_key)" && push
mistake_rev=$(head_rev)
refresh
assert_synced "$mistake_rev" || fail "sync of the mistaken value file"
[ "$(deploy_json '{.metadata.generation}')" = "$generation" ] || fail "the mistaken value file changed the Deployment (generation $generation -> $(deploy_json '{.metadata.generation}'))"
[ "$(deploy_json "$gpu_jsonpath")" = "$gpu_before" ] || fail "the GPU limit changed"
say "   ok  Synced at ${mistake_rev:0:12}, Deployment unchanged (generation $generation, nvidia.com/gpu $gpu_before): the silent failure"

# The check runs on a copy of the repository under test holding the mistaken file. Isolated here:
# the check CLI's flags may change.
run_check() { # run_check <root> -> output on stdout, status of the check
  env -u PLATFORM_OVERRIDES_FILE node "$E2E_REPO/tools/run-ts.js" "$E2E_REPO/tools/check/cli.ts" --root "$1" 2>&1
}
check_root=$T/check-copy
mkdir -p "$check_root"
tar -C "$E2E_REPO" --exclude=./node_modules --exclude=./cdktf.out --exclude='./terraform.*.tfstate*' --exclude=./.git -cf - . | tar -C "$check_root" -xf -
ln -s "$E2E_REPO/node_modules" "$check_root/node_modules"
cp "$git_tree/$LOOP_VALUES" "$check_root/$LOOP_VALUES"
set +e
check_output=$(run_check "$check_root")
check_status=$?
set -e
printf '%s\n' "$check_output" | sed 's/^/e2e:      check: /'
[ "$check_status" != 0 ] || fail "npm run check passed on the mistaken $LOOP_VALUES"
grep -qF "$LOOP_VALUES:${mistake_key%.number}" <<<"$check_output" || fail "npm run check did not name ${mistake_key%.number} in $LOOP_VALUES"
say "   ok  npm run check exits $check_status naming $LOOP_VALUES:${mistake_key%.number}"
gitc revert --no-edit "$mistake_rev" >/dev/null && push
refresh
assert_synced "$(head_rev)" || fail "sync of the mistake's revert"
end mistake

# --- c. teardown with Argo CD running ----------------------------------------------------------
begin "c. teardown: deleting the objects makes Argo CD delete what it created"
if [ "$MODE" = kubectl ]; then
  run ts "$here/synth-objects.ts" delete "$work/cdktf.out" "$ENV_NAME-" || fail "deleting the $ENV_NAME objects"
else
  (cd "$work" && run bash -c "$E2E_ARGOCD_DESTROY") >"$T/logs/destroy.log" 2>&1 || { cat "$T/logs/destroy.log"; fail "destroy: $E2E_ARGOCD_DESTROY"; }
fi
run ts "$here/assert-argocd.ts" destroyed "$work/cdktf.out" "$ENV_NAME" "$TIMEOUT" || fail "teardown left objects behind"
end teardown

passed=1
say "timing (s): servers ${timing[servers]}, objects ${timing[objects]}, Argo CD start ${timing[argocd_start]}, first sync ${timing[first_sync]} (after start), commit applied ${timing[commit]}, self-heal ${timing[selfheal]}, revert ${timing[revert]}, mistake+check ${timing[mistake]}, teardown ${timing[teardown]}, total $(since "$total_started")"
say "Argo CD stage passed (MODE $MODE)"

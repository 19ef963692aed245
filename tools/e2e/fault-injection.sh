#!/usr/bin/env bash
# The fault-injection part of the e2e, run by run.sh inside control-plane.sh for each CLI (the
# same environment as scenario.sh: KUBECONFIG, E2E_CP_DIR, the toolchain's env.sh, the provider
# mirror's TF_CLI_CONFIG_FILE):
#
#   fault-injection.sh
#
# Deploys and destroys dev alternately with the documented commands (`npm run deploy -- dev`,
# `npm run destroy -- dev`, run as `node tools/run-ts.js tools/deploy/cli.ts … --skip-synth`
# after one synth), and interrupts each at a random moment with a random fault (seeded by
# E2E_FAULT_SEED, so a run is reproducible; E2E_FAULT_RUNS runs, default 16):
#   sigint       SIGINT to the command's process group, as Ctrl-C sends it
#   sigkill-cli  SIGKILL of the running terraform/tofu apply or destroy
#   apiserver    kube-apiserver killed and restarted 1-4 s later
# Then it re-runs the documented command; when that stops with a recovery command (a consent
# flag), it runs that. A run converged when the command finished, every dev stack re-plans with
# no changes (deploy), and the objects are exactly the synthesized set (fault-objects.ts) or none
# (destroy). A fault that lands after the command finished does not count as an interrupted run.
# Argo CD's controller does not run here: a stand-in loop removes the resources finalizer of
# Applications being deleted, as the controller does after deleting their resources.
# The log ends with "interrupted runs: N of M converged"; exit 0 only when N = M and M > 0.
set -euo pipefail
: "${E2E_REPO:?} ${E2E_WORK_DIR:?} ${E2E_CP_DIR:?} ${KUBECONFIG:?} ${E2E_TF_BIN:?} ${E2E_KUBECTL_BIN:?} ${E2E_TF_MIRROR_DIR:?}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
seed=${E2E_FAULT_SEED:-18}
runs=${E2E_FAULT_RUNS:-16}
RANDOM=$seed
FAULTS=(sigint sigkill-cli apiserver)

cd "$E2E_WORK_DIR"
mkdir -p .e2e/faults
export CHECKPOINT_DISABLE=1 CI=1 FORCE_COLOR=0 KUBECTL=$E2E_KUBECTL_BIN
log() { echo "fault-injection: $*"; }
node_ts() { node "$E2E_REPO/tools/run-ts.js" "$@"; }

# As in scenario.sh: the `providers lock` cdktf runs (always with OpenTofu; with Terraform when
# the lock file lacks the mirror's hashes) must use the offline mirror.
mkdir -p .e2e/bin
# shellcheck disable=SC2016 # the script written expands $1, $2 and $@ itself
printf '#!/usr/bin/env bash\nif [ "$1" = providers ] && [ "$2" = lock ]; then exec "%s" "$@" -fs-mirror="%s"; fi\nexec "%s" "$@"\n' "$E2E_TF_BIN" "$E2E_TF_MIRROR_DIR" "$E2E_TF_BIN" >.e2e/bin/cli
chmod +x .e2e/bin/cli
export TERRAFORM_BINARY_NAME=$E2E_WORK_DIR/.e2e/bin/cli

bash "$here/scenario.sh" overrides
export PLATFORM_OVERRIDES_FILE=$E2E_WORK_DIR/.e2e/overrides.json
npx cdktf synth >.e2e/faults/synth.log 2>&1 || { cat .e2e/faults/synth.log; log "FAIL: cdktf synth"; exit 1; }

# The API server: its command line, to restart it the way control-plane.sh started it.
apiserver_pid() { pgrep -f -- "kube-apiserver .*$E2E_CP_DIR/pki" | sed -n 1p; }
restarted_apiserver=""
finalizer_loop=""
command_pid=""
cleanup() {
  [ -z "$command_pid" ] || kill -KILL -- "-$command_pid" 2>/dev/null || true
  [ -z "$finalizer_loop" ] || kill "$finalizer_loop" 2>/dev/null || true
  if [ -n "$restarted_apiserver" ]; then kill "$restarted_apiserver" 2>/dev/null || true; wait "$restarted_apiserver" 2>/dev/null || true; fi
}
trap cleanup EXIT
apiserver_ready() { "$E2E_KUBECTL_BIN" get --raw /readyz >/dev/null 2>&1; }
restart_apiserver() { # restart_apiserver <down seconds>
  local pid cmd=()
  pid=$(apiserver_pid)
  [ -n "$pid" ] || { log "no kube-apiserver found"; return 1; }
  mapfile -d '' -t cmd <"/proc/$pid/cmdline"
  kill -KILL "$pid"
  sleep "$1"
  "${cmd[@]}" >>"$E2E_CP_DIR/logs/kube-apiserver.log" 2>&1 &
  restarted_apiserver=$!
  local deadline=$((SECONDS + 120))
  until apiserver_ready; do
    [ "$SECONDS" -lt "$deadline" ] || { log "kube-apiserver did not come back"; return 1; }
    sleep 0.2
  done
}

# Stand-in for Argo CD's controller: Applications being deleted lose the resources finalizer.
(
  set +e +o pipefail # a failed poll (no CRD yet, API server restarting) is retried, never fatal
  while true; do
    "$E2E_KUBECTL_BIN" get applications.argoproj.io -A -o jsonpath='{range .items[?(@.metadata.deletionTimestamp)]}{.metadata.namespace} {.metadata.name}{"\n"}{end}' 2>/dev/null |
      while read -r ns name; do
        [ -z "$name" ] || "$E2E_KUBECTL_BIN" -n "$ns" patch applications.argoproj.io "$name" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
      done
    sleep 1
  done
) &
finalizer_loop=$!

# The documented command, in its own process group (as a terminal runs it), in the background.
start_command() { # start_command <deploy|destroy> <log> [flags...]
  local extra=()
  # A destroy waits for Argo CD's stand-in at most 120 s, not the default 300 s.
  [ "$1" != destroy ] || extra=(--wait-seconds 120)
  setsid node "$E2E_REPO/tools/run-ts.js" "$E2E_REPO/tools/deploy/cli.ts" "$1" dev --skip-synth "${extra[@]}" "${@:3}" >"$2" 2>&1 &
  command_pid=$!
}
descendants() { # descendants <pid>: every process below it
  local child
  for child in $(pgrep -P "$1"); do
    echo "$child"
    descendants "$child"
  done
}
running_cli() { # the terraform/tofu process applying or destroying below <pid>, if any
  local pid args
  for pid in $(descendants "$1"); do
    args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
    case "$args" in "$E2E_TF_BIN apply"* | "$E2E_TF_BIN destroy"*) echo "$pid"; return ;; esac
  done
}
# Waits for the command; kills its process group when it hangs. Sets command_rc.
wait_command() {
  local deadline=$((SECONDS + ${E2E_FAULT_TIMEOUT:-600}))
  while kill -0 "$command_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if kill -0 "$command_pid" 2>/dev/null; then
    kill -KILL -- "-$command_pid" 2>/dev/null || true
    command_rc=hung
    wait "$command_pid" 2>/dev/null || true
    return
  fi
  command_rc=0
  wait "$command_pid" || command_rc=$?
}
run_command() { # run_command <deploy|destroy> <log> [flags...]: in the foreground; sets command_rc
  start_command "$@"
  wait_command
}

# Re-runs the documented command until it succeeds; follows one recovery command it names.
recover() { # recover <deploy|destroy> <log prefix>; sets recovered_by
  local op=$1 attempt flags=() hint
  recovered_by=""
  for attempt in 1 2 3; do
    run_command "$op" "$2.rerun$attempt.log" "${flags[@]}"
    recovered_by+="${recovered_by:+, then }npm run $op -- dev${flags[*]:+ ${flags[*]}}"
    [ "$command_rc" != 0 ] || return 0
    hint=$(grep -oE "^  npm run $op -- dev( --[a-z-]+( [0-9]+)?)*$" "$2.rerun$attempt.log" | tail -n1 || true)
    flags=()
    # shellcheck disable=SC2206 # the hint's flags are words
    [ -z "$hint" ] || flags=(${hint#  npm run "$op" -- dev})
  done
  return 1
}

converged_state() { # converged_state <deploy|destroy> <log prefix>
  local stack status
  if [ "$1" = deploy ]; then
    for stack in dev-platform dev-apps; do
      set +e
      "$E2E_TF_BIN" -chdir="cdktf.out/stacks/$stack" plan -input=false -no-color -detailed-exitcode >"$2.replan-$stack.log" 2>&1
      status=$?
      set -e
      [ "$status" = 0 ] || { log "   $stack re-plan exit $status (see $2.replan-$stack.log)"; tail -n 20 "$2.replan-$stack.log"; return 1; }
    done
    node_ts "$here/assert-cluster.ts" deployed cdktf.out >"$2.assert.log" 2>&1 || { tail -n 5 "$2.assert.log"; return 1; }
    node_ts "$here/fault-objects.ts" deployed cdktf.out
  else
    node_ts "$here/assert-cluster.ts" destroyed cdktf.out >"$2.assert.log" 2>&1 || { tail -n 5 "$2.assert.log"; return 1; }
    node_ts "$here/fault-objects.ts" destroyed cdktf.out
  fi
}

# Calibration: one clean deploy and destroy measure how long each takes (the window for faults)
# and prove the commands work before anything is interrupted.
declare -A duration
for op in deploy destroy; do
  t0=$SECONDS
  run_command "$op" ".e2e/faults/calibrate-$op.log"
  duration[$op]=$((SECONDS - t0))
  [ "$command_rc" = 0 ] || { tail -n 30 ".e2e/faults/calibrate-$op.log"; log "FAIL: uninterrupted $op (exit $command_rc)"; exit 1; }
  converged_state "$op" ".e2e/faults/calibrate-$op" || { log "FAIL: uninterrupted $op did not converge"; exit 1; }
  log "uninterrupted $op: ${duration[$op]}s"
done

interrupted=0 converged=0 attempts=0 op=deploy
while [ "$interrupted" -lt "$runs" ] && [ "$attempts" -lt $((runs * 3)) ]; do
  attempts=$((attempts + 1))
  fault=${FAULTS[RANDOM % ${#FAULTS[@]}]}
  # A moment within the first 90% of the command's measured duration, in tenths of a second.
  window=$((duration[$op] * 9))
  delay=$((10 + RANDOM % (window > 10 ? window - 10 : 1)))
  down=$((1 + RANDOM % 4))
  prefix=.e2e/faults/run$attempts-$op-$fault
  start_command "$op" "$prefix.log"
  sleep "$((delay / 10)).$((delay % 10))"
  landed=0
  case "$fault" in
    sigint)
      if kill -0 "$command_pid" 2>/dev/null; then kill -INT -- "-$command_pid" 2>/dev/null && landed=1; fi
      ;;
    sigkill-cli)
      # The next apply/destroy to run (the moment is when one is running at or after the delay).
      while kill -0 "$command_pid" 2>/dev/null; do
        cli=$(running_cli "$command_pid")
        if [ -n "$cli" ]; then kill -KILL "$cli" 2>/dev/null && landed=1; break; fi
        sleep 0.1
      done
      ;;
    apiserver)
      if kill -0 "$command_pid" 2>/dev/null; then landed=1; restart_apiserver "$down"; fi
      ;;
  esac
  wait_command
  first_rc=$command_rc
  what="run $attempts: $op, $fault at $((delay / 10)).$((delay % 10))s"
  [ "$fault" != apiserver ] || what+=" (down ${down}s)"
  if [ "$landed" = 0 ]; then
    log "$what: landed after the command finished (exit $first_rc); not counted"
    [ "$first_rc" = 0 ] || { log "FAIL: an uninterrupted $op failed"; tail -n 30 "$prefix.log"; exit 1; }
  else
    interrupted=$((interrupted + 1))
    outcome=$(grep -m1 '^✗' "$prefix.log" | cut -c1-160 || true)
    if [ "$first_rc" = 0 ]; then
      recovered_by="(the interrupted command itself finished)"
      ok=1
    elif recover "$op" "$prefix"; then ok=1; else ok=0; fi
    if [ "$ok" = 1 ] && converged_state "$op" "$prefix"; then
      converged=$((converged + 1))
      log "$what: exit $first_rc ${outcome:+[$outcome] }-> recovered by: $recovered_by -> converged ($interrupted/$runs)"
    else
      log "$what: exit $first_rc ${outcome:+[$outcome] }-> NOT converged after: ${recovered_by:-nothing}; logs $E2E_WORK_DIR/$prefix.*"
      tail -n 30 "$prefix.rerun"*.log 2>/dev/null || true
      # Back to a known state for the next run, or stop.
      run_command "$op" "$prefix.reset.log"
      [ "$command_rc" = 0 ] || { log "cannot return to a known state"; break; }
    fi
  fi
  [ "$op" = deploy ] && op=destroy || op=deploy
done
if [ "$op" = destroy ]; then run_command destroy .e2e/faults/final-destroy.log; fi
log "seed $seed, $("$E2E_TF_BIN" version 2>/dev/null | sed -n 1p)"
echo "interrupted runs: $converged of $interrupted converged"
[ "$interrupted" -gt 0 ] && [ "$converged" = "$interrupted" ]

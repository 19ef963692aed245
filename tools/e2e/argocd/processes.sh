# shellcheck shell=bash
# tools/e2e/argocd/processes.sh - child processes of the Argo CD e2e stage (sourced by stage.sh):
# start in the background with a log file, wait until ready, stop in reverse order.
#
#   proc_spawn <name> <command...>             start; logs to $PROC_LOG_DIR/<name>.log
#   proc_wait <name> <timeout s> <probe...>    poll the probe; fail if <name> exits or time runs out
#   proc_stop_all                              TERM (KILL after 10 s) in reverse order, reap
#   proc_left                                  print the pids still alive (none after proc_stop_all)
#   free_port <var>                            set <var> to a loopback TCP port nothing listens on
#                                              (and that no earlier free_port call returned)

PROC_PIDS=()
PROC_NAMES=()
PROC_LOG_DIR=${PROC_LOG_DIR:-}

proc_spawn() {
  local name=$1
  shift
  "$@" >"$PROC_LOG_DIR/$name.log" 2>&1 </dev/null &
  PROC_PIDS+=("$!")
  PROC_NAMES+=("$name")
}

proc_pid() { # proc_pid <name>
  local i
  for i in "${!PROC_NAMES[@]}"; do
    if [ "${PROC_NAMES[i]}" = "$1" ]; then
      printf '%s' "${PROC_PIDS[i]}"
      return 0
    fi
  done
  return 1
}

proc_wait() {
  local name=$1 timeout=$2 pid deadline
  shift 2
  pid=$(proc_pid "$name")
  deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "e2e: $name exited during start-up; last lines of its log:" >&2
      tail -n 30 "$PROC_LOG_DIR/$name.log" >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "e2e: $name not ready after ${timeout}s; last lines of its log:" >&2
      tail -n 30 "$PROC_LOG_DIR/$name.log" >&2
      return 1
    fi
    sleep 0.3
  done
}

proc_stop_all() {
  local - i pid name deadline
  set +e
  for ((i = ${#PROC_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PROC_PIDS[i]}
    name=${PROC_NAMES[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    deadline=$((SECONDS + 10))
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "e2e: $name (pid $pid) ignored TERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null # reap; 143 after TERM is expected
  done
  return 0
}

proc_left() {
  local pid
  for pid in "${PROC_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then printf '%s ' "$pid"; fi
  done
}

free_port() {
  local port tries=0 var=$1
  while [ "$tries" -lt 1000 ]; do
    tries=$((tries + 1))
    port=$((20000 + RANDOM % 12000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    case " ${FREE_PORTS_TAKEN:-} " in *" $port "*) continue ;; esac
    FREE_PORTS_TAKEN="${FREE_PORTS_TAKEN:-} $port"
    printf -v "$var" '%s' "$port"
    return 0
  done
  echo "e2e: no free port found" >&2
  return 1
}

#!/usr/bin/env bash
# Gate a pipeline on a Veer canary: start the rollout, wait for a final phase, exit 0 only on Succeeded.
#   VEER_ADMIN_URL=http://127.0.0.1:9090 VEER_ADMIN_TOKEN=... docs/examples/gate-rollout.sh shop green blue [PLAN.json]
# PLAN.json (optional): {"steps": [...], "analysis": {...}} in the config file's syntax, for this rollout only;
# without it the service's rollout plan applies.
# Needs bash and curl (7.76+ for --fail-with-body). GATE_TIMEOUT_SECONDS (default 3600), GATE_POLL_SECONDS (15).
# A poll that fails (Veer restarting, a network blink) is retried until the timeout: the rollout goes on meanwhile.
# GATE_APPROVE_IF: a command run whenever the rollout waits at an approval step; exit 0 approves the step,
# anything else aborts the rollout and fails the gate. Unset: the gate waits for someone else to approve.
set -euo pipefail
usage="usage: gate-rollout.sh SERVICE CANARY BASELINE [PLAN.json]"
svc="${1:?$usage}"
canary="${2:?$usage}"
baseline="${3:?$usage}"
plan_file="${4:-}"
admin="${VEER_ADMIN_URL:-http://127.0.0.1:9090}"
auth=()
[ -n "${VEER_ADMIN_TOKEN:-}" ] && auth=(-H "Authorization: Bearer $VEER_ADMIN_TOKEN")

api() { curl -sS --fail-with-body --max-time 10 ${auth[@]+"${auth[@]}"} "$@"; }
phase_of() { grep -o '"phase" *: *"[A-Za-z]*"' | head -n 1 | sed 's/.*"\([A-Za-z]*\)"$/\1/'; }

body="{\"canary\":\"$canary\",\"baseline\":\"$baseline\"}"
if [ -n "$plan_file" ]; then
  # the plan's members join the body: {"canary":...,"baseline":..., "steps":[...], "analysis":{...}}
  plan="$(cat "$plan_file")"
  plan="${plan#*\{}"
  case "$(printf '%s' "$plan" | tr -d ' \n\t\r')" in
    \}*) ;;
    *) body="${body%\}},$plan" ;;
  esac
fi
if ! started="$(api -X POST -H 'Content-Type: application/json' -d "$body" "$admin/api/v1/services/$svc/rollout")"; then
  echo "gate: could not start the rollout of $svc: $started" >&2   # e.g. 409: one is already running
  exit 1
fi

deadline=$(( $(date +%s) + ${GATE_TIMEOUT_SECONDS:-3600} ))
last=""
timed_out() {
  echo "gate: timed out in phase ${phase:-unknown}; aborting the rollout" >&2
  api -X POST "$admin/api/v1/services/$svc/rollout/abort" >/dev/null || true
  exit 1
}
while :; do
  if ! rollout="$(api "$admin/api/v1/services/$svc/rollout" 2>&1)"; then
    # Veer restarting or the network blinking: the rollout goes on (its state survives a restart); keep watching.
    echo "gate: cannot read the rollout ($rollout); trying again" >&2
    [ "$(date +%s)" -ge "$deadline" ] && timed_out
    sleep "${GATE_POLL_SECONDS:-15}"
    continue
  fi
  phase="$(printf '%s' "$rollout" | phase_of)"
  [ "$phase" != "$last" ] && echo "gate: $svc rollout $phase" && last="$phase"
  case "$phase" in
    Succeeded) exit 0 ;;
    RolledBack|Aborted) printf '%s\n' "$rollout" >&2; exit 1 ;;
    AwaitingApproval)
      if [ -n "${GATE_APPROVE_IF:-}" ]; then
        if bash -c "$GATE_APPROVE_IF"; then
          echo "gate: approval check passed; approving"
          # a refusal here means someone else moved the rollout on: the next poll sees where it is
          api -X POST "$admin/api/v1/services/$svc/rollout/approve" >/dev/null || true
          continue
        fi
        echo "gate: approval check failed; aborting the rollout" >&2
        api -X POST "$admin/api/v1/services/$svc/rollout/abort" >/dev/null || true
        exit 1
      fi
      ;;
  esac
  [ "$(date +%s)" -ge "$deadline" ] && timed_out
  sleep "${GATE_POLL_SECONDS:-15}"
done

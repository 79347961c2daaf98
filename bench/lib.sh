# bench/lib.sh: what the bench scripts do the same way. Source it from the repository root.
# shellcheck shell=bash

# start_program LOG READY SECONDS CMD...: run a bench program (moto behind the test harness's
# proxy) in the background as $proxy_pid with -ready READY, wait up to SECONDS for it to write
# its URLs there, and source them (PROXY_URL, CONTROL_URL, …). Its stderr goes to LOG.
start_program() {
	local log=$1 ready=$2 limit=$3 i
	shift 3
	rm -f "$ready"
	"$@" -ready "$ready" 2>"$log" &
	proxy_pid=$!
	for ((i = 0; i < limit * 5; i++)); do
		[[ -s $ready ]] && break
		kill -0 "$proxy_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
		sleep 0.2
	done
	[[ -s $ready ]] || { echo "$(basename "$0"): $(basename "$1") not ready after ${limit}s" >&2; exit 1; }
	# shellcheck disable=SC1090
	source "$ready"
}

# stop_program ends the program start_program started, if it still runs.
stop_program() {
	[[ -n ${proxy_pid:-} ]] || return 0
	kill "$proxy_pid" 2>/dev/null || true
	wait "$proxy_pid" 2>/dev/null || true
	proxy_pid=
}

now_ns() { date +%s%N; }
# calls prints the proxy's API call counts as JSON; total sums them: "N {counts}".
calls() { curl -fsS "$CONTROL_URL/calls"; }
total() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(d.values()), json.dumps(d, sort_keys=True))'; }

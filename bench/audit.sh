#!/usr/bin/env bash
# bench/audit.sh: audit N users three ways against the same moto, in one run.
#
#   keywarden audit --source api      (per-user calls, 8 users at a time)
#   keywarden audit --source report   (the IAM credential report)
#   bench/audit_boto3.py              (what people write today: a boto3 loop)
#
# moto sits behind the test harness's proxy (bench/cmd/motoproxy): IAM's ListUsers paging and a
# fixed latency per request (LATENCY, default 20ms) to model round trips to a real region. Wall
# times come from hyperfine when installed (else a date +%s%N loop), call counts from the proxy.
# Results, with ratios against the boto3 baseline of the same run, go to stdout and bench/out/.
#
#   USERS=1000 LATENCY=20ms RUNS=3 bench/audit.sh
set -euo pipefail

USERS=${USERS:-1000}
LATENCY=${LATENCY:-20ms}
RUNS=${RUNS:-3}

cd "$(dirname "$0")/.."
source bench/lib.sh
out=bench/out
mkdir -p "$out"
rm -f "$out"/calls_*.json "$out"/times_*.txt "$out"/hyperfine.json "$out"/cold_report.txt

go build -o "$out/keywarden" ./cmd/keywarden
go build -o "$out/motoproxy" ./bench/cmd/motoproxy

trap stop_program EXIT
start_program "$out/motoproxy.log" "$out/ready.env" 120 "$out/motoproxy" -users "$USERS" -latency "$LATENCY"
cat "$out/motoproxy.log" >&2

export AWS_ENDPOINT_URL=$PROXY_URL
export AWS_ACCESS_KEY_ID=AKIAADMINADMINADMIN0 AWS_SECRET_ACCESS_KEY=admin-secret
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true

names=(boto3 api report)
declare -A cmds=(
	[boto3]="python3 bench/audit_boto3.py"
	[api]="$out/keywarden audit --source api -o csv"
	[report]="$out/keywarden audit --source report -o csv"
)


# One counted run each. The first report run is cold: moto, like IAM for an account without a
# recent report, answers STARTED and keywarden waits one poll (1s) before reading it. Later
# runs find the report ready, as IAM does for 4 hours; the timed runs below measure those.
cold=1
for n in report "${names[@]}"; do
	curl -fsS -X POST "$CONTROL_URL/reset"
	t0=$(now_ns)
	${cmds[$n]} >"$out/rows_$n.csv" 2>"$out/stderr_$n.txt"
	t1=$(now_ns)
	curl -fsS "$CONTROL_URL/calls" >"$out/calls_$n.json"
	if ((cold)); then
		echo $(((t1 - t0) / 1000000)) >"$out/cold_report.txt"
		cp "$out/calls_report.json" "$out/calls_report_cold.json"
		cold=0
	fi
done
for n in "${names[@]}"; do
	rows=$(($(wc -l <"$out/rows_$n.csv") - 1))
	[[ $rows -ge $USERS ]] || { echo "audit.sh: $n printed $rows rows for $USERS users" >&2; cat "$out/stderr_$n.txt" >&2; exit 1; }
done

if command -v hyperfine >/dev/null; then
	args=()
	for n in "${names[@]}"; do args+=(-n "$n" "${cmds[$n]}"); done
	hyperfine --runs "$RUNS" --output=null --export-json "$out/hyperfine.json" "${args[@]}" >&2
else
	for n in "${names[@]}"; do
		: >"$out/times_$n.txt"
		for _ in $(seq "$RUNS"); do
			t0=$(now_ns)
			${cmds[$n]} >/dev/null 2>&1
			t1=$(now_ns)
			echo "$(((t1 - t0) / 1000000))" >>"$out/times_$n.txt"
		done
	done
fi

USERS=$USERS LATENCY=$LATENCY RUNS=$RUNS python3 - "$out" <<'EOF' | tee "$out/summary.md"
import json, os, statistics, sys
out = sys.argv[1]
names = ["boto3", "api", "report"]
label = {"boto3": "boto3 loop (baseline)", "api": "keywarden audit --source api",
         "report": "keywarden audit --source report"}
times = {}
hf = os.path.join(out, "hyperfine.json")
if os.path.exists(hf):
    for r in json.load(open(hf))["results"]:
        times[r["command"]] = (r["mean"] * 1000, (r["stddev"] or 0) * 1000)
else:
    for n in names:
        xs = [float(x) for x in open(os.path.join(out, f"times_{n}.txt"))]
        times[n] = (statistics.mean(xs), statistics.stdev(xs) if len(xs) > 1 else 0)
calls = {n: json.load(open(os.path.join(out, f"calls_{n}.json"))) for n in names}
total = {n: sum(calls[n].values()) for n in names}
base_t, base_c = times["boto3"][0], total["boto3"]
print(f"# audit of {os.environ['USERS']} users, {os.environ['LATENCY']} per request, mean of {os.environ['RUNS']} runs\n")
print("| how | wall time | vs boto3 | API calls | vs boto3 |")
print("|---|---|---|---|---|")
for n in names:
    m, s = times[n]
    print(f"| {label[n]} | {m/1000:.2f} s ± {s/1000:.2f} | {m/base_t:.3f}× | {total[n]} | {total[n]/base_c:.4f}× |")
cold = int(open(os.path.join(out, "cold_report.txt")).read())
cc = sum(json.load(open(os.path.join(out, "calls_report_cold.json"))).values())
print(f"\nfirst report run (report not yet generated, one 1 s poll): {cold/1000:.2f} s, {cc} calls")
print("\ncalls by action:")
for n in names:
    print(f"- {n}: " + ", ".join(f"{k} {v}" for k, v in sorted(calls[n].items())))
EOF

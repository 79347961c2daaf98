#!/usr/bin/env bash
# bench/org_audit.sh: audit an AWS Organization of N member accounts, for each N in ACCOUNTS,
# three ways against the same moto, in one run:
#
#   bench/org_audit_boto3.py             (what people write today: assume the role and walk
#                                          each account in turn with boto3)
#   keywarden audit --org                (the default, --source auto: a one-call probe per
#                                          account decides api or the credential report)
#   keywarden audit --org --source api   (per-user calls, no probe)
#
# bench/cmd/orgproxy seeds the organization (USERS users with one key in every account, the
# management one too) and puts the test harness's proxy in front: IAM's ListUsers paging and a
# fixed latency per request (LATENCY, default 20ms) to model round trips to a real region.
# Wall time and peak RSS come from /usr/bin/time -v (the median of RUNS runs), API calls from
# the proxy, moto's CPU (its user+system time over the run's wall time: 100% is one core, the
# most one Python process gets) from /proc, and keywarden's accounts in flight (peak and the
# window at the end) from the `accounts fan-out` line of --debug. BASELINE=path/to/keywarden
# adds a row for that binary's audit --org (an older build, e.g. one with a fixed 8 accounts at
# once). The table goes to stdout and bench/out/org_summary.md.
#
#   ACCOUNTS="100 1000" USERS=3 LATENCY=20ms RUNS=1 BASELINE=/tmp/kw-old bench/org_audit.sh
set -euo pipefail

ACCOUNTS=${ACCOUNTS:-100 1000}
USERS=${USERS:-3}
LATENCY=${LATENCY:-20ms}
RUNS=${RUNS:-1}

cd "$(dirname "$0")/.."
source bench/lib.sh
out=bench/out/org
mkdir -p "$out"
rm -f "$out"/*.time "$out"/*.calls.json "$out"/*.motocpu

go build -o "$out/keywarden" ./cmd/keywarden
go build -o "$out/orgproxy" ./bench/cmd/orgproxy

names=(boto3 auto api)
declare -A cmds=(
	[boto3]="python3 bench/org_audit_boto3.py"
	[auto]="$out/keywarden audit --org -o csv --debug"
	[api]="$out/keywarden audit --org --source api -o csv --debug"
)
if [[ -n ${BASELINE:-} ]]; then
	names+=(baseline)
	cmds[baseline]="$BASELINE audit --org -o csv"
fi

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

export AWS_ACCESS_KEY_ID=AKIAADMINADMINADMIN0 AWS_SECRET_ACCESS_KEY=admin-secret
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true

trap stop_program EXIT

for n in $ACCOUNTS; do
	start_program "$out/orgproxy_$n.log" "$out/ready.env" 600 "$out/orgproxy" -accounts "$n" -users "$USERS" -latency "$LATENCY"
	cat "$out/orgproxy_$n.log" >&2
	export AWS_ENDPOINT_URL=$PROXY_URL
	moto=$(pgrep -P "$proxy_pid" | head -1)
	want=$(((n + 1) * USERS))
	for name in "${names[@]}"; do
		for r in $(seq "$RUNS"); do
			curl -fsS -X POST "$CONTROL_URL/reset"
			t0=$(cpu_ticks "$moto")
			/usr/bin/time -v -o "$out/${name}_${n}_$r.time" ${cmds[$name]} >"$out/rows_${name}_$n.csv" 2>"$out/stderr_${name}_$n.txt"
			echo $(($(cpu_ticks "$moto") - t0)) "$(getconf CLK_TCK)" >"$out/${name}_${n}_$r.motocpu"
			curl -fsS "$CONTROL_URL/calls" >"$out/${name}_$n.calls.json"
		done
		rows=$(($(wc -l <"$out/rows_${name}_$n.csv") - 1))
		[[ $rows -eq $want ]] || { echo "org_audit.sh: $name printed $rows rows, want $want" >&2; cat "$out/stderr_${name}_$n.txt" >&2; exit 1; }
		echo "org_audit.sh: $n accounts, $name done" >&2
	done
	stop_program
done

NAMES="${names[*]}" ACCOUNTS=$ACCOUNTS USERS=$USERS LATENCY=$LATENCY RUNS=$RUNS python3 - "$out" <<'EOF' | tee "$out/org_summary.md"
import glob, json, os, re, statistics, sys
out = sys.argv[1]
names = os.environ["NAMES"].split()
label = {"boto3": "boto3, account by account (baseline)", "auto": "keywarden audit --org",
         "api": "keywarden audit --org --source api", "baseline": "BASELINE audit --org"}

def parse(path):
    t = open(path).read()
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
    h, m, s = wall.groups()
    secs = int(h or 0) * 3600 + int(m) * 60 + float(s)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    return secs, rss

ns = [int(n) for n in os.environ["ACCOUNTS"].split()]
print(f"# audit --org: member accounts × {os.environ['USERS']} users (+ the management account), "
      f"{os.environ['LATENCY']} per request, median of {os.environ['RUNS']} run(s)\n")
def motocpu(n, name):
    ticks, hz = open(os.path.join(out, f"{name}_{n}_1.motocpu")).read().split()
    return int(ticks) / int(hz)

def inflight(n, name):
    m = re.search(r'msg="accounts fan-out".*"peak in flight"=(\d+) window=(\d+) throttles=(\d+)',
                  open(os.path.join(out, f"stderr_{name}_{n}.txt")).read())
    return f"{m.group(1)} (window {m.group(2)}, {m.group(3)} throttles)" if m else "–"

print("| accounts | how | wall time | vs boto3 | API calls | calls per account | peak RSS | moto CPU | accounts in flight, peak |")
print("|---|---|---|---|---|---|---|---|---|")
base = {}
for n in ns:
    for name in names:
        runs = [parse(p) for p in sorted(glob.glob(os.path.join(out, f"{name}_{n}_*.time")))]
        wall = statistics.median(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        calls = sum(json.load(open(os.path.join(out, f"{name}_{n}.calls.json"))).values())
        if name == "boto3":
            base[n] = wall
        cpu = motocpu(n, name)
        print(f"| {n} | {label[name]} | {wall:.2f} s | {wall/base[n]:.3f}× | {calls} | {calls/(n+1):.1f} | {rss/1024:.0f} MB "
              f"| {cpu:.1f} s ({100*cpu/wall:.0f}%) | {inflight(n, name)} |")
print("\ncalls by action:")
for n in ns:
    for name in names:
        c = json.load(open(os.path.join(out, f"{name}_{n}.calls.json")))
        print(f"- {n} {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
EOF

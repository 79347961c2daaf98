#!/usr/bin/env bash
# bench/startup.sh: process start-up cost of keywarden against what people run today, in one run.
#
#   keywarden version                      the static Go binary, no AWS call
#   python3 -c 'import boto3; client'      what a boto3 script or Lambda handler pays before work
#   aws --version                          the AWS CLI (v1 here) the seeds use
#   bench/cmd/sdkfloor                     the AWS SDK's config and its IAM and STS clients
#                                          linked, doing nothing: the floor of any Go program
#                                          built on the SDK this way
#
# Wall time from hyperfine (mean of RUNS), peak RSS from /usr/bin/time -v (median of 5), and
# keywarden's package initialisation from GODEBUG=inittrace=1 (clock and bytes summed over
# every package, median of 5 runs). Ratios are against the boto3 baseline measured in the same
# run. BASELINE=path/to/another/keywarden adds a row for that binary (an older build).
#
#   RUNS=20 bench/startup.sh
set -euo pipefail
RUNS=${RUNS:-20}
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
command -v hyperfine >/dev/null || { echo "startup.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

# lambda.norpc drops aws-lambda-go's go1.x RPC (net/rpc, gob, html/template), as releases do.
CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags '-s -w' -o "$out/keywarden" ./cmd/keywarden
kw="$out/keywarden"
CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$out/sdkfloor" ./bench/cmd/sdkfloor
boto='python3 -c "import boto3; boto3.client(\"iam\", region_name=\"us-east-1\")"'

base=()
[[ -n ${BASELINE:-} ]] && base=(-n baseline "$BASELINE version")
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$out/startup.json" \
	-n keywarden "$kw version" "${base[@]}" -n sdkfloor "$out/sdkfloor" \
	-n boto3 "$boto" \
	-n aws-cli "aws --version" >/dev/null 2>&1 || hyperfine --warmup 3 --runs "$RUNS" --export-json "$out/startup.json" \
	-n keywarden "$kw version" "${base[@]}" -n sdkfloor "$out/sdkfloor" -n boto3 "$boto" -n aws-cli "aws --version" >/dev/null

rss() { # median peak RSS in MiB of 5 runs of "$@"
	for _ in 1 2 3 4 5; do /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; done | sort -n | sed -n 3p | awk '{printf "%.1f", $1/1024}'
}
rss_kw=$(rss "$kw" version)
rss_boto=$(rss python3 -c 'import boto3; boto3.client("iam", region_name="us-east-1")')
rss_cli=$(rss aws --version)
rss_floor=$(rss "$out/sdkfloor")
rss_base=0
[[ -n ${BASELINE:-} ]] && rss_base=$(rss "$BASELINE" version)

inittrace() { # median over 5 runs of "ms bytes" summed over every package's init
	for _ in 1 2 3 4 5; do
		GODEBUG=inittrace=1 "$1" version 2>&1 >/dev/null | awk 'NF==11 && $9=="bytes," {ms+=$5; b+=$8} END {printf "%.1f %d\n", ms, b}'
	done | sort -n | sed -n 3p
}
init_kw=$(inittrace "$kw")
init_base="0 0"
[[ -n ${BASELINE:-} ]] && init_base=$(inittrace "$BASELINE")

python3 - "$out/startup.json" "$rss_kw" "$rss_boto" "$rss_cli" "$rss_base" "$rss_floor" "$(stat -c %s "$kw")" "$init_kw" "$init_base" "${BASELINE:-}" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rss = dict(zip(["keywarden", "boto3", "aws-cli", "baseline", "sdkfloor"], map(float, sys.argv[2:7])))
del sys.argv[6]
base = res["boto3"]["mean"]
names = ["keywarden"] + (["baseline"] if "baseline" in res else []) + ["sdkfloor", "boto3", "aws-cli"]
print(f"{'command':<12}{'mean ms':>10}{'± ms':>8}{'vs boto3':>10}{'peak RSS MiB':>14}{'vs boto3':>10}")
for name in names:
    r = res[name]
    print(f"{name:<12}{r['mean']*1e3:>10.1f}{r['stddev']*1e3:>8.1f}{r['mean']/base:>9.3f}x{rss[name]:>14.1f}{rss[name]/rss['boto3']:>9.2f}x")
print(f"keywarden binary: {int(sys.argv[6])/1e6:.1f} MB (static, stripped)")
print(f"keywarden / sdkfloor (the SDK's own start-up): {res['keywarden']['mean']/res['sdkfloor']['mean']:.2f}x wall")
for label, v in (("keywarden", sys.argv[7]), ("baseline", sys.argv[8])):
    if label == "baseline" and not sys.argv[9]:
        continue
    ms, b = v.split()
    print(f"{label} package init (GODEBUG=inittrace=1, summed, median of 5): {float(ms):.1f} ms clock, {int(b)/1e6:.1f} MB allocated")
PY

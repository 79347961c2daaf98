#!/usr/bin/env bash
# bench/rotate_propagation.sh: keywarden rotate --profile through IAM's propagation window.
#
# The harness's proxy (bench/cmd/rotatebench) refuses every new key for WINDOW after
# CreateAccessKey, then half of its calls, at random, for FLAP (IAM's replicas disagreeing):
# the shape of real IAM, stretched. What is measured is the time keywarden spends past the end
# of that window (wall time minus WINDOW+FLAP), the runs that failed, and the calls refused.
#
#   RUNS=5 WINDOW=4s FLAP=4s LATENCY=20ms bench/rotate_propagation.sh
#   KW=/path/to/other/keywarden bench/rotate_propagation.sh     # another build, same harness
set -euo pipefail

RUNS=${RUNS:-5}
WINDOW=${WINDOW:-4s}
FLAP=${FLAP:-4s}
LATENCY=${LATENCY:-20ms}

cd "$(dirname "$0")/.."
source bench/lib.sh
out=bench/out
mkdir -p "$out"
work=$(mktemp -d)

kw=${KW:-$out/keywarden}
[ -n "${KW:-}" ] || go build -tags lambda.norpc -o "$kw" ./cmd/keywarden
go build -o "$out/rotatebench" ./bench/cmd/rotatebench

trap 'stop_program; rm -rf "$work"' EXIT
start_program "$out/rotatebench.log" "$out/propagation-ready.env" 60 "$out/rotatebench" -latency "$LATENCY" -window "$WINDOW" -flap "$FLAP"

export AWS_ENDPOINT_URL=$PROXY_URL AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

secs() { local d=$1; case $d in *ms) echo "${d%ms} / 1000" | bc -l ;; *s) echo "${d%s}" ;; esac; }
span_ms=$(echo "($(secs "$WINDOW") + $(secs "$FLAP")) * 1000" | bc -l | cut -d. -f1)
past=() failed=0
for i in $(seq "$RUNS"); do
	read -r id secret < <(curl -fsS -X POST "$CONTROL_URL/user?name=prop-$i")
	printf '[dev]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$id" "$secret" >"$work/credentials"
	chmod 600 "$work/credentials"
	curl -fsS -X POST "$CONTROL_URL/reset"
	t0=$(now_ns)
	if ! AWS_SHARED_CREDENTIALS_FILE=$work/credentials "$kw" rotate --profile dev 2>"$work/kw-$i.log" >/dev/null; then
		failed=$((failed + 1))
		tail -3 "$work/kw-$i.log" >&2
	fi
	past+=($(( ($(now_ns) - t0) / 1000000 - span_ms )))
	calls | total >"$work/calls-$i"
	cp "$work/kw-$i.log" "$out/rotate_propagation-$i.log"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
{
	echo "rotate through propagation: $RUNS runs, window $WINDOW then flapping $FLAP, latency $LATENCY ($(date -u +%FT%TZ))"
	echo "time past the window   median $(median "${past[@]}") ms   runs ${past[*]} ms"
	echo "failed runs            $failed of $RUNS"
	echo "API calls (last run)   $(cat "$work/calls-$RUNS")"
} | tee "$out/rotate_propagation.txt"

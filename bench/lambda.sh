#!/usr/bin/env bash
# bench/lambda.sh: the Lambda function two ways on this machine, in one run.
#
#   keywarden (seed mode)   the static binary as bootstrap, TARGET_ACCESS_KEY_USER_NAME/_ID set
#   the seed's handler      bench/seed_handler.py under bench/seed_runtime.py (the Runtime API
#                           loop the managed Python runtime runs: import at init, then serve)
#
# Both deactivate the same key in the same moto_server. Each cold start reactivates the key
# first (outside the timing), so every cold invocation really deactivates it; the warm
# invocations then find it inactive (keywarden: checked, "unchanged"; boto3: UpdateAccessKey
# again). bench/cmd/lambdabench plays the Runtime API and measures cold start (process start to
# first response), warm invocations and peak RSS (getrusage, as /usr/bin/time -v). Ratios are
# against the Python baseline measured in the same run. Also: the function package size.
#
#   RUNS=10 WARM=5 bench/lambda.sh
set -euo pipefail
RUNS=${RUNS:-10}
WARM=${WARM:-5}
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"

# lambda.norpc: provided.al2023 speaks only the Runtime API; the go1.x RPC is dead weight.
CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w' -buildvcs=false -o "$out/bootstrap" ./cmd/keywarden
CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -trimpath -ldflags='-s -w' -buildvcs=false -o "$out/bootstrap-arm64" ./cmd/keywarden
go build -o "$out/lambdabench" ./bench/cmd/lambdabench

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$port" >"$out/moto-lambda.log" 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null; wait "$moto" 2>/dev/null || true' EXIT
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=AKIAADMINADMINADMIN0 AWS_SECRET_ACCESS_KEY=admin-secret
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
# Lambda sets no AWS_CA_BUNDLE; a machine that does (some CI images and sandboxes) makes the Go
# SDK parse the whole bundle while loading its config (about 10 ms of every cold start here).
unset AWS_CA_BUNDLE
for _ in $(seq 100); do curl -fs "$AWS_ENDPOINT_URL/moto-api/" >/dev/null 2>&1 && break; sleep 0.1; done

aws iam create-user --user-name access-key-user >/dev/null
key=$(aws iam create-access-key --user-name access-key-user --query AccessKey.AccessKeyId --output text)
export TARGET_ACCESS_KEY_USER_NAME=access-key-user TARGET_ACCESS_KEY_ID=$key
reactivate="aws iam update-access-key --user-name access-key-user --access-key-id $key --status Active"
event='{"version":"0","detail-type":"Scheduled Event","source":"aws.events","detail":{}}'

"$out/lambdabench" -runs "$RUNS" -warm "$WARM" -event "$event" -before "$reactivate" -- "$out/bootstrap" >"$out/lambda-keywarden.json"
"$out/lambdabench" -runs "$RUNS" -warm "$WARM" -event "$event" -before "$reactivate" -- python3 bench/seed_runtime.py >"$out/lambda-seed.json"
# BASELINE=path/to/an/older/bootstrap: the same cold starts for that build, in the same run.
[[ -z ${BASELINE:-} ]] || "$out/lambdabench" -runs "$RUNS" -warm "$WARM" -event "$event" -before "$reactivate" -- "$BASELINE" >"$out/lambda-baseline.json"
[[ $(aws iam list-access-keys --user-name access-key-user --query 'AccessKeyMetadata[0].Status' --output text) == Inactive ]] ||
	{ echo "lambda.sh: the key is not inactive after the runs" >&2; exit 1; }
# The same cold starts with the key left inactive: start-up plus the one read that finds
# nothing to change, where a deactivation adds the record protocol's five calls (four round trips
# after the re-read: the user's tags are read beside it).
"$out/lambdabench" -runs "$RUNS" -warm "$WARM" -event "$event" -- "$out/bootstrap" >"$out/lambda-keywarden-noop.json"

pkg_amd64=$("$out/lambdabench" -zip "$out/bootstrap")
pkg_arm64=$("$out/lambdabench" -zip "$out/bootstrap-arm64")
seed_zip=$(cd bench && python3 -c 'import io,zipfile;b=io.BytesIO();z=zipfile.ZipFile(b,"w",zipfile.ZIP_DEFLATED);z.write("seed_handler.py","handler.py");z.close();print(len(b.getvalue()))')
boto_mb=$(python3 -c 'import os,boto3,botocore,s3transfer,jmespath
def du(p): return sum(os.path.getsize(os.path.join(d,f)) for d,_,fs in os.walk(p) for f in fs)
print(sum(du(os.path.dirname(m.__file__)) for m in (boto3,botocore,s3transfer,jmespath)))')

# Package initialisation, paid before the first Runtime API request (the same packages init
# whatever the command): summed over packages, median of 5 runs.
init_kw=$(for _ in 1 2 3 4 5; do
	GODEBUG=inittrace=1 "$out/bootstrap" version 2>&1 >/dev/null | awk 'NF==11 && $9=="bytes," {ms+=$5; b+=$8} END {printf "%.1f ms clock, %.1f MB allocated\n", ms, b/1e6}'
done | sort -n | sed -n 3p)
echo "keywarden package init (GODEBUG=inittrace=1, summed): $init_kw"

python3 - "$out/lambda-keywarden.json" "$out/lambda-seed.json" "$out/lambda-keywarden-noop.json" "$pkg_amd64" "$pkg_arm64" "$seed_zip" "$boto_mb" "$RUNS" "$WARM" "${BASELINE:+$out/lambda-baseline.json}" "${BASELINE:-}" <<'PY'
import json, sys
kw, seed, noop = (json.load(open(f)) for f in sys.argv[1:4])
del sys.argv[3]
pkg_amd64, pkg_arm64, seed_zip, boto = map(int, sys.argv[3:7])
for name, r in (("keywarden", kw), ("seed", seed)):
    bad = [rep for run in r["runs"] for rep in run["replies"] if not rep.startswith("response")]
    if bad:
        sys.exit(f"lambda.sh: {name} answered with errors: {bad[:2]}")
print(f"runs={sys.argv[7]} cold starts, {sys.argv[8]} warm invocations each; medians; ratio = keywarden / seed")
print(f"{'':<26}{'keywarden':>12}{'seed (boto3)':>14}{'ratio':>9}")
def row(label, a, b, unit):
    print(f"{label:<26}{a:>10.1f}{unit:>2}{b:>12.1f}{unit:>2}{a/b:>8.3f}x")
row("cold start (ms)", kw["cold_ms_median"], seed["cold_ms_median"], "")
row("warm invocation (ms)", kw["warm_ms_median"], seed["warm_ms_median"], "")
row("peak RSS (MiB)", kw["max_rss_kb_median"]/1024, seed["max_rss_kb_median"]/1024, "")
print(f"keywarden cold start with nothing to change (1 call, no record to write): {noop['cold_ms_median']:.1f} ms")
if len(sys.argv) > 9 and sys.argv[9]:
    b = json.load(open(sys.argv[9]))
    print(f"baseline ({sys.argv[10]}): cold start {b['cold_ms_median']:.1f} ms, peak RSS {b['max_rss_kb_median']/1024:.1f} MiB;"
          f" keywarden / baseline: cold {kw['cold_ms_median']/b['cold_ms_median']:.3f}x, RSS {kw['max_rss_kb_median']/b['max_rss_kb_median']:.3f}x")
print(f"package: keywarden zip {pkg_arm64/1e6:.1f} MB arm64, {pkg_amd64/1e6:.1f} MB amd64 (everything it needs);")
print(f"         seed handler.py zip {seed_zip} B, plus boto3+botocore+s3transfer+jmespath {boto/1e6:.1f} MB in the managed runtime")
PY

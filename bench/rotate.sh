#!/usr/bin/env bash
# bench/rotate.sh: one key rotation two ways against the same moto, in one run.
#
#   keywarden rotate --profile dev     identify, create, store, verify (3 consecutive STS
#                                      successes, 0.5s apart), retire with the new key, prove
#                                      the old key dead
#   the seed's AWS CLI sequence        create-access-key; sts get-caller-identity and s3 ls with
#                                      the new key; delete-access-key with the new key;
#                                      get-caller-identity with the old key, expecting failure
#
# moto checks signatures and policies (a deleted key is really refused) and sits behind the
# test harness's proxy (bench/cmd/rotatebench) adding LATENCY (default 20ms) per request. Each
# repetition rotates a fresh user's single key. Wall times and call counts go to stdout and
# bench/out/rotate.txt. keywarden does more than the CLI sequence (it waits for consecutive
# successes and writes the file durably), so both numbers are reported as they are.
#
#   RUNS=5 LATENCY=20ms bench/rotate.sh
set -euo pipefail

RUNS=${RUNS:-5}
LATENCY=${LATENCY:-20ms}

cd "$(dirname "$0")/.."
source bench/lib.sh
out=bench/out
mkdir -p "$out"
work=$(mktemp -d)

go build -o "$out/keywarden" ./cmd/keywarden
go build -o "$out/rotatebench" ./bench/cmd/rotatebench

trap 'stop_program; rm -rf "$work"' EXIT
start_program "$out/rotatebench.log" "$out/rotate-ready.env" 60 "$out/rotatebench" -latency "$LATENCY"

export AWS_ENDPOINT_URL=$PROXY_URL AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN


kw_ms=() cli_ms=()
for i in $(seq "$RUNS"); do
	# keywarden
	read -r id secret < <(curl -fsS -X POST "$CONTROL_URL/user?name=kw-$i")
	printf '[dev]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$id" "$secret" >"$work/credentials"
	chmod 600 "$work/credentials"
	curl -fsS -X POST "$CONTROL_URL/reset"
	t0=$(now_ns)
	AWS_SHARED_CREDENTIALS_FILE=$work/credentials "$out/keywarden" rotate --profile dev 2>"$work/kw.log" >/dev/null ||
		{ cat "$work/kw.log" >&2; exit 1; }
	kw_ms+=($(( ($(now_ns) - t0) / 1000000 )))
	kw_calls=$(calls | total)

	# the seed, by hand
	read -r id secret < <(curl -fsS -X POST "$CONTROL_URL/user?name=cli-$i")
	curl -fsS -X POST "$CONTROL_URL/reset"
	t0=$(now_ns)
	read -r nid nsecret < <(AWS_ACCESS_KEY_ID=$id AWS_SECRET_ACCESS_KEY=$secret \
		aws iam create-access-key --user-name "cli-$i" --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
	AWS_ACCESS_KEY_ID=$nid AWS_SECRET_ACCESS_KEY=$nsecret aws sts get-caller-identity >/dev/null
	AWS_ACCESS_KEY_ID=$nid AWS_SECRET_ACCESS_KEY=$nsecret aws s3 ls >/dev/null
	AWS_ACCESS_KEY_ID=$nid AWS_SECRET_ACCESS_KEY=$nsecret aws iam delete-access-key --access-key-id "$id" --user-name "cli-$i"
	if AWS_ACCESS_KEY_ID=$id AWS_SECRET_ACCESS_KEY=$secret aws sts get-caller-identity >/dev/null 2>&1; then
		echo "rotate.sh: the old key still works after the CLI sequence" >&2; exit 1
	fi
	cli_ms+=($(( ($(now_ns) - t0) / 1000000 )))
	cli_calls=$(calls | total)
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
kw=$(median "${kw_ms[@]}") cli=$(median "${cli_ms[@]}")
{
	echo "rotate: $RUNS runs, latency $LATENCY per request, moto with auth on ($(date -u +%FT%TZ))"
	echo "keywarden rotate   median ${kw} ms   runs ${kw_ms[*]} ms"
	echo "                   API calls: $kw_calls"
	echo "AWS CLI (seed)     median ${cli} ms   runs ${cli_ms[*]} ms"
	echo "                   API calls: $cli_calls"
	awk -v k="$kw" -v c="$cli" 'BEGIN { printf "ratio keywarden / AWS CLI: %.2f\n", k / c }'
	echo "keywarden's time includes 2 x 0.5s between its 3 consecutive STS checks of the new key"
} | tee "$out/rotate.txt"

#!/usr/bin/env bash
# bench/rotate_service.sh: one service-key rotation into Secrets Manager two ways, same moto, one run.
#
#   keywarden rotate --user U --to secretsmanager:ci/U --grace 0
#        check the secret, record the rotation on the user, create, stage AWSPENDING, 3
#        consecutive STS successes with the new key (0.5s apart), move AWSCURRENT, deactivate
#        the old key with provenance, remove the record
#   the AWS CLI sequence a person types, signed as the same admin
#        iam create-access-key; secretsmanager put-secret-value; sts get-caller-identity with the
#        new key; iam update-access-key --status Inactive on the old key
#
# moto has auth on and sits behind the test harness's proxy (bench/cmd/rotatebench) adding
# LATENCY per request. Each repetition rotates a fresh user whose secret already holds its key.
#
#   RUNS=5 LATENCY=20ms bench/rotate_service.sh
set -euo pipefail

RUNS=${RUNS:-5}
LATENCY=${LATENCY:-20ms}

cd "$(dirname "$0")/.."
source bench/lib.sh
out=bench/out
mkdir -p "$out"

go build -o "$out/keywarden" ./cmd/keywarden
go build -o "$out/rotatebench" ./bench/cmd/rotatebench

trap stop_program EXIT
start_program "$out/rotsvc-bench.log" "$out/rotsvc-ready.env" 60 "$out/rotatebench" -latency "$LATENCY"

export AWS_ENDPOINT_URL=$PROXY_URL AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
unset AWS_PROFILE AWS_SESSION_TOKEN
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY < <(curl -fsS "$CONTROL_URL/admin")
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

user_with_secret() { # NAME: a user, its key, and the secret ci/NAME holding that key
	read -r id secret < <(curl -fsS -X POST "$CONTROL_URL/user?name=$1")
	aws secretsmanager create-secret --name "ci/$1" \
		--secret-string "{\"Version\":1,\"AccessKeyId\":\"$id\",\"SecretAccessKey\":\"$secret\"}" >/dev/null
}

kw_ms=() cli_ms=()
for i in $(seq "$RUNS"); do
	user_with_secret "kw-$i"
	curl -fsS -X POST "$CONTROL_URL/reset"
	t0=$(now_ns)
	"$out/keywarden" rotate --user "kw-$i" --to "secretsmanager:ci/kw-$i" --grace 0 2>"$out/rotsvc-kw.log" >/dev/null ||
		{ cat "$out/rotsvc-kw.log" >&2; exit 1; }
	kw_ms+=($(( ($(now_ns) - t0) / 1000000 )))
	kw_calls=$(calls | total)

	user_with_secret "cli-$i"
	old=$(aws iam list-access-keys --user-name "cli-$i" --query 'AccessKeyMetadata[0].AccessKeyId' --output text)
	curl -fsS -X POST "$CONTROL_URL/reset"
	t0=$(now_ns)
	read -r nid nsecret < <(aws iam create-access-key --user-name "cli-$i" --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
	aws secretsmanager put-secret-value --secret-id "ci/cli-$i" \
		--secret-string "{\"Version\":1,\"AccessKeyId\":\"$nid\",\"SecretAccessKey\":\"$nsecret\"}" >/dev/null
	AWS_ACCESS_KEY_ID=$nid AWS_SECRET_ACCESS_KEY=$nsecret aws sts get-caller-identity >/dev/null
	aws iam update-access-key --user-name "cli-$i" --access-key-id "$old" --status Inactive
	cli_ms+=($(( ($(now_ns) - t0) / 1000000 )))
	cli_calls=$(calls | total)
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
kw=$(median "${kw_ms[@]}") cli=$(median "${cli_ms[@]}")
{
	echo "service rotation into Secrets Manager: $RUNS runs, latency $LATENCY per request, moto with auth on ($(date -u +%FT%TZ))"
	echo "keywarden rotate --user   median ${kw} ms   runs ${kw_ms[*]} ms"
	echo "                          API calls: $kw_calls"
	echo "AWS CLI sequence          median ${cli} ms   runs ${cli_ms[*]} ms"
	echo "                          API calls: $cli_calls"
	awk -v k="$kw" -v c="$cli" 'BEGIN { printf "ratio keywarden / AWS CLI: %.2f\n", k / c }'
	echo "keywarden's time includes 2 x 0.5s between its 3 consecutive STS checks of the new key"
} | tee "$out/rotate_service.txt"

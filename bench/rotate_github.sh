#!/usr/bin/env bash
# bench/rotate_github.sh: one service-key rotation into GitHub Actions secrets and Secrets Manager
# two ways, same moto, same GitHub stand-in, one run.
#
#   keywarden rotate --user U --to github:acme/deploy --to secretsmanager:ci/U --grace 0
#        check both destinations (GitHub's public key, the secret's owner tag), record the
#        rotation on the user, create, stage AWSPENDING, 3 consecutive STS successes with the new
#        key (0.5s apart), deliver (GitHub: public key, then each secret sealed, PUT and read back;
#        AWSCURRENT moved), deactivate the old key with provenance, remove the record
#   the sequence a person types, signed as the same admin
#        aws iam create-access-key; aws secretsmanager put-secret-value; gh secret set
#        AWS_ACCESS_KEY_ID; gh secret set AWS_SECRET_ACCESS_KEY; aws sts get-caller-identity with
#        the new key; aws iam update-access-key --status Inactive on the old key
#
# moto has auth on and sits behind the test harness's proxy (bench/cmd/rotatebench); the GitHub
# stand-in (bench/cmd/ghserver: test/emu/github.go over HTTPS as a GitHub Enterprise Server host,
# requests and answers checked against GitHub's OpenAPI description) is reached by gh through
# GH_HOST and GH_ENTERPRISE_TOKEN and by keywarden through GITHUB_API_URL and GH_TOKEN, both
# trusting its CA through SSL_CERT_FILE. Both add LATENCY per request. Each repetition rotates a
# fresh user whose secret already holds its key. Needs the AWS CLI and gh (apt-get install gh).
#
#   RUNS=5 LATENCY=20ms bench/rotate_github.sh
set -euo pipefail

RUNS=${RUNS:-5}
LATENCY=${LATENCY:-20ms}
REPO=acme/deploy

cd "$(dirname "$0")/.."
source bench/lib.sh
out=bench/out
mkdir -p "$out"
command -v gh >/dev/null || { echo "$(basename "$0"): needs gh (apt-get install gh)" >&2; exit 1; }

go build -o "$out/keywarden" ./cmd/keywarden
go build -o "$out/rotatebench" ./bench/cmd/rotatebench
go build -o "$out/ghserver" ./bench/cmd/ghserver

gh_pid=
stop_all() { stop_program; [[ -z $gh_pid ]] || { kill "$gh_pid" 2>/dev/null; wait "$gh_pid" 2>/dev/null; } || true; }
trap stop_all EXIT
start_program "$out/rotgh-ghserver.log" "$out/rotgh-gh-ready.env" 30 "$out/ghserver" -latency "$LATENCY" -repos "$REPO" -ca "$out/rotgh-ca.pem"
gh_pid=$proxy_pid proxy_pid=
start_program "$out/rotgh-bench.log" "$out/rotgh-ready.env" 60 "$out/rotatebench" -latency "$LATENCY"

export AWS_ENDPOINT_URL=$PROXY_URL AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
unset AWS_PROFILE AWS_SESSION_TOKEN GITHUB_TOKEN
read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY < <(curl -fsS "$CONTROL_URL/admin")
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
# gh: a GitHub Enterprise Server host; keywarden: its API URL. Both trust the stand-in's CA.
export SSL_CERT_FILE=$out/rotgh-ca.pem GH_HOST GH_ENTERPRISE_TOKEN=$GH_TOKEN_VALUE GH_TOKEN=$GH_TOKEN_VALUE GITHUB_API_URL=$GH_API_URL
GH_CONFIG_DIR=$(mktemp -d)
export GH_CONFIG_DIR GH_NO_UPDATE_NOTIFIER=1 GH_PROMPT_DISABLED=1 NO_COLOR=1

user_with_secret() { # NAME: a user, its key, and the secret ci/NAME holding that key
	read -r id secret < <(curl -fsS -X POST "$CONTROL_URL/user?name=$1")
	aws secretsmanager create-secret --name "ci/$1" \
		--secret-string "{\"Version\":1,\"AccessKeyId\":\"$id\",\"SecretAccessKey\":\"$secret\"}" >/dev/null
}
reset_calls() { curl -fsS -X POST "$CONTROL_URL/reset"; curl -fsS -X POST "$GH_CONTROL_URL/reset"; }
gh_calls() { curl -fsS "$GH_CONTROL_URL/calls" | total; }
# delivered USER: the GitHub secret and AWSCURRENT both hold USER's one active key.
delivered() {
	local active held current
	active=$(aws iam list-access-keys --user-name "$1" --query "AccessKeyMetadata[?Status=='Active'].AccessKeyId" --output text)
	held=$(curl -fsS "$GH_CONTROL_URL/secret?repo=$REPO&name=AWS_ACCESS_KEY_ID")
	# The stage named: moto answers a read without one from the version it was created with.
	current=$(aws secretsmanager get-secret-value --secret-id "ci/$1" --version-stage AWSCURRENT --query SecretString --output text | python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKeyId"])')
	[[ $active == "$held" && $active == "$current" ]] ||
		{ echo "$(basename "$0"): $1: active key $active, GitHub holds $held, AWSCURRENT $current" >&2; exit 1; }
}

kw_ms=() cli_ms=()
for i in $(seq "$RUNS"); do
	user_with_secret "kw-$i"
	reset_calls
	t0=$(now_ns)
	"$out/keywarden" rotate --user "kw-$i" --to "github:$REPO" --to "secretsmanager:ci/kw-$i" --grace 0 2>"$out/rotgh-kw.log" >/dev/null ||
		{ cat "$out/rotgh-kw.log" >&2; exit 1; }
	kw_ms+=($(( ($(now_ns) - t0) / 1000000 )))
	kw_calls=$(calls | total) kw_gh=$(gh_calls)
	delivered "kw-$i"

	user_with_secret "cli-$i"
	old=$(aws iam list-access-keys --user-name "cli-$i" --query 'AccessKeyMetadata[0].AccessKeyId' --output text)
	reset_calls
	t0=$(now_ns)
	read -r nid nsecret < <(aws iam create-access-key --user-name "cli-$i" --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text)
	aws secretsmanager put-secret-value --secret-id "ci/cli-$i" \
		--secret-string "{\"Version\":1,\"AccessKeyId\":\"$nid\",\"SecretAccessKey\":\"$nsecret\"}" >/dev/null
	gh secret set AWS_ACCESS_KEY_ID --body "$nid" -R "$REPO" >/dev/null
	gh secret set AWS_SECRET_ACCESS_KEY --body "$nsecret" -R "$REPO" >/dev/null
	AWS_ACCESS_KEY_ID=$nid AWS_SECRET_ACCESS_KEY=$nsecret aws sts get-caller-identity >/dev/null
	aws iam update-access-key --user-name "cli-$i" --access-key-id "$old" --status Inactive
	cli_ms+=($(( ($(now_ns) - t0) / 1000000 )))
	cli_calls=$(calls | total) cli_gh=$(gh_calls)
	delivered "cli-$i"
done
mismatches=$(curl -fsS "$GH_CONTROL_URL/mismatches")

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
kw=$(median "${kw_ms[@]}") cli=$(median "${cli_ms[@]}")
{
	echo "service rotation into github: + secretsmanager:: $RUNS runs, latency $LATENCY per request (AWS and GitHub), moto with auth on ($(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg))"
	echo "keywarden rotate --user        median ${kw} ms   runs ${kw_ms[*]} ms"
	echo "                               AWS calls: $kw_calls"
	echo "                               GitHub calls: $kw_gh"
	echo "AWS CLI + gh secret set        median ${cli} ms   runs ${cli_ms[*]} ms"
	echo "                               AWS calls: $cli_calls"
	echo "                               GitHub calls: $cli_gh"
	awk -v k="$kw" -v c="$cli" 'BEGIN { printf "ratio keywarden / AWS CLI + gh: %.2f; with its 1.0 s of STS pauses counted out: %.2f\n", k / c, (k - 1000) / c }'
	echo "requests or answers off GitHub's OpenAPI description: $mismatches (each in $out/rotgh-ghserver.log)"
	echo "keywarden's time includes 2 x 0.5s between its 3 consecutive STS checks of the new key"
} | tee "$out/rotate_github.txt"

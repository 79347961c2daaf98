#!/usr/bin/env bash
# keywarden's main job against a local AWS emulator (moto), for people without an AWS account:
# the nightly curfew of seed 000 (deactivate one user's key, re-enable it in the morning), the
# self-lockout guard, and an audit. Nothing outside this machine is touched.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v moto_server >/dev/null || { echo 'demo: moto_server not found; install it with: pip install "moto[server]"' >&2; exit 1; }
command -v go >/dev/null || { echo 'demo: go not found; install Go 1.26 or newer from https://go.dev/dl/' >&2; exit 1; }

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; rm -rf "$work"' EXIT

go build -o "$work/keywarden" ./cmd/keywarden
kw="$work/keywarden"

# An isolated AWS environment: the emulator, throwaway credentials, no real config files read.
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=AKIADEMOADMIN0000000 AWS_SECRET_ACCESS_KEY=demo-not-a-secret
export AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE="$work/credentials" AWS_EC2_METADATA_DISABLED=true
for _ in $(seq 50); do curl -fs "$AWS_ENDPOINT_URL/moto-api/" >/dev/null 2>&1 && break; sleep 0.2; done

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

# Seed the emulator with the seed article's user and a few more, straight through the API.
python3 - "$AWS_ENDPOINT_URL" <<'PY'
import sys, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1")
for name in ["access-key-user", "alice", "bob", "ci-deploy"]:
    iam.create_user(UserName=name)
    iam.create_access_key(UserName=name)
iam.create_access_key(UserName="bob")  # bob keeps two active keys: a CIS 1.13 finding
PY
key=$(python3 - "$AWS_ENDPOINT_URL" <<'PY'
import sys, boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1")
print(iam.list_access_keys(UserName="access-key-user")["AccessKeyMetadata"][0]["AccessKeyId"])
PY
)

step "$kw" whoami
step "$kw" audit
step "$kw" deactivate --key "$key" --dry-run
step "$kw" deactivate --key "$key"
step "$kw" deactivate --key "$key"                 # idempotent: unchanged
step "$kw" activate --user access-key-user --all  # the morning after: only keywarden's curfew is undone
# Signed with the very key it is asked to disable, keywarden refuses (exit 4) rather than lock you out.
printf '\n\033[1m$ AWS_ACCESS_KEY_ID=%s %s deactivate --key %s\033[0m\n' "$key" "$kw" "$key"
AWS_ACCESS_KEY_ID=$key "$kw" deactivate --key "$key" || echo "(exit $?)"
step "$kw" audit --at +120d --output csv

# The same curfew written once as policy: previewed, applied, and shipped as a Lambda schedule
# that stays at 00:00 in Tokyo (the seed needed cron(00 15 * * ? *) in UTC).
cat > "$work/keywarden.yaml" <<'YAML'
jobs:
  curfew:
    schedule: "0 0 * * *"
    timezone: Asia/Tokyo
    select:
      users: [access-key-user]
    do:
      - deactivate: {}
YAML
step "$kw" plan -c "$work/keywarden.yaml"
step "$kw" apply -c "$work/keywarden.yaml" --yes
step "$kw" apply -c "$work/keywarden.yaml" --yes     # a second run changes nothing
printf '\n\033[1m$ %s template -c keywarden.yaml | grep -E "ScheduleExpression|Description: .keywarden job"\033[0m\n' "$kw"
"$kw" template -c "$work/keywarden.yaml" | grep -E "ScheduleExpression|Description: .keywarden job" || true
echo
echo "demo: done. Every change above is recorded as a keywarden:<key id> tag on the user."

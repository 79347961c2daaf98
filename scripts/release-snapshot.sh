#!/usr/bin/env bash
# The release built offline into dist/, nothing published: goreleaser release --snapshot.
#   scripts/release-snapshot.sh         every platform (make release-snapshot)
#   scripts/release-snapshot.sh --one   linux/amd64 only, for CI (make release-snapshot-one)
# RELEASE_TAG (default: the latest tag, else v0.4.0) is the version the snapshot is of.
set -euo pipefail
cd "$(dirname "$0")/.."
gr="${GORELEASER:-goreleaser}"
config=.goreleaser.yaml

# A checkout without a tag or a remote (a fresh clone's worktree, a CI cache) still builds the
# version it is about to be: goreleaser reads the tag from GORELEASER_CURRENT_TAG, and the
# remote only for its URL, given here through git's environment so no config is written.
export GORELEASER_CURRENT_TAG="${RELEASE_TAG:-$(git describe --tags --abbrev=0 2>/dev/null || echo v0.4.0)}"
if [ -z "$(git remote)" ]; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/keywarden/keywarden.git
fi

if [ "${1:-}" = --one ]; then
  # goreleaser release has no --single-target: the same config with every build cut to
  # linux/amd64, so CI checks the release config within its time.
  mkdir -p build/gen
  python3 - <<'PY'
import yaml
c = yaml.safe_load(open(".goreleaser.yaml"))
for b in c["builds"]:
    b["goos"], b["goarch"] = ["linux"], ["amd64"]
c.pop("brews", None)  # the formula needs the macOS archives; the full snapshot checks it
yaml.safe_dump(c, open("build/gen/goreleaser-one.yaml", "w"), sort_keys=False)
PY
  config=build/gen/goreleaser-one.yaml
fi
"$gr" release --snapshot --clean --config "$config"

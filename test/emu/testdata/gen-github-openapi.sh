#!/usr/bin/env bash
# gen-github-openapi.sh: writes github-openapi.json beside it, GitHub's published OpenAPI
# description (npm @octokit/openapi, generated/api.github.com.json, 13 MB) pruned to the
# operations test/emu/github.go serves and every $ref they reach, so the stand-in can check each
# request and answer against GitHub's own description without keeping the whole file here.
#
#   test/emu/testdata/gen-github-openapi.sh && git diff --stat test/emu/testdata
#
# Needs npm and node. To move to a newer description: set VERSION, run once with SHA256= to see
# the new file's sum, pin it, and run the GitHub tests (a changed description may fail them).
set -euo pipefail

VERSION=${VERSION:-23.0.2}
SHA256=${SHA256-829b4bebb19a53133289f7b0bc819f4f1118115821db2ca9f25e9ee995a7da2a}
SOURCE=generated/api.github.com.json

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@octokit/openapi@$VERSION" >/dev/null && tar xzf octokit-openapi-"$VERSION".tgz "package/$SOURCE")
sum=$(sha256sum "$tmp/package/$SOURCE" | cut -d' ' -f1)
if [[ -n $SHA256 && $sum != "$SHA256" ]]; then
	echo "$(basename "$0"): @octokit/openapi@$VERSION $SOURCE has sha256 $sum, not the pinned $SHA256" >&2
	exit 1
fi

VERSION=$VERSION SUM=$sum SOURCE=$SOURCE node - "$tmp/package/$SOURCE" >"$here/github-openapi.json" <<'JS'
const fs = require("fs");
const full = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));

// What test/emu/github.go serves: Actions secrets of a repository, of an environment, of an
// organization (public key, get, create or update). Nothing else is kept.
const served = {
  "/repos/{owner}/{repo}/actions/secrets/public-key": ["get"],
  "/repos/{owner}/{repo}/actions/secrets/{secret_name}": ["get", "put"],
  "/repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key": ["get"],
  "/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}": ["get", "put"],
  "/orgs/{org}/actions/secrets/public-key": ["get"],
  "/orgs/{org}/actions/secrets/{secret_name}": ["get", "put"],
};
// GitHub's error body: these operations list no error answers, but every one GitHub sends has
// this shape, so the stand-in's 401, 403, 404 and 422 are held to it.
const extra = ["#/components/schemas/basic-error"];

const methods = ["get", "put", "post", "patch", "delete", "head", "options", "trace"];
const paths = {};
for (const [p, keep] of Object.entries(served)) {
  const item = full.paths[p];
  if (!item) throw new Error(`${p} is not in the description`);
  const out = {};
  for (const [k, v] of Object.entries(item)) {
    if (!methods.includes(k) || keep.includes(k)) out[k] = v;
  }
  for (const m of keep) if (!out[m]) throw new Error(`${m} ${p} is not in the description`);
  paths[p] = out;
}

// Every $ref reached from the kept operations, followed through the components it names.
const components = {};
const seen = new Set();
function visit(v) {
  if (Array.isArray(v)) return v.forEach(visit);
  if (v === null || typeof v !== "object") return;
  for (const [k, x] of Object.entries(v)) {
    if (k === "$ref" && typeof x === "string") reach(x);
    else visit(x);
  }
}
function reach(ref) {
  if (seen.has(ref)) return;
  seen.add(ref);
  const m = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref);
  if (!m) throw new Error(`unexpected $ref ${ref}`);
  const target = full.components[m[1]]?.[m[2]];
  if (target === undefined) throw new Error(`${ref} does not resolve`);
  (components[m[1]] ??= {})[m[2]] = target;
  visit(target);
}
visit(paths);
extra.forEach(reach);
for (const kind of Object.keys(components)) {
  components[kind] = Object.fromEntries(Object.keys(components[kind]).sort().map((k) => [k, components[kind][k]]));
}

const info = {
  ...full.info,
  "x-keywarden-source": {
    package: `@octokit/openapi@${process.env.VERSION}`,
    file: process.env.SOURCE,
    sha256: process.env.SUM,
    pruned: "test/emu/testdata/gen-github-openapi.sh: the operations test/emu/github.go serves and the $refs they reach",
  },
};
const out = { openapi: full.openapi, info, servers: full.servers, paths, components };
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
JS
echo "wrote $here/github-openapi.json from @octokit/openapi@$VERSION $SOURCE (sha256 $sum)" >&2

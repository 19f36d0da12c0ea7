#!/usr/bin/env bash
# npm run bench: every benchmark, its tables written into docs/benchmarks.md.
# Needs hyperfine (Debian/Ubuntu: apt-get install hyperfine), kubectl, and the
# Kubernetes binaries (built on first use, like the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
for tool in hyperfine kubectl; do
  command -v "$tool" >/dev/null || { echo "npm run bench needs $tool on PATH (hyperfine: apt-get install hyperfine)." >&2; exit 3; }
done
npm run build >/dev/null
out=docs/benchmarks.md
echo "== start-up and listing at scale" >&2
node hack/bench-cli.ts --runs "${BENCH_RUNS:-20}" --write "$out"
echo "== credentials" >&2
node hack/bench-pki.ts --runs 9 --write "$out"
echo "== shoot create at N = ${BENCH_CONCURRENT:-1,5,10,20}" >&2
node hack/bench-create.ts --concurrent "${BENCH_CONCURRENT:-1,5,10,20}" --write "$out"
echo "== written to $out" >&2

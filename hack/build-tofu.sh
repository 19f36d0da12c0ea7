#!/usr/bin/env bash
# Builds OpenTofu from its Go module into a cache directory, for machines with
# neither terraform nor tofu installed. Prints the directory on its last line.
set -euo pipefail
VERSION=${KUBEGARDEN_TOFU_VERSION:-1.10.6}
OUT=${XDG_CACHE_HOME:-$HOME/.cache}/kubegarden/tofu/v$VERSION
if [ -x "$OUT/tofu" ]; then echo "$OUT"; exit 0; fi
command -v go >/dev/null || { echo "Go is needed to build OpenTofu: install Go, or install terraform." >&2; exit 3; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export GOSUMDB=off GOFLAGS=-mod=mod CGO_ENABLED=0
cd "$work"
gomod=$(go mod download -json "github.com/opentofu/opentofu@v$VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
{
  echo "module kubegarden.invalid/tofu"; echo; echo "go $(sed -n 's/^go \(.*\)$/\1/p' "$gomod" | head -n1)"; echo
  echo "require github.com/opentofu/opentofu v$VERSION"; echo
  grep -E '^replace ' "$gomod" || true
} > go.mod
mkdir -p "$OUT"
go build -trimpath -o "$OUT/tofu" github.com/opentofu/opentofu/cmd/tofu >&2
echo "$OUT"

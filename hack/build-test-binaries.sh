#!/usr/bin/env bash
# Builds the control-plane binaries kubegarden's tests and local provider run
# (kube-apiserver, kube-controller-manager, kube-scheduler, etcd) from their Go
# modules, into a cache directory outside the repository.
#
#   hack/build-test-binaries.sh [K8S_VERSION]     default: the pinned version below
#
# Prints the directory that holds the binaries on its last line (use it as
# KUBEBUILDER_ASSETS). Building again with the same versions is a no-op.
set -euo pipefail

K8S_VERSION=${1:-${KUBEGARDEN_K8S_VERSION:-1.37.2}}
ETCD_VERSION=${KUBEGARDEN_ETCD_VERSION:-3.6.16}
CACHE_ROOT=${KUBEGARDEN_ASSETS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubegarden/assets}
OUT="$CACHE_ROOT/v$K8S_VERSION"
minor=${K8S_VERSION#*.}; minor=${minor%%.*}
staging_version="v0.$minor.${K8S_VERSION##*.}"

log() { printf '[build-test-binaries] %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  log "Go is not installed: install Go >= 1.26 (apt-get install golang, or go.dev) or set KUBEBUILDER_ASSETS to a directory with kube-apiserver and etcd."
  exit 3
fi

want=(kube-apiserver kube-controller-manager kube-scheduler etcd)
missing=()
for b in "${want[@]}"; do [ -x "$OUT/$b" ] || missing+=("$b"); done
if [ ${#missing[@]} -eq 0 ]; then
  log "binaries for Kubernetes v$K8S_VERSION and etcd v$ETCD_VERSION are cached"
  echo "$OUT"
  exit 0
fi
mkdir -p "$OUT"

# The checksum database is not reachable from every build machine; the module
# proxy is the trusted source here.
export GOSUMDB=${GOSUMDB_OVERRIDE:-off}
export GOFLAGS=-mod=mod
export CGO_ENABLED=0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build_kubernetes() {
  local dir="$work/kubernetes" gomod
  mkdir -p "$dir"
  log "resolving k8s.io/kubernetes v$K8S_VERSION"
  gomod=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
  local gover godebug
  gover=$(sed -n 's/^go \(.*\)$/\1/p' "$gomod" | head -n1)
  godebug=$(grep -E '^godebug ' "$gomod" || true)
  {
    echo "module kubegarden.invalid/assets"
    echo
    echo "go $gover"
    [ -n "$godebug" ] && echo "$godebug"
    echo
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo
    echo "replace ("
    # Every staging module k8s.io/kubernetes replaces with ./staging/... is
    # published on its own as v0.<minor>.<patch>.
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$gomod" | awk -v v="$staging_version" '{print "\t" $1 " => " $1 " " v}'
    echo ")"
  } >"$dir/go.mod"
  local ver="v$K8S_VERSION" major=1 date
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local ld="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$ver -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  log "building kube-apiserver, kube-controller-manager, kube-scheduler v$K8S_VERSION (several minutes on first run)"
  (cd "$dir" && go build -trimpath -tags=selinux,notest -ldflags "$ld" -o "$work/bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler)
  for b in kube-apiserver kube-controller-manager kube-scheduler; do mv "$work/bin/$b" "$OUT/$b"; done
}

build_etcd() {
  local dir="$work/etcd"
  mkdir -p "$dir"
  printf 'module kubegarden.invalid/etcd\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 v%s\n' "$ETCD_VERSION" >"$dir/go.mod"
  log "building etcd v$ETCD_VERSION"
  (cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$work/etcd-bin" go.etcd.io/etcd/server/v3)
  mv "$work/etcd-bin" "$OUT/etcd"
}

need_k8s=0
for b in "${missing[@]}"; do [ "$b" = etcd ] || need_k8s=1; done
[ -x "$OUT/etcd" ] || build_etcd
[ $need_k8s -eq 0 ] || build_kubernetes
"$OUT/kube-apiserver" --version >&2
"$OUT/etcd" --version | head -n1 >&2
echo "$OUT"

#!/usr/bin/env bash
# Installs the Debian 12 packages hostflow builds with, when any is missing.
# Sourced by run.sh and test.sh; uses sudo when not running as root.
set -euo pipefail

hostflow_packages=(
  build-essential cmake ninja-build ccache pkg-config
  libcaf-dev nlohmann-json3-dev doctest-dev libcli11-dev libspdlog-dev libfmt-dev
  libpcap-dev libbenchmark-dev librocksdb-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc libcpp-httplib-dev
  python3 python3-grpcio python3-protobuf openssl
)

install_missing_packages() {
  local missing=()
  for pkg in "${hostflow_packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  echo "installing: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}

# configure_build DIR [cmake args...]: a Release build with Ninja in DIR.
configure_build() {
  local dir=$1
  shift
  cmake -S "$(dirname "${BASH_SOURCE[0]}")/.." -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
}

#!/usr/bin/env bash
# Installs what is missing, builds hostflow (Release) with its tests and runs
# every test through ctest. The exporter captures are read from
# ../shared/testdata (override with HOSTFLOW_TESTDATA_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
install_missing_packages
args=()
[ -n "${HOSTFLOW_TESTDATA_DIR:-}" ] && args+=("-DHOSTFLOW_TESTDATA_DIR=$HOSTFLOW_TESTDATA_DIR")
configure_build build "${args[@]}"
cmake --build build
ctest --test-dir build --output-on-failure -j 2

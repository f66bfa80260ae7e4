#!/usr/bin/env bash
# Installs what is missing, builds hostflow (Release) and starts hostflowd with
# configs/hostflow.json and its state in hostflow-data/. Extra arguments go to
# hostflowd (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
install_missing_packages
configure_build build
cmake --build build --target hostflowd hostflow
exec build/hostflowd --config configs/hostflow.json --data-dir hostflow-data "$@"

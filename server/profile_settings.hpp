#pragma once

#include "actors/profile_pipeline.hpp"
#include "server/config.hpp"
#include "state/store.hpp"

namespace hostflow {

/// The profile side's settings as the config describes them; `hardware_threads`
/// sizes the shard count when the config leaves it at 0.
profile_pipeline_settings profile_settings_from(const server_config& config,
                                                unsigned hardware_threads);

/// The RocksDB settings of the config's store section.
rocksdb_settings store_settings_from(const server_config& config);

} // namespace hostflow

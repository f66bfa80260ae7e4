#include "server/config_reload.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace hostflow {

namespace {

// Copies the keys of reloadable_keys() from `from` to `to`; keep the two in
// step.
void copy_reloadable(const server_config& from, server_config& to) {
  to.log_level = from.log_level;
  to.monitored_networks = from.monitored_networks;
  to.monitor_all = from.monitor_all;
  to.exporters = from.exporters;
}

std::string joined(const std::vector<std::string>& keys) {
  std::string text;
  for (const auto& key : keys)
    text += (text.empty() ? "" : ", ") + key;
  return text;
}

} // namespace

const std::vector<std::string>& reloadable_keys() {
  static const std::vector<std::string> keys = {"log_level", "monitored_networks", "monitor_all",
                                                "exporters"};
  return keys;
}

std::string reload_outcome::to_string() const {
  if (!ok())
    return "configuration not reloaded, the running one stays in force: " + error;
  if (applied.empty() && restart_required.empty())
    return "configuration reloaded: nothing changed";
  std::string line = "configuration reloaded";
  if (!applied.empty())
    line += ": applied " + joined(applied);
  if (!restart_required.empty())
    line += std::string{applied.empty() ? ":" : ";"} + " restart required for " +
            joined(restart_required);
  return line;
}

config_reloader::config_reloader(server_config running, loader load, applier apply)
    : running_(std::move(running)), load_(std::move(load)), apply_(std::move(apply)) {}

reload_outcome config_reloader::reload() {
  std::lock_guard<std::mutex> guard{mutex_};
  reload_outcome outcome;
  auto loaded = load_();
  if (!loaded) {
    outcome.error = loaded.error;
    return outcome;
  }
  // Compared in the file's form, so every key counts, including those a
  // later version adds, without a list to keep up to date here.
  auto before = to_json(running_);
  auto after = to_json(*loaded.config);
  const auto& reloadable = reloadable_keys();
  for (auto it = after.begin(); it != after.end(); ++it) {
    if (before.contains(it.key()) && before[it.key()] == it.value())
      continue;
    bool in_flight = std::find(reloadable.begin(), reloadable.end(), it.key()) != reloadable.end();
    (in_flight ? outcome.applied : outcome.restart_required).push_back(it.key());
  }
  if (!outcome.applied.empty()) {
    copy_reloadable(*loaded.config, running_);
    apply_(running_);
  }
  return outcome;
}

server_config config_reloader::running() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return running_;
}

} // namespace hostflow

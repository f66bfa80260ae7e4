#pragma once

// Which records of an exporter count. A flow that crosses two routers is
// exported by both; counting it twice would double every host's traffic.
// The usual remedy: take each exporter's records of its border interfaces
// in one direction only.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "flow/flow_record.hpp"

namespace hostflow {

/// Which exporter-reported directions a rule takes.
enum class direction_filter : uint8_t {
  any,     ///< every record
  ingress, ///< records observed entering the interface (unreported direction counts as ingress)
  egress,  ///< records observed leaving the interface
};

/// "any", "ingress", "egress".
const char* to_string(direction_filter f) noexcept;

/// Parses "any", "ingress" or "egress".
std::optional<direction_filter> parse_direction_filter(const std::string& text);

/// The selection for one exporter (all its ports and observation domains).
struct exporter_rule {
  ip_address exporter;
  /// Records of this exporter are ignored entirely.
  bool ignore = false;
  /// When not empty, only records whose input interface is listed count.
  std::vector<uint32_t> input_interfaces;
  /// When not empty, only records whose output interface is listed count.
  std::vector<uint32_t> output_interfaces;
  direction_filter direction = direction_filter::any;

  /// True when `r` passes this rule.
  bool selects(const flow_record& r) const noexcept;
};

/// Rules by exporter address; exporters without a rule have every record
/// counted.
class exporter_selection {
public:
  exporter_selection() = default;
  explicit exporter_selection(std::vector<exporter_rule> rules);

  /// True when `r` counts.
  bool selects(const flow_record& r) const noexcept {
    if (rules_.empty())
      return true;
    const auto* rule = find(r.exporter.address);
    return rule == nullptr || rule->selects(r);
  }

  const std::vector<exporter_rule>& rules() const noexcept { return rules_; }

private:
  const exporter_rule* find(const ip_address& a) const noexcept;

  std::vector<exporter_rule> rules_;
};

} // namespace hostflow

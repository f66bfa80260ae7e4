#include "flow/exporter_selection.hpp"

#include <algorithm>

namespace hostflow {

const char* to_string(direction_filter f) noexcept {
  switch (f) {
    case direction_filter::any:
      return "any";
    case direction_filter::ingress:
      return "ingress";
    case direction_filter::egress:
      return "egress";
  }
  return "any";
}

std::optional<direction_filter> parse_direction_filter(const std::string& text) {
  for (auto f : {direction_filter::any, direction_filter::ingress, direction_filter::egress})
    if (text == to_string(f))
      return f;
  return std::nullopt;
}

bool exporter_rule::selects(const flow_record& r) const noexcept {
  if (ignore)
    return false;
  switch (direction) {
    case direction_filter::any:
      break;
    case direction_filter::ingress:
      // NetFlow v5 and most v9 exporters do not report a direction and
      // export ingress flows.
      if (r.direction == flow_direction::egress)
        return false;
      break;
    case direction_filter::egress:
      if (r.direction != flow_direction::egress)
        return false;
      break;
  }
  auto listed = [](const std::vector<uint32_t>& v, uint32_t x) {
    return v.empty() || std::find(v.begin(), v.end(), x) != v.end();
  };
  return listed(input_interfaces, r.input_if) && listed(output_interfaces, r.output_if);
}

exporter_selection::exporter_selection(std::vector<exporter_rule> rules)
  : rules_(std::move(rules)) {}

const exporter_rule* exporter_selection::find(const ip_address& a) const noexcept {
  for (const auto& rule : rules_)
    if (rule.exporter == a)
      return &rule;
  return nullptr;
}

} // namespace hostflow

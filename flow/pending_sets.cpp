#include "flow/pending_sets.hpp"

#include <algorithm>

namespace hostflow {

pending_sets::~pending_sets() {
  release(bytes_);
}

void pending_sets::release(size_t n) noexcept {
  bytes_ -= n;
  if (total_bytes_ != nullptr)
    *total_bytes_ -= n;
}

bool pending_sets::add(uint64_t domain_key, uint16_t template_id, int64_t now_ms,
                       const message_clock& clock, byte_view payload) {
  size_t cost = payload.size + sizeof(pending_set);
  if (bytes_ + cost > max_bytes_)
    return false;
  if (total_bytes_ != nullptr && *total_bytes_ + cost > max_total_bytes_)
    return false;
  pending_set s;
  s.domain_key = domain_key;
  s.template_id = template_id;
  s.arrived_ms = now_ms;
  s.clock = clock;
  s.payload.assign(payload.data, payload.data + payload.size);
  sets_.push_back(std::move(s));
  bytes_ += cost;
  if (total_bytes_ != nullptr)
    *total_bytes_ += cost;
  return true;
}

std::vector<pending_set> pending_sets::take(uint64_t domain_key, uint16_t template_id) {
  std::vector<pending_set> out;
  auto matches = [&](const pending_set& s) {
    return s.domain_key == domain_key && s.template_id == template_id;
  };
  for (auto& s : sets_)
    if (matches(s)) {
      release(s.payload.size() + sizeof(pending_set));
      out.push_back(std::move(s));
    }
  if (!out.empty())
    sets_.erase(std::remove_if(sets_.begin(), sets_.end(),
                               matches),
                sets_.end());
  return out;
}

size_t pending_sets::expire(int64_t now_ms, int64_t max_age_ms) {
  size_t dropped = 0;
  // Sets are appended in arrival order, so the oldest are at the front.
  while (!sets_.empty() && now_ms - sets_.front().arrived_ms > max_age_ms) {
    release(sets_.front().payload.size() + sizeof(pending_set));
    sets_.pop_front();
    ++dropped;
  }
  return dropped;
}

} // namespace hostflow

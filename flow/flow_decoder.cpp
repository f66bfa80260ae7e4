#include "flow/flow_decoder.hpp"

#include "flow/decode_context.hpp"

namespace hostflow {

namespace {

// An exporter silent this long may be forgotten to make room for a new one.
constexpr int64_t idle_exporter_ms = 15 * 60'000;

} // namespace

flow_decoder::flow_decoder(decoder_limits limits) : limits_(limits) {
}

flow_decoder::~flow_decoder() {
  // Exporter states release their share of pending_bytes_ as they go.
  exporters_.clear();
}

exporter_state* flow_decoder::exporter_for(const endpoint& from, int64_t now_ms) {
  if (last_state_ != nullptr && *last_address_ == from)
    return last_state_;
  auto it = exporters_.find(from);
  if (it == exporters_.end()) {
    if (exporters_.size() >= limits_.max_exporters) {
      auto oldest = exporters_.begin();
      for (auto i = exporters_.begin(); i != exporters_.end(); ++i)
        if (i->second->last_seen_ms < oldest->second->last_seen_ms)
          oldest = i;
      if (now_ms - oldest->second->last_seen_ms < idle_exporter_ms)
        return nullptr;
      for (const auto& [key, domain] : oldest->second->domains)
        template_memory_ -= domain.template_bytes;
      exporters_.erase(oldest);
    }
    it = exporters_.emplace(from, std::make_unique<exporter_state>(from, limits_, &pending_bytes_))
           .first;
  }
  last_address_ = &it->first;
  last_state_ = it->second.get();
  return last_state_;
}

void flow_decoder::decode(const endpoint& from, byte_view dg, int64_t now_ms,
                          std::vector<flow_record>& out) {
  exporter_state* ex = exporter_for(from, now_ms);
  if (ex == nullptr) {
    ++rejected_;
    return;
  }
  ex->last_seen_ms = now_ms;
  ++ex->counters.datagrams;
  ex->counters.datagram_bytes += dg.size;
  decode_context ctx{*ex, limits_, template_memory_, now_ms, out, unresolved_};
  if (ex->pending.size() > 0)
    ex->expire_pending(now_ms, limits_.max_pending_age_ms);
  if (dg.size < 2) {
    ctx.fail(decode_error::short_header);
    return;
  }
  switch (load_be16(dg.data)) {
    case 5:
      decode_netflow_v5(ctx, dg);
      break;
    case 9:
      decode_netflow_v9(ctx, dg);
      break;
    case 10:
      decode_ipfix(ctx, dg);
      break;
    default:
      ctx.fail(decode_error::bad_version);
  }
}

void flow_decoder::expire(int64_t now_ms) {
  for (auto& [addr, ex] : exporters_)
    if (ex->pending.size() > 0)
      ex->expire_pending(now_ms, limits_.max_pending_age_ms);
}

const exporter_counters* flow_decoder::counters(const endpoint& exporter) const {
  auto it = exporters_.find(exporter);
  return it == exporters_.end() ? nullptr : &it->second->counters;
}

exporter_counters flow_decoder::totals() const {
  exporter_counters sum;
  for (const auto& [addr, ex] : exporters_)
    sum += ex->counters;
  return sum;
}

} // namespace hostflow

#include "bench/export_rewriter.hpp"

#include <cstring>

#include <fmt/format.h>

#include "flow/byte_view.hpp"
#include "flow/flow_record.hpp"

#include "bench/export_walker.hpp"

namespace hostflow::bench {

namespace {

void store_be32(uint8_t* p, uint32_t v) noexcept {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}

void store_be64(uint8_t* p, uint64_t v) noexcept {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

} // namespace

// -- export_rewriter -------------------------------------------------------------------

const char* to_string(sequence_convention c) noexcept {
  switch (c) {
  case sequence_convention::before:
    return "before";
  case sequence_convention::including:
    return "including";
  case sequence_convention::per_datagram:
    return "per datagram";
  }
  return "?";
}

export_rewriter::export_rewriter(const std::vector<captured_datagram>& capture) {
  detail::export_walker walker{sites_, streams_, summary_};
  uint32_t data = 0, options = 0;
  for (const auto& d : capture)
    walker.walk(d, false, data, options);
  plans_.reserve(capture.size());
  for (const auto& d : capture) {
    plan p;
    p.first_site = static_cast<uint32_t>(sites_.size());
    walker.walk(d, true, p.data_records, p.options_records);
    p.site_count = static_cast<uint32_t>(sites_.size() - p.first_site);
    plans_.push_back(p);
    ++summary_.datagrams;
    summary_.bytes += d.payload.size();
    summary_.data_records += p.data_records;
    summary_.options_records += p.options_records;
  }
  walker.finish();
  summary_.shift_sites = sites_.size();
  // One second past the span, so a pass's first export follows the previous
  // pass's last one instead of sharing its second.
  pass_seconds_ = summary_.last_export_s - summary_.first_export_s + 1;
}

void export_rewriter::advance(size_t index, uint8_t* bytes, size_t size) const noexcept {
  const plan& p = plans_[index];
  const auto seconds = static_cast<uint64_t>(pass_seconds_);
  for (uint32_t i = 0; i < p.site_count; ++i) {
    const shift_site& s = sites_[p.first_site + i];
    if (s.offset + s.length > size)
      continue;
    uint64_t delta = s.unit == shift_unit::seconds        ? seconds
                     : s.unit == shift_unit::milliseconds ? seconds * 1000
                                                          : streams_[s.stream].increment;
    uint8_t* at = bytes + s.offset;
    if (s.length == 4)
      store_be32(at, load_be32(at) + static_cast<uint32_t>(delta));
    else
      store_be64(at, load_be64(at) + delta);
  }
}

std::string export_rewriter::describe() const {
  const auto& s = summary_;
  std::string out = fmt::format(
      "pass: {} datagrams, {} bytes, {} data records, {} options records; export times {} .. {}; "
      "times move {} s and {} fields per pass",
      s.datagrams, s.bytes, s.data_records, s.options_records,
      format_epoch_ms(s.first_export_s * 1000), format_epoch_ms(s.last_export_s * 1000),
      pass_seconds_, s.shift_sites);
  for (const auto& st : streams_) {
    const char* proto = st.version == 5   ? "v5 engine"
                        : st.version == 9 ? "v9 source id"
                                          : "IPFIX domain";
    std::string reading =
        st.convention == sequence_convention::per_datagram
            ? std::string{"datagrams"}
            : fmt::format("{} records {} the message", st.counts_options ? "all data" : "flow",
                          to_string(st.convention));
    out += fmt::format("\nstream {} {} {}: {} messages; sequence counts {}; {} breaks in the "
                       "capture; +{} per pass",
                       st.exporter.to_string(), proto, st.domain, st.messages, reading, st.breaks,
                       st.increment);
  }
  if (s.unknown_sets > 0)
    out += fmt::format("\nwarning: {} data sets have no template even on a repeat pass; their "
                       "times are not moved",
                       s.unknown_sets);
  if (s.odd_time_fields > 0)
    out +=
        fmt::format("\nwarning: {} time fields of unusual length are not moved", s.odd_time_fields);
  if (s.unsupported > 0)
    out += fmt::format("\nwarning: {} datagrams are not NetFlow v5/v9 or IPFIX; sent unchanged",
                       s.unsupported);
  return out;
}

} // namespace hostflow::bench

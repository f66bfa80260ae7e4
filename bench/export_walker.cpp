#include "bench/export_walker.hpp"

#include <algorithm>
#include <iterator>

#include "flow/template_parser.hpp"

namespace hostflow::bench::detail {

namespace {

// -- which fields hold times --------------------------------------------------------

struct time_element {
  uint16_t id;
  time_kind kind;
};

// IANA information elements (v9 shares the numbering) that carry a point in
// time. Delta times (158/159 ...) are relative to the export time and move
// with it; systemInitTimeMilliseconds (160) is deliberately absent (see
// export_rewriter: the exporter's boot time stays put).
// clang-format off
constexpr std::array<time_element, 27> time_elements{{
  {21, time_kind::uptime_ms},     {22, time_kind::uptime_ms},     // flowEnd/StartSysUpTime
  {150, time_kind::seconds},      {151, time_kind::seconds},      // flowStart/EndSeconds
  {152, time_kind::milliseconds}, {153, time_kind::milliseconds}, // flowStart/EndMilliseconds
  {154, time_kind::ntp},          {155, time_kind::ntp},          // flowStart/EndMicroseconds
  {156, time_kind::ntp},          {157, time_kind::ntp},          // flowStart/EndNanoseconds
  {258, time_kind::milliseconds},                                 // collectionTimeMilliseconds
  {260, time_kind::seconds},      {261, time_kind::seconds},      // maxExport/maxFlowEndSeconds
  {264, time_kind::seconds},      {265, time_kind::seconds},      // minExport/minFlowStartSeconds
  {268, time_kind::ntp},          {269, time_kind::milliseconds}, // maxFlowEndMicro/Milli
  {270, time_kind::ntp},          {271, time_kind::ntp},          // maxFlowEndNano, minFlowStartMicro
  {272, time_kind::milliseconds}, {273, time_kind::ntp},          // minFlowStartMilli/Nano
  {322, time_kind::seconds},      {323, time_kind::milliseconds}, // observationTimeSeconds/Milli
  {324, time_kind::ntp},          {325, time_kind::ntp},          // observationTimeMicro/Nano
  {359, time_kind::milliseconds}, {360, time_kind::milliseconds}, // monitoringInterval*MilliSeconds
}};
// clang-format on

} // namespace

time_kind time_kind_of(uint16_t id) noexcept {
  for (const auto& e : time_elements)
    if (e.id == id)
      return e.kind;
  return time_kind::none;
}

// -- export_walker ---------------------------------------------------------------------

void export_walker::time_site(time_kind kind, size_t offset, size_t length) {
  switch (kind) {
  case time_kind::uptime_ms:
    if (length == 4)
      return site(offset, 4, shift_unit::milliseconds);
    break;
  case time_kind::seconds:
    if (length == 4)
      return site(offset, 4, shift_unit::seconds);
    break;
  case time_kind::milliseconds:
    if (length == 8)
      return site(offset, 8, shift_unit::milliseconds);
    break;
  case time_kind::ntp:
    // NTP format: whole seconds since 1900 in the first four bytes; the
    // shift is whole seconds, so the fraction never changes.
    if (length == 8)
      return site(offset, 4, shift_unit::seconds);
    break;
  case time_kind::none:
    return;
  }
  if (final_)
    ++summary_.odd_time_fields;
}

size_t export_walker::stream_for(const endpoint& from, uint16_t version, uint32_t domain) {
  auto [it, added] = stats_.try_emplace(stream_key{from, version, domain});
  if (added) {
    it->second.index = streams_.size();
    sequence_stream s;
    s.exporter = from;
    s.version = version;
    s.domain = domain;
    streams_.push_back(s);
  }
  return it->second.index;
}

void export_walker::observe_sequence(size_t stream, uint32_t sequence) {
  auto& s = streams_[stream];
  auto& st = stats_.at(stream_key{s.exporter, s.version, s.domain});
  message_seq m{sequence, data_records_, options_records_};
  if (s.messages == 0)
    st.first = m;
  else
    for (size_t i = 0; i < readings.size(); ++i)
      st.votes[i] += readings[i].start(m) == readings[i].end(st.last) ? 1 : 0;
  st.last = m;
  ++s.messages;
}

void export_walker::finish() {
  for (auto& [key, st] : stats_) {
    auto& s = streams_[st.index];
    // The reading that explains the most consecutive messages; ties go to the
    // protocol's standard one. Only v9 may count datagrams.
    size_t best = s.version == 9 ? 4 : 0;
    size_t last_candidate = s.version == 9 ? 4 : 3;
    for (size_t i = 0; i <= last_candidate; ++i)
      if (st.votes[i] > st.votes[best])
        best = i;
    const auto& r = readings[best];
    s.convention = r.convention;
    s.counts_options = r.counts_options;
    s.breaks = s.messages - 1 - st.votes[best];
    s.increment = r.end(st.last) - r.start(st.first);
  }
}

void export_walker::walk(const captured_datagram& d, bool final, uint32_t& data_records,
                         uint32_t& options_records) {
  final_ = final;
  data_records_ = 0;
  options_records_ = 0;
  const auto& p = d.payload;
  uint16_t version = p.size() >= 2 ? load_be16(p.data()) : 0;
  if (version == 5 && p.size() >= 24) {
    walk_v5(d);
  } else if (version == 9 && p.size() >= 20) {
    uint32_t source_id = load_be32(p.data() + 16);
    site(4, 4, shift_unit::milliseconds); // sysUptime
    site(8, 4, shift_unit::seconds);      // unix_secs
    walk_sets(d, 9, source_id, 20, p.size());
    if (final_) {
      size_t stream = stream_for(d.source, 9, source_id);
      site(12, 4, shift_unit::sequence, static_cast<uint32_t>(stream));
      observe_sequence(stream, load_be32(p.data() + 12));
    }
  } else if (version == 10 && p.size() >= 16) {
    uint32_t domain = load_be32(p.data() + 12);
    size_t end = std::min<size_t>(load_be16(p.data() + 2), p.size());
    site(4, 4, shift_unit::seconds); // export time
    walk_sets(d, 10, domain, 16, end);
    if (final_) {
      size_t stream = stream_for(d.source, 10, domain);
      site(8, 4, shift_unit::sequence, static_cast<uint32_t>(stream));
      observe_sequence(stream, load_be32(p.data() + 8));
    }
  } else {
    if (final_)
      ++summary_.unsupported;
    return;
  }
  if (final_) {
    int64_t export_s = load_be32(p.data() + (version == 10 ? 4 : 8));
    bool first = !seen_export_;
    seen_export_ = true;
    summary_.first_export_s = first ? export_s : std::min(summary_.first_export_s, export_s);
    summary_.last_export_s = first ? export_s : std::max(summary_.last_export_s, export_s);
  }
  data_records = data_records_;
  options_records = options_records_;
}

void export_walker::walk_v5(const captured_datagram& d) {
  constexpr size_t header = 24, record = 48;
  const uint8_t* h = d.payload.data();
  size_t count = std::min<size_t>(load_be16(h + 2), (d.payload.size() - header) / record);
  data_records_ = static_cast<uint32_t>(count);
  if (!final_)
    return;
  site(4, 4, shift_unit::milliseconds); // sysUptime
  site(8, 4, shift_unit::seconds);      // unix_secs; unix_nsecs stays, the shift is whole seconds
  for (size_t i = 0; i < count; ++i) {
    size_t r = header + i * record;
    site(r + 24, 4, shift_unit::milliseconds); // First
    site(r + 28, 4, shift_unit::milliseconds); // Last
  }
  uint32_t engine = (uint32_t{h[20]} << 8) | h[21];
  size_t stream = stream_for(d.source, 5, engine);
  site(16, 4, shift_unit::sequence, static_cast<uint32_t>(stream));
  observe_sequence(stream, load_be32(h + 16));
}

void export_walker::walk_sets(const captured_datagram& d, uint16_t version, uint32_t domain,
                              size_t offset, size_t end) {
  const uint8_t* p = d.payload.data();
  const uint16_t template_set = version == 9 ? 0 : 2;
  const uint16_t options_set = version == 9 ? 1 : 3;
  while (offset + 4 <= end) {
    uint16_t id = load_be16(p + offset);
    size_t length = load_be16(p + offset + 2);
    if (length < 4 || offset + length > end)
      return; // the rest cannot be walked; the decoder counts this, the replay sends it as is
    byte_view payload{p + offset + 4, length - 4};
    if (id == template_set || id == options_set) {
      read_templates(d.source, version, domain, payload, id);
    } else if (id >= 256) {
      auto it = templates_.find(template_key{d.source, version, domain, id});
      if (it != templates_.end())
        read_records(it->second, version == 9, offset + 4, payload);
      else if (final_)
        ++summary_.unknown_sets;
    }
    offset += length;
  }
}

void export_walker::read_templates(const endpoint& from, uint16_t version, uint32_t domain,
                                   byte_view set, uint16_t set_id) {
  using status = template_parse::status;
  bool options = set_id == 1 || set_id == 3;
  size_t pos = 0;
  while (pos < set.size) {
    byte_view rest = set.sub(pos, set.size - pos);
    template_parse r = version == 9 ? (options ? parse_v9_options_template(rest, limits_)
                                               : parse_v9_template(rest, limits_))
                                    : parse_ipfix_template(rest, options, limits_);
    if (r.result == status::end || r.result == status::stop || r.consumed == 0)
      return;
    if (r.result == status::ok) {
      templates_[template_key{from, version, domain, r.tmpl.id}] = std::move(r.tmpl);
    } else if (r.result == status::withdrawal) {
      templates_.erase(template_key{from, version, domain, r.tmpl.id});
    } else if (r.result == status::withdraw_all) {
      for (auto it = templates_.begin(); it != templates_.end();) {
        const auto& [f, v, dom, id] = it->first;
        bool same = f == from && v == version && dom == domain && it->second.is_options == options;
        it = same ? templates_.erase(it) : std::next(it);
      }
    }
    pos += r.consumed;
  }
}

bool export_walker::read_record(const flow_template& tmpl, bool v9, size_t base, byte_view payload,
                                size_t& pos) {
  size_t q = pos;
  for (size_t i = 0; i < tmpl.fields.size(); ++i) {
    const auto& f = tmpl.fields[i];
    size_t len = f.length;
    if (len == variable_length) {
      if (q >= payload.size)
        return false;
      len = payload.data[q++];
      if (len == 255) {
        if (payload.size - q < 2)
          return false;
        len = load_be16(payload.data + q);
        q += 2;
      }
    }
    if (payload.size - q < len)
      return false;
    // v9 scope fields use their own type numbers; enterprise fields are not IANA's.
    bool scope_v9 = v9 && i < tmpl.scope_field_count;
    if (!scope_v9 && f.enterprise == 0)
      time_site(time_kind_of(f.element_id), base + q, len);
    q += len;
  }
  pos = q;
  return true;
}

void export_walker::read_records(const flow_template& tmpl, bool v9, size_t base,
                                 byte_view payload) {
  size_t pos = 0;
  uint32_t records = 0;
  // Trailing bytes shorter than a record are padding (RFC 7011 3.3.1).
  while (payload.size - pos >= tmpl.min_record_length && read_record(tmpl, v9, base, payload, pos))
    ++records;
  (tmpl.is_options ? options_records_ : data_records_) += records;
}

} // namespace hostflow::bench::detail

// Templates and sampling rates saved from one decoder and restored into a
// fresh one, as across a daemon restart: real captures decode the same after
// the restart as without it, restoring stays within every limit, and only
// domains the exporter changed are due for saving.

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "flow/capture_file.hpp"
#include "flow/flow_decoder.hpp"
#include "flow/ipfix_fixture.hpp"
#include "template_datagrams.hpp"

using namespace hostflow;
using namespace hostflow::test;
namespace fs = std::filesystem;

namespace {

const fs::path flows_dir = fs::path(HOSTFLOW_TESTDATA_DIR) / "flows";

std::vector<captured_datagram> read_all(const std::vector<std::string>& files) {
  std::vector<captured_datagram> out;
  for (const auto& f : files) {
    std::string error;
    auto contents = read_capture((flows_dir / f).string(), error);
    REQUIRE_MESSAGE(contents, error);
    for (auto& dg : contents->datagrams)
      out.push_back(std::move(dg));
  }
  return out;
}

void decode(flow_decoder& d, const captured_datagram& dg, std::vector<flow_record>& out) {
  d.decode(dg.source, byte_view{dg.payload.data(), dg.payload.size()}, dg.timestamp_ms, out);
}

void check_same(const flow_record& a, const flow_record& b) {
  CHECK(a.src_addr == b.src_addr);
  CHECK(a.dst_addr == b.dst_addr);
  CHECK(a.next_hop == b.next_hop);
  CHECK(a.exporter == b.exporter);
  CHECK(a.packets == b.packets);
  CHECK(a.bytes == b.bytes);
  CHECK(a.start_ms == b.start_ms);
  CHECK(a.end_ms == b.end_ms);
  CHECK(a.observation_domain == b.observation_domain);
  CHECK(a.input_if == b.input_if);
  CHECK(a.output_if == b.output_if);
  CHECK(a.src_as == b.src_as);
  CHECK(a.dst_as == b.dst_as);
  CHECK(a.sampling_interval == b.sampling_interval);
  CHECK(a.src_port == b.src_port);
  CHECK(a.dst_port == b.dst_port);
  CHECK(a.protocol == b.protocol);
  CHECK(a.tcp_flags == b.tcp_flags);
  CHECK(a.tos == b.tos);
  CHECK(a.src_mask == b.src_mask);
  CHECK(a.dst_mask == b.dst_mask);
  CHECK(a.icmp_type == b.icmp_type);
  CHECK(a.icmp_code == b.icmp_code);
  CHECK(a.direction == b.direction);
  CHECK(a.protocol_version == b.protocol_version);
  CHECK(a.reverse_half == b.reverse_half);
}

struct restart_case {
  std::vector<std::string> files; ///< in the order the exporter sent them
  size_t before_restart;          ///< datagrams decoded before the restart
  bool sampled;                   ///< some records take a rate from options data
};

// A v9 template 256 message with IPv4 addresses and packets; `n` records.
std::vector<uint8_t> v9_datagram(uint32_t sequence, int n, bool with_template) {
  v9_builder m(sequence, 1);
  if (with_template) {
    m.begin_set(0);
    m.template_record(256, {{8, 4}, {12, 4}, {2, 4}});
    m.end_set();
  }
  m.begin_set(256);
  for (int i = 0; i < n; ++i) {
    m.ipv4("10.0.0.1");
    m.ipv4("10.0.0.2");
    m.u32(5);
  }
  m.end_set();
  return m.finish();
}

// An IPFIX snapshot of `count` one-field templates 256, 257, ...
template_snapshot snapshot_of(size_t count, uint32_t domain = 1) {
  template_snapshot s;
  s.exporter = ipfix_exporter;
  s.version = 10;
  s.domain = domain;
  for (size_t i = 0; i < count; ++i)
    s.templates.push_back(template_spec{static_cast<uint16_t>(256 + i), false, 0, {{8, 4}}});
  return s;
}

} // namespace

TEST_CASE("after a restart from saved templates, data-only datagrams decode as without it") {
  const std::vector<restart_case> cases = {
    {{"akvorado/multiplesamplingrates-options-template.pcap",
      "akvorado/multiplesamplingrates-options-data.pcap",
      "akvorado/multiplesamplingrates-template.pcap", "akvorado/multiplesamplingrates-data.pcap"},
     3, true},
    {{"pmacct/101-NFv9-CISCO-cust_primitives/traffic-00.pcap"}, 1, false},
    {{"pmacct/104-IPFIXv10-IPv6-CISCO-sampling_option/traffic-00.pcap"}, 3, true},
    {{"pmacct/106-IPFIXv10-HUAWEI-vrf_name/traffic-00.pcap"}, 4, false},
    {{"akvorado/options-template.pcap", "akvorado/options-data.pcap", "akvorado/template.pcap",
      "akvorado/data.pcap"},
     3, true},
    {{"logstash-codec-netflow/netflow9_test_cisco_asa_1_tpl.dat",
      "logstash-codec-netflow/netflow9_test_cisco_asa_1_data.dat"},
     1, false},
    {{"akvorado/ipfixprobe-templates.pcap", "akvorado/ipfixprobe-data.pcap"}, 1, false},
    {{"logstash-codec-netflow/ipfix_test_netscaler_tpl.dat",
      "logstash-codec-netflow/ipfix_test_netscaler_data.dat"},
     1, false},
    {{"pmacct/400-IPFIXv10-BMP-CISCO-SRv6-multiple-sources/traffic-00.pcap"}, 100, false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.files.back());
    auto datagrams = read_all(c.files);
    REQUIRE(datagrams.size() > c.before_restart);
    flow_decoder uninterrupted, before;
    std::vector<flow_record> ignored;
    for (size_t i = 0; i < c.before_restart; ++i) {
      decode(uninterrupted, datagrams[i], ignored);
      decode(before, datagrams[i], ignored);
    }
    auto saved = before.save_templates();
    REQUIRE_FALSE(saved.empty());

    // Through the stored form, into a decoder that never saw the exporter.
    flow_decoder after;
    size_t restored = 0, template_count = 0;
    for (const auto& s : saved) {
      auto stored = decode_template_snapshot(encode_template_snapshot(s));
      REQUIRE(stored);
      CHECK(*stored == s);
      auto r = after.restore_templates(*stored, datagrams[c.before_restart].timestamp_ms);
      CHECK(r.refused == 0);
      restored += r.templates;
      template_count += s.templates.size();
    }
    CHECK(restored == template_count);
    CHECK(after.template_memory() == before.template_memory());
    CHECK(after.save_templates(true).empty()); // what was restored is what is stored

    flow_decoder cold; // restarted without templates
    std::vector<flow_record> expected, got, cold_records;
    size_t data_only = 0;
    for (size_t i = c.before_restart; i < datagrams.size(); ++i) {
      if (carries_templates(datagrams[i].payload))
        continue;
      ++data_only;
      decode(uninterrupted, datagrams[i], expected);
      decode(after, datagrams[i], got);
      decode(cold, datagrams[i], cold_records);
    }
    CHECK(data_only > 0);
    CHECK(!expected.empty());
    CHECK(cold_records.size() < expected.size());
    REQUIRE(got.size() == expected.size());
    bool sampled = false;
    for (size_t i = 0; i < got.size(); ++i) {
      CAPTURE(i);
      check_same(got[i], expected[i]);
      sampled = sampled || got[i].sampling_interval > 1;
    }
    CHECK(sampled == c.sampled);
    auto a = after.totals(), u = uninterrupted.totals();
    CHECK(a.data_records == u.data_records - before.totals().data_records);
    CHECK(a.undecoded_data_sets == u.undecoded_data_sets - before.totals().undecoded_data_sets);
    CHECK(a.estimated_times == u.estimated_times - before.totals().estimated_times);
  }
}

TEST_CASE("restored templates stay within the template limit, and refusals are counted") {
  decoder_limits limits;
  limits.max_templates_per_exporter = 3;
  ipfix_fixture f(limits);
  auto r = f.decoder.restore_templates(snapshot_of(5), 0);
  CHECK(r.templates == 3);
  CHECK(r.refused == 2);
  CHECK(f.errors(decode_error::template_limit) == 2);
  // A second domain of the same exporter finds the exporter's budget spent.
  r = f.decoder.restore_templates(snapshot_of(2, 2), 0);
  CHECK(r.templates == 0);
  CHECK(r.refused == 2);
  CHECK(f.errors(decode_error::template_limit) == 4);
}

TEST_CASE("restored templates stay within the field, memory, domain and exporter limits") {
  SUBCASE("fields per template") {
    decoder_limits limits;
    limits.max_fields_per_template = 2;
    ipfix_fixture f(limits);
    auto s = snapshot_of(1);
    s.templates.push_back(template_spec{300, false, 0, {{8, 4}, {12, 4}, {2, 8}}});
    auto r = f.decoder.restore_templates(s, 0);
    CHECK(r.templates == 1);
    CHECK(r.refused == 1);
    CHECK(f.errors(decode_error::template_too_large) == 1);
  }
  SUBCASE("template memory") {
    decoder_limits limits;
    limits.max_template_memory = 3 * sizeof(flow_template);
    ipfix_fixture f(limits);
    auto r = f.decoder.restore_templates(snapshot_of(10), 0);
    CHECK(r.templates >= 1);
    CHECK(r.refused >= 1);
    CHECK(r.templates + r.refused == 10);
    CHECK(f.decoder.template_memory() <= limits.max_template_memory);
    CHECK(f.errors(decode_error::template_memory) == r.refused);
  }
  SUBCASE("domains per exporter") {
    decoder_limits limits;
    limits.max_domains_per_exporter = 1;
    ipfix_fixture f(limits);
    CHECK(f.decoder.restore_templates(snapshot_of(1, 1), 0).templates == 1);
    auto r = f.decoder.restore_templates(snapshot_of(1, 2), 0);
    CHECK(r.templates == 0);
    CHECK(r.refused == 1);
    CHECK(f.errors(decode_error::domain_limit) == 1);
  }
  SUBCASE("exporters, where a restored exporter that never sent gives way to a live one") {
    decoder_limits limits;
    limits.max_exporters = 1;
    flow_decoder d(limits);
    auto s = snapshot_of(1);
    CHECK(d.restore_templates(s, 0).templates == 1);
    s.exporter.port = 9999;
    auto r = d.restore_templates(s, 0);
    CHECK(r.templates == 0); // the table is full and its exporter not idle long enough
    CHECK(r.refused == 1);
    std::vector<flow_record> out;
    auto dg = template_and_data(0, 1);
    d.decode(s.exporter, byte_view{dg.data(), dg.size()}, 20 * 60'000, out);
    CHECK(out.size() == 1);
    CHECK(d.rejected_datagrams() == 0);
  }
}

TEST_CASE("a restored template does not replace one the exporter sent since") {
  ipfix_fixture f;
  f.feed(template_and_data(0, 1));
  auto s = snapshot_of(2); // domain 1, as the fixture's messages
  auto r = f.decoder.restore_templates(s, 0);
  CHECK(r.kept == 1);
  CHECK(r.templates == 1);
  f.feed(template_and_data(1, 1, false));
  REQUIRE(f.out.size() == 2);
  CHECK(f.out[1].src_addr.to_string() == "10.1.0.1"); // decoded with the wire template
}

TEST_CASE("only domains whose templates or sampling changed are due for saving") {
  const endpoint exporter{*ip_address::parse("192.0.2.20"), 40000};
  decoder_fixture f(exporter);
  CHECK(f.decoder.save_templates(true).empty());
  f.feed(v9_datagram(0, 1, true));
  auto due = f.decoder.save_templates(true);
  REQUIRE(due.size() == 1);
  CHECK(due[0].exporter == exporter);
  CHECK(due[0].version == 9);
  CHECK(due[0].domain == 1);
  f.decoder.mark_saved(due[0]);
  CHECK(f.decoder.save_templates(true).empty());
  f.feed(v9_datagram(1, 1, true)); // the same template again: a refresh, not a change
  f.feed(v9_datagram(2, 3, false));
  CHECK(f.decoder.save_templates(true).empty());
  CHECK(f.decoder.save_templates().size() == 1);

  // Saved, then changed before the save was marked: it stays due.
  auto stale = f.decoder.save_templates();
  v9_builder m(3, 1);
  m.begin_set(0);
  m.template_record(256, {{8, 4}, {12, 4}});
  m.end_set();
  f.feed(m.finish());
  f.decoder.mark_saved(stale[0]);
  CHECK(f.decoder.save_templates(true).size() == 1);
}

TEST_CASE("a withdrawn IPFIX domain is due for saving with nothing left in it") {
  ipfix_fixture f;
  f.feed(template_and_data(0, 1));
  f.decoder.mark_saved(f.decoder.save_templates(true).at(0));
  ipfix_builder all(1);
  all.begin_set(2);
  all.u16(2);
  all.u16(0);
  all.end_set();
  f.feed(all.finish());
  auto due = f.decoder.save_templates(true);
  REQUIRE(due.size() == 1);
  CHECK(due[0].empty());
}

TEST_CASE("restored sampling rates and init time yield to what the exporter announces") {
  ipfix_fixture f;
  auto s = snapshot_of(1, 0);
  s.samplers = {{5, 100}};
  s.default_sampling = 10;
  s.system_init_ms = 1000;
  f.decoder.restore_templates(s, 0);
  auto saved = f.decoder.save_templates();
  REQUIRE(saved.size() == 1);
  CHECK(saved[0] == s);
  s.samplers = {{5, 7}, {6, 3}};
  s.default_sampling = 2;
  s.system_init_ms = 5;
  f.decoder.restore_templates(s, 0); // a second restore only fills gaps
  saved = f.decoder.save_templates();
  REQUIRE(saved.size() == 1);
  CHECK(saved[0].samplers == std::vector<sampler_rate>{{5, 100}, {6, 3}});
  CHECK(saved[0].default_sampling == 10);
  CHECK(saved[0].system_init_ms == 1000);
}

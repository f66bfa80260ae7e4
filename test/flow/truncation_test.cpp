// Real export datagrams cut at every offset: the decoder must never read past
// the cut, never crash, never produce more than the whole datagram holds, and
// count an error where the format makes the cut visible.

#include <doctest/doctest.h>

#include <string>

#include "flow/capture_file.hpp"
#include "flow/flow_decoder.hpp"

using namespace hostflow;

namespace {

std::vector<uint8_t> first_datagram(const std::string& relative) {
  std::string error;
  auto contents = read_capture(std::string(HOSTFLOW_TESTDATA_DIR) + "/flows/" + relative, error);
  REQUIRE_MESSAGE(contents, error);
  REQUIRE(!contents->datagrams.empty());
  return contents->datagrams.front().payload;
}

// Decodes the whole datagram, then every proper prefix of it with a fresh
// decoder that already knows the templates of `setup` (may be empty).
void cut_everywhere(const std::string& relative, const std::string& setup = {}) {
  CAPTURE(relative);
  auto whole = first_datagram(relative);
  std::vector<uint8_t> templates;
  if (!setup.empty())
    templates = first_datagram(setup);
  auto primed = [&] {
    auto d = std::make_unique<flow_decoder>();
    std::vector<flow_record> ignored;
    if (!templates.empty())
      d->decode(endpoint{}, byte_view{templates.data(), templates.size()}, 0, ignored);
    return d;
  };
  std::vector<flow_record> out;
  auto full = primed();
  full->decode(endpoint{}, byte_view{whole.data(), whole.size()}, 0, out);
  const size_t all_records = out.size();
  REQUIRE(all_records > 0);
  bool ipfix = load_be16(whole.data()) == 10;
  for (size_t cut = 0; cut < whole.size(); ++cut) {
    CAPTURE(cut);
    // A copy of exactly `cut` bytes: reading past it is a heap overflow under ASan.
    std::vector<uint8_t> prefix(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
    auto d = primed();
    out.clear();
    auto before = d->totals();
    d->decode(endpoint{}, byte_view{prefix.data(), prefix.size()}, 0, out);
    auto got = d->totals().since(before);
    CHECK(out.size() <= all_records);
    if (ipfix || cut < 20) // IPFIX states its length; every format states its header size
      CHECK(got.error_total() > 0);
  }
}

} // namespace

TEST_CASE("NetFlow v5 datagrams cut at every offset decode safely") {
  cut_everywhere("python-netflow-v9-softflowd/PACKET_V5.bin");
  cut_everywhere("akvorado/nfv5.pcap");
}

TEST_CASE("NetFlow v9 datagrams cut at every offset decode safely") {
  cut_everywhere("python-netflow-v9-softflowd/PACKET_V9_TEMPLATE.bin");
  cut_everywhere("logstash-codec-netflow/netflow9_test_cisco_asa_1_data.dat",
                 "logstash-codec-netflow/netflow9_test_cisco_asa_1_tpl.dat");
  cut_everywhere("akvorado/data+templates.pcap"); // data before its template, options
}

TEST_CASE("IPFIX messages cut at every offset decode safely and count the cut") {
  cut_everywhere("python-netflow-v9-softflowd/PACKET_IPFIX_TEMPLATE.bin");
  cut_everywhere("logstash-codec-netflow/ipfix_test_netscaler_data.dat",
                 "logstash-codec-netflow/ipfix_test_netscaler_tpl.dat");
  cut_everywhere("akvorado/ipfixprobe-data.pcap", "akvorado/ipfixprobe-templates.pcap");
  cut_everywhere("akvorado/datalink-data.pcap", "akvorado/datalink-template.pcap");
}

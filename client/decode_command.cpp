#include "client/decode_command.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <utility>

#include <CLI/CLI.hpp>

#include "client/record_json.hpp"
#include "client/text_table.hpp"
#include "flow/capture_file.hpp"
#include "flow/flow_decoder.hpp"

namespace hostflow::client {

namespace {

constexpr const char* command_name = "hostflow decode";

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// The exporters seen so far, by address, so output does not depend on hash order.
std::vector<std::pair<endpoint, exporter_counters>> exporters_of(const flow_decoder& decoder) {
  std::vector<std::pair<endpoint, exporter_counters>> out;
  decoder.for_each_exporter(
      [&](const endpoint& e, const exporter_counters& c) { out.emplace_back(e, c); });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// -- summaries ---------------------------------------------------------------------------

json summary_json(const std::string& file, const exporter_counters& c,
                  const flow_decoder& decoder) {
  json j;
  j["file"] = file;
  j["datagrams"] = c.datagrams;
  j["data_records"] = c.data_records;
  j["options_data_records"] = c.options_data_records;
  j["template_records"] = c.template_records;
  j["options_template_records"] = c.options_template_records;
  j["undecoded_data_sets"] = c.undecoded_data_sets;
  j["errors"] = errors_to_json(c.errors);
  json exporters = json::array();
  for (const auto& [address, counters] : exporters_of(decoder))
    exporters.push_back(exporter_to_json(address, counters));
  j["exporters"] = std::move(exporters);
  return j;
}

// "bad_set_length 2, length_mismatch 1", or "none".
std::string error_list(const error_counters& errors) {
  std::string out;
  for (size_t i = 0; i < decode_error_count; ++i) {
    if (errors[i] == 0)
      continue;
    if (!out.empty())
      out += ", ";
    out += to_string(static_cast<decode_error>(i));
    out += ' ' + std::to_string(errors[i]);
  }
  return out.empty() ? "none" : out;
}

void print_summary_text(std::ostream& out, const std::string& file, capture_format format,
                        const capture_stats& stats, const exporter_counters& c,
                        const flow_decoder& decoder) {
  out << file << " (" << to_string(format) << ")\n";
  text_table counts;
  counts.add_row({"datagrams", std::to_string(c.datagrams)});
  counts.add_row({"data records", std::to_string(c.data_records)});
  counts.add_row({"options data records", std::to_string(c.options_data_records)});
  counts.add_row({"template records", std::to_string(c.template_records)});
  counts.add_row({"options template records", std::to_string(c.options_template_records)});
  counts.add_row({"undecoded data sets", std::to_string(c.undecoded_data_sets)});
  counts.print(out, "  ");
  out << "  errors: " << error_list(c.errors) << '\n';
  if (format == capture_format::pcap || format == capture_format::pcapng)
    out << "  frames: " << stats.frames << " read, " << stats.non_ip << " not IP, " << stats.non_udp
        << " not UDP, " << stats.truncated << " truncated, " << stats.fragments << " fragments\n";
  // Exporter counters are totals since the first file: they span files.
  text_table exporters{{"exporter (all files so far)", "datagrams", "records", "options",
                        "templates", "undecoded", "lost", "errors"}};
  for (const auto& [address, x] : exporters_of(decoder))
    exporters.add_row({address.to_string(), std::to_string(x.datagrams),
                       std::to_string(x.data_records + x.deferred_data_records),
                       std::to_string(x.options_data_records + x.deferred_options_records),
                       std::to_string(x.template_records + x.options_template_records),
                       std::to_string(x.undecoded_data_sets),
                       std::to_string(x.lost_records + x.lost_datagrams),
                       std::to_string(x.error_total())});
  exporters.print(out, "  ");
}

} // namespace

// -- the command -------------------------------------------------------------------------

int run_decode(const decode_options& opts, std::ostream& out, std::ostream& err) {
  flow_decoder decoder;
  std::vector<flow_record> records;
  captured_datagram dg;
  int status = exit_ok;
  for (const auto& file : opts.files) {
    std::string error;
    auto reader = capture_reader::open(file, error);
    if (!reader) {
      err << command_name << ": " << error << '\n';
      status = exit_failure;
      continue;
    }
    const exporter_counters before = decoder.totals();
    while (reader->next(dg)) {
      records.clear();
      int64_t now_ms = dg.timestamp_ms != 0 ? dg.timestamp_ms : wall_clock_ms();
      decoder.decode(dg.source, byte_view{dg.payload.data(), dg.payload.size()}, now_ms, records);
      if (opts.summary)
        continue;
      for (const auto& r : records) {
        if (opts.json)
          out << record_to_json(r, file).dump() << '\n';
        else
          out << to_string(r) << '\n';
      }
    }
    if (!reader->error().empty()) {
      // The datagrams before the damage were decoded and are reported.
      err << command_name << ": " << reader->error() << '\n';
      status = exit_failure;
    }
    if (opts.summary) {
      auto counts = decoder.totals().since(before);
      if (opts.json)
        out << summary_json(file, counts, decoder).dump() << '\n';
      else
        print_summary_text(out, file, reader->format(), reader->stats(), counts, decoder);
    }
  }
  out.flush();
  return status;
}

void add_decode_command(CLI::App& app, command_runner& run) {
  auto opts = std::make_shared<decode_options>();
  auto* cmd = app.add_subcommand(
      "decode", "Decode NetFlow v5/v9 and IPFIX exports from capture files, offline");
  cmd->add_flag("--json", opts->json,
                "Print JSON lines: one object per flow record, or per file with --summary");
  cmd->add_flag("--summary", opts->summary,
                "Print per-file counts (datagrams, records, templates, errors, exporters) "
                "instead of the records");
  cmd->add_option("FILE", opts->files, "Capture or raw datagram file, decoded in order")
      ->required()
      ->type_name("");
  cmd->footer("FILEs are pcap/pcapng captures (their UDP datagrams; other frames are skipped)\n"
              "or raw export datagrams (concatenated v5 datagrams or IPFIX messages, one v9\n"
              "datagram). All FILEs go through one decoder in the order given, so a file of\n"
              "templates can precede the file of data that needs them.\n\n"
              "Examples:\n"
              "  hostflow decode exporter.pcap\n"
              "  hostflow decode --json templates.dat data.dat\n"
              "  hostflow decode --summary --json capture.pcapng\n"
              "Exit status: 0 ok, 1 a file could not be read, 2 usage error.");
  cmd->callback([&run, opts] { run = [opts] { return run_decode(*opts, std::cout, std::cerr); }; });
}

} // namespace hostflow::client

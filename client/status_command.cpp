#include "client/status_command.hpp"

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "client/human_units.hpp"
#include "client/query_json.hpp"
#include "client/text_table.hpp"
#include "client/time_args.hpp"

namespace hostflow::client {

namespace {

void print_status_text(std::ostream& out, const v1::GetStatusResponse& s) {
  const auto& in = s.ingest();
  text_table summary;
  summary.add_row({"version", s.version()});
  for (const auto& n : s.nodes())
    if (n.local())
      summary.add_row({"node", n.name()});
  summary.add_row({"started", s.has_start_time() ? format_time(epoch_ms_of(s.start_time())) : "-"});
  summary.add_row({"uptime", format_duration(ms_of(s.uptime()))});
  summary.add_row({"watermark", s.has_watermark() ? format_time(epoch_ms_of(s.watermark()))
                                                  : "none (no record yet)"});
  summary.add_row({"hosts in memory", format_count(s.hosts_in_memory())});
  summary.add_row({"external hosts", format_count(s.external_hosts_in_memory())});
  summary.add_row({"store", format_bytes(s.store_bytes())});
  summary.add_row({"datagrams", format_count(in.datagrams())});
  summary.add_row({"records", format_count(in.records())});
  summary.add_row({"views to shards", format_count(in.record_views_sent())});
  summary.add_row({"unmonitored", format_count(in.unmonitored())});
  summary.add_row({"dropped views", format_count(in.dropped_record_views())});
  summary.add_row({"kernel drops", format_count(in.kernel_drops())});
  summary.add_row({"decode errors", format_count(in.decode_errors())});
  summary.add_row({"lost (per sequence)", format_count(in.lost_records()) + " records, " +
                                              format_count(in.lost_datagrams()) + " datagrams"});
  summary.print(out);

  out << "\nshards\n";
  text_table shards{{"shard", "watermark", "views", "packets", "bytes", "hosts", "external",
                     "memory", "closed", "late", "too old"}};
  for (const auto& sh : s.shards())
    shards.add_row({std::to_string(sh.shard()),
                    sh.has_watermark() ? format_time(epoch_ms_of(sh.watermark())) : "-",
                    format_count(sh.record_views()), format_count(sh.packets()),
                    format_bytes(sh.bytes()), format_count(sh.hosts()),
                    format_count(sh.external_hosts()),
                    format_bytes(sh.host_memory_bytes() + sh.external_memory_bytes()),
                    format_count(sh.windows_closed()), format_count(sh.late_records()),
                    format_count(sh.too_old_records())});
  shards.print(out, "  ");

  out << "\nexporters\n";
  text_table exporters{
      {"exporter", "listen", "datagrams", "records", "templates", "lost", "errors", "restarts"}};
  for (const auto& r : in.receivers())
    for (const auto& e : r.exporters())
      exporters.add_row({e.exporter(), r.listen(), format_count(e.datagrams()),
                         format_count(e.data_records() + e.deferred_data_records()),
                         format_count(e.template_records() + e.options_template_records()),
                         format_count(e.lost_records() + e.lost_datagrams()),
                         format_count(e.decode_errors()), format_count(e.restarts())});
  exporters.print(out, "  ");
}

} // namespace

int run_status(const status_options& opts, std::ostream& out, std::ostream& err) {
  v1::GetStatusResponse response;
  int code = call_server(opts.connection, err, response, [&](auto& stub, auto* context, auto* r) {
    return stub.GetStatus(context, v1::GetStatusRequest{}, r);
  });
  if (code != exit_ok)
    return code;
  if (opts.json) {
    for (const auto& line : status_to_json(response))
      out << line.dump() << '\n';
  } else {
    print_status_text(out, response);
  }
  out.flush();
  return exit_ok;
}

void add_status_command(CLI::App& app, command_runner& run) {
  auto opts = std::make_shared<status_options>();
  auto* cmd = app.add_subcommand(
      "status", "Show the server's version, uptime, watermark and counters per shard and exporter");
  add_connection_options(*cmd, opts->connection);
  cmd->add_flag("--json", opts->json,
                "Print JSON lines, each with a \"kind\": server, ingest, shard, receiver, "
                "exporter (see docs/CLI.md)");
  cmd->footer("Examples:\n"
              "  hostflow status\n"
              "  hostflow status --json --server 10.0.0.5:50051\n"
              "Exit status: 0 ok, 1 server error or unreachable, 2 usage error.");
  cmd->callback([&run, opts] { run = [opts] { return run_status(*opts, std::cout, std::cerr); }; });
}

} // namespace hostflow::client

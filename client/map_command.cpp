#include "client/map_command.hpp"

#include <iostream>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

#include "client/human_units.hpp"
#include "client/query_json.hpp"
#include "client/text_table.hpp"
#include "flow/cidr.hpp"

namespace hostflow::client {

namespace {

/// "/24" or "24" as a prefix length of `family_bits` or fewer bits.
std::optional<uint32_t> parse_cell(const std::string& text, uint32_t family_bits,
                                   std::string& error) {
  std::string digits = !text.empty() && text[0] == '/' ? text.substr(1) : text;
  bool ok = !digits.empty() && digits.size() <= 3 &&
            digits.find_first_not_of("0123456789") == std::string::npos;
  if (!ok || std::stoul(digits) > family_bits) {
    error = "--cell: \"" + text + "\" is not a prefix length (use /0 to /" +
            std::to_string(family_bits) + ", as /24)";
    return std::nullopt;
  }
  return static_cast<uint32_t>(std::stoul(digits));
}

/// The request the options describe, or nullopt with `error` set. The
/// limits of the cell length against the network are the server's to check,
/// so the rule is stated in one place.
std::optional<v1::GetNetworkMapRequest> make_request(const map_options& opts, std::string& error) {
  std::string why;
  auto network = cidr::parse(opts.network, why);
  if (!network) {
    error = "network: " + why;
    return std::nullopt;
  }
  auto cell = parse_cell(opts.cell, network->network.is_v4() ? 32 : 128, error);
  if (!cell)
    return std::nullopt;
  auto choice = check_window_options(opts.window, error);
  if (!choice)
    return std::nullopt;
  v1::GetNetworkMapRequest req;
  req.set_network(opts.network);
  req.set_cell_prefix_length(*cell);
  req.set_metric(choice->metric);
  req.set_direction(choice->direction);
  req.set_granularity(choice->granularity);
  if (choice->window_start_ms)
    set_epoch_ms(*req.mutable_window_start(), *choice->window_start_ms);
  return req;
}

} // namespace

int run_map(const map_options& opts, std::ostream& out, std::ostream& err) {
  std::string error;
  auto request = make_request(opts, error);
  if (!request)
    return report_error(err, exit_usage, error);
  v1::GetNetworkMapResponse response;
  int code = call_server(opts.connection, err, response, [&](auto& stub, auto* context, auto* r) {
    return stub.GetNetworkMap(context, *request, r);
  });
  if (code != exit_ok)
    return code;
  if (opts.json) {
    for (int i = 0; i < response.cells_size(); ++i)
      out << map_cell_to_json(*request, response, static_cast<size_t>(i)).dump() << '\n';
  } else {
    out << request->network() << " in /" << request->cell_prefix_length() << " cells, "
        << describe_window(request->metric(), request->direction(), response.granularity(),
                           response.window_start(), response.window_open())
        << "\n\n";
    text_table table{{"cell", "value", "hosts"}};
    double total = 0;
    uint64_t hosts = 0;
    for (const auto& c : response.cells()) {
      table.add_row(
          {c.prefix(), format_metric_value(request->metric(), c.value()), format_count(c.hosts())});
      total += c.value();
      hosts += c.hosts();
    }
    if (request->metric() != v1::METRIC_DEVIATION)
      table.add_row({"total", format_metric_value(request->metric(), total), format_count(hosts)});
    table.print(out);
  }
  out.flush();
  return exit_ok;
}

void add_map_command(CLI::App& app, command_runner& run) {
  auto opts = std::make_shared<map_options>();
  auto* cmd = app.add_subcommand(
      "map", "Cut a network into equal prefixes and sum a metric over each one's hosts");
  cmd->add_option("CIDR", opts->network, "The network to map (10.10.0.0/16, 2001:db8::/48)")
      ->required()
      ->type_name("");
  cmd->add_option("--cell", opts->cell,
                  "Prefix length of the cells, as written for the family (/24); at most 16 "
                  "bits longer than the network's")
      ->type_name("/LEN")
      ->capture_default_str();
  add_window_options(*cmd, opts->window);
  add_connection_options(*cmd, opts->connection);
  cmd->add_flag("--json", opts->json, "Print JSON lines, one per cell with traffic");
  cmd->footer("Only cells with traffic in the window are listed, in address order.\n\n"
              "Examples:\n"
              "  hostflow map 10.10.0.0/16\n"
              "  hostflow map 10.10.0.0/16 --cell /24 --by bytes --direction in --json\n"
              "Exit status: 0 ok, 1 server error or unreachable, 2 usage error.");
  cmd->callback([&run, opts] { run = [opts] { return run_map(*opts, std::cout, std::cerr); }; });
}

} // namespace hostflow::client

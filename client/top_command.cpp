#include "client/top_command.hpp"

#include <iostream>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

#include "client/query_json.hpp"
#include "client/query_names.hpp"
#include "client/text_table.hpp"
#include "flow/cidr.hpp"

namespace hostflow::client {

namespace {

/// The request the options describe, or nullopt with `error` set.
std::optional<v1::TopHostsRequest> make_request(const top_options& opts, std::string& error) {
  auto choice = check_window_options(opts.window, error);
  if (!choice)
    return std::nullopt;
  if (opts.limit < 1 || opts.limit > 10'000) {
    error = "--limit: " + std::to_string(opts.limit) + " is not in 1..10000";
    return std::nullopt;
  }
  v1::TopHostsRequest req;
  if (!opts.cidr.empty()) {
    std::string why;
    if (!cidr::parse(opts.cidr, why)) {
      error = "--cidr: " + why;
      return std::nullopt;
    }
    req.set_network(opts.cidr);
  }
  req.set_metric(choice->metric);
  req.set_direction(choice->direction);
  req.set_granularity(choice->granularity);
  if (choice->window_start_ms)
    set_epoch_ms(*req.mutable_window_start(), *choice->window_start_ms);
  req.set_limit(opts.limit);
  return req;
}

} // namespace

int run_top(const top_options& opts, std::ostream& out, std::ostream& err) {
  std::string error;
  auto request = make_request(opts, error);
  if (!request)
    return report_error(err, exit_usage, error);
  v1::TopHostsResponse response;
  int code = call_server(opts.connection, err, response, [&](auto& stub, auto* context, auto* r) {
    return stub.TopHosts(context, *request, r);
  });
  if (code != exit_ok)
    return code;
  if (opts.json) {
    for (int i = 0; i < response.hosts_size(); ++i)
      out << ranked_host_to_json(*request, response, static_cast<size_t>(i)).dump() << '\n';
  } else {
    out << "top hosts by "
        << describe_window(request->metric(), request->direction(), response.granularity(),
                           response.window_start(), response.window_open())
        << (request->network().empty() ? "" : ", in " + request->network()) << "\n\n";
    text_table table{{"rank", "host", to_name(request->metric())}};
    for (int i = 0; i < response.hosts_size(); ++i) {
      const auto& h = response.hosts(i);
      table.add_row(
          {std::to_string(i + 1), h.address(), format_metric_value(request->metric(), h.value())});
    }
    table.print(out);
  }
  out.flush();
  return exit_ok;
}

void add_top_command(CLI::App& app, command_runner& run) {
  auto opts = std::make_shared<top_options>();
  auto* cmd = app.add_subcommand("top", "Rank hosts by a metric in one window, largest first");
  add_window_options(*cmd, opts->window);
  cmd->add_option("--cidr", opts->cidr, "Only hosts in this prefix (10.1.0.0/16)")
      ->type_name("CIDR");
  cmd->add_option("--limit", opts->limit, "How many hosts, 1..10000")
      ->type_name("N")
      ->capture_default_str();
  add_connection_options(*cmd, opts->connection);
  cmd->add_flag("--json", opts->json, "Print JSON lines, one per host, with its rank");
  cmd->footer("Examples:\n"
              "  hostflow top\n"
              "  hostflow top --by peers --direction out --granularity 1m --limit 3\n"
              "  hostflow top --by syn-only --direction in --window 2024-03-04T09:01:00Z --json\n"
              "Exit status: 0 ok, 1 server error or unreachable, 2 usage error.");
  cmd->callback([&run, opts] { run = [opts] { return run_top(*opts, std::cout, std::cerr); }; });
}

} // namespace hostflow::client

#include "client/grpc_connection.hpp"

#include <CLI/CLI.hpp>

#include "client/time_args.hpp"

namespace hostflow::client {

// -- options ------------------------------------------------------------------------------

void add_connection_options(CLI::App& cmd, connection_options& opts) {
  cmd.add_option("--server", opts.server, "hostflowd's gRPC address")
      ->type_name("ADDR:PORT")
      ->capture_default_str();
  cmd.add_option("--timeout", opts.timeout, "Deadline of the call, as a duration (500ms, 5s, 1m)")
      ->type_name("DURATION")
      ->capture_default_str();
}

// -- the connection -------------------------------------------------------------------------

grpc_connection::grpc_connection(std::string server, std::chrono::milliseconds timeout)
    : server_(std::move(server)), timeout_(timeout) {
  auto channel = grpc::CreateChannel(server_, grpc::InsecureChannelCredentials());
  stub_ = v1::Hostflow::NewStub(channel);
}

std::unique_ptr<grpc::ClientContext> grpc_connection::context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout_);
  return ctx;
}

std::string grpc_connection::describe(const grpc::Status& status) const {
  std::string line = "server " + server_ + ": " + code_name(status.error_code()) + ": ";
  // gRPC's own words for a refused connection name no server and no cause a
  // user would look for.
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      status.error_message().find("connect") != std::string::npos)
    return line +
           "cannot connect (is hostflowd running and listening there?): " + status.error_message();
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
      status.error_message() == "Deadline Exceeded")
    return line + "no answer within " + std::to_string(timeout_.count()) +
           " ms (raise --timeout, or check the server)";
  return line + status.error_message();
}

std::unique_ptr<grpc_connection> open_connection(const connection_options& opts,
                                                 std::string& error) {
  std::string why;
  auto timeout = parse_duration(opts.timeout, why);
  if (!timeout) {
    error = "--timeout: " + why;
    return nullptr;
  }
  if (opts.server.empty()) {
    error = "--server: an address is required, as 127.0.0.1:50051";
    return nullptr;
  }
  return std::make_unique<grpc_connection>(opts.server, std::chrono::milliseconds{*timeout});
}

// -- status codes -----------------------------------------------------------------------------

std::string code_name(grpc::StatusCode code) {
  switch (code) {
  case grpc::StatusCode::OK:
    return "OK";
  case grpc::StatusCode::CANCELLED:
    return "CANCELLED";
  case grpc::StatusCode::UNKNOWN:
    return "UNKNOWN";
  case grpc::StatusCode::INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case grpc::StatusCode::DEADLINE_EXCEEDED:
    return "DEADLINE_EXCEEDED";
  case grpc::StatusCode::NOT_FOUND:
    return "NOT_FOUND";
  case grpc::StatusCode::ALREADY_EXISTS:
    return "ALREADY_EXISTS";
  case grpc::StatusCode::PERMISSION_DENIED:
    return "PERMISSION_DENIED";
  case grpc::StatusCode::RESOURCE_EXHAUSTED:
    return "RESOURCE_EXHAUSTED";
  case grpc::StatusCode::FAILED_PRECONDITION:
    return "FAILED_PRECONDITION";
  case grpc::StatusCode::ABORTED:
    return "ABORTED";
  case grpc::StatusCode::OUT_OF_RANGE:
    return "OUT_OF_RANGE";
  case grpc::StatusCode::UNIMPLEMENTED:
    return "UNIMPLEMENTED";
  case grpc::StatusCode::INTERNAL:
    return "INTERNAL";
  case grpc::StatusCode::UNAVAILABLE:
    return "UNAVAILABLE";
  case grpc::StatusCode::DATA_LOSS:
    return "DATA_LOSS";
  case grpc::StatusCode::UNAUTHENTICATED:
    return "UNAUTHENTICATED";
  default:
    return "code " + std::to_string(static_cast<int>(code));
  }
}

} // namespace hostflow::client

#include "client/grpc_connection.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

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
  cmd.add_option("--token-file", opts.token_file,
                 "File holding the bearer token the server asks for (default: the "
                 "HOSTFLOW_TOKEN environment variable, if set)")
      ->type_name("FILE");
  cmd.add_flag("--tls", opts.tls, "Connect with TLS, verifying the server with the system's CAs");
  cmd.add_option("--tls-ca", opts.tls_ca_file,
                 "Connect with TLS, verifying the server with this PEM CA certificate")
      ->type_name("FILE");
}

namespace {

// The whole file, or false with `error` naming the option and the cause.
bool read_option_file(const char* option, const std::string& path, std::string& out,
                      std::string& error) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    error = std::string{option} + ": cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

std::string without_surrounding_space(const std::string& text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// The TLS roots and token `opts` name, or false with a usage error.
bool read_security(const connection_options& opts, channel_security& out, std::string& error) {
  out.tls = opts.tls || !opts.tls_ca_file.empty();
  if (!opts.tls_ca_file.empty() &&
      !read_option_file("--tls-ca", opts.tls_ca_file, out.root_ca_pem, error))
    return false;
  if (!opts.token_file.empty()) {
    std::string text;
    if (!read_option_file("--token-file", opts.token_file, text, error))
      return false;
    out.token = without_surrounding_space(text);
    if (out.token.empty()) {
      error = "--token-file: '" + opts.token_file + "' is empty";
      return false;
    }
  } else if (const char* env = std::getenv("HOSTFLOW_TOKEN")) {
    out.token = without_surrounding_space(env);
  }
  return true;
}

} // namespace

// -- the connection -------------------------------------------------------------------------

grpc_connection::grpc_connection(std::string server, std::chrono::milliseconds timeout,
                                 channel_security security)
    : server_(std::move(server)), timeout_(timeout),
      authorization_(security.token.empty() ? std::string{} : "Bearer " + security.token) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (security.tls) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = security.root_ca_pem;
    credentials = grpc::SslCredentials(options);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  stub_ = v1::Hostflow::NewStub(grpc::CreateChannel(server_, credentials));
}

std::unique_ptr<grpc::ClientContext> grpc_connection::context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout_);
  if (!authorization_.empty())
    ctx->AddMetadata("authorization", authorization_);
  return ctx;
}

std::unique_ptr<grpc::ClientContext> grpc_connection::stream_context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!authorization_.empty())
    ctx->AddMetadata("authorization", authorization_);
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
  channel_security security;
  if (!read_security(opts, security, error))
    return nullptr;
  return std::make_unique<grpc_connection>(opts.server, std::chrono::milliseconds{*timeout},
                                           std::move(security));
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

#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include <grpcpp/grpcpp.h>

#include "client/command.hpp"
#include "hostflow/v1/hostflow.grpc.pb.h"

namespace CLI {
class App;
} // namespace CLI

namespace hostflow::client {

// -- where and how long -------------------------------------------------------------------

/// The server address of the default config's grpc.listen.
inline constexpr const char* default_server = "127.0.0.1:50051";

/// How to reach the server: the options every query command shares.
struct connection_options {
  std::string server = default_server; ///< host:port of hostflowd's gRPC API
  std::string timeout = "5s";          ///< the call's deadline, as a duration
  std::string token_file;              ///< file with the bearer token; empty: $HOSTFLOW_TOKEN
  bool tls = false;                    ///< TLS, verified against the system's CAs
  std::string tls_ca_file;             ///< TLS, verified against this PEM CA instead
};

/// Registers --server, --timeout, --token-file, --tls and --tls-ca on `cmd`.
void add_connection_options(CLI::App& cmd, connection_options& opts);

/// What a connection presents: TLS roots and the bearer token.
struct channel_security {
  bool tls = false;         ///< TLS instead of plaintext
  std::string root_ca_pem;  ///< CAs to verify the server with; empty: the system's
  std::string token;        ///< sent as "authorization: Bearer <token>"; empty: none
};

// -- the connection -------------------------------------------------------------------------

/// A channel to one hostflowd and the stub of its API. Every call made
/// through a context() of it carries the deadline, so no call waits longer
/// than the user asked, and the token when there is one.
class grpc_connection {
public:
  /// A connection to `server` whose calls end after `timeout`.
  grpc_connection(std::string server, std::chrono::milliseconds timeout,
                  channel_security security = {});

  /// The API's stub.
  v1::Hostflow::Stub& stub() { return *stub_; }

  /// A fresh context for one call, its deadline `timeout` from now.
  std::unique_ptr<grpc::ClientContext> context() const;

  /// A context for a stream that lasts until cancelled: the token but no
  /// deadline (the connection itself still has to come up within `timeout`).
  std::unique_ptr<grpc::ClientContext> stream_context() const;

  /// The call's time limit.
  std::chrono::milliseconds timeout() const noexcept { return timeout_; }

  /// One line for a failed call: "server ADDR: CODE: message". An
  /// unreachable server is said so in words beside gRPC's own text.
  std::string describe(const grpc::Status& status) const;

private:
  std::string server_;
  std::chrono::milliseconds timeout_;
  std::string authorization_;
  std::unique_ptr<v1::Hostflow::Stub> stub_;
};

/// A connection as `opts` ask for, or nullptr with `error` set when the
/// timeout is not a duration or a token or CA file cannot be read (a usage
/// error).
std::unique_ptr<grpc_connection> open_connection(const connection_options& opts,
                                                 std::string& error);

/// Opens a connection as `opts` ask and makes one call through it,
/// `call(stub, context, &response)`. Returns exit_ok, or writes the one-line
/// error and returns its exit status: exit_usage for a bad timeout,
/// exit_failure for a failed call.
template <class Response, class Call>
int call_server(const connection_options& opts, std::ostream& err, Response& response,
                Call&& call) {
  std::string error;
  auto connection = open_connection(opts, error);
  if (!connection)
    return report_error(err, exit_usage, error);
  auto context = connection->context();
  grpc::Status status = call(connection->stub(), context.get(), &response);
  if (!status.ok())
    return report_error(err, exit_failure, connection->describe(status));
  return exit_ok;
}

/// The name of a status code as the API documents it ("INVALID_ARGUMENT").
std::string code_name(grpc::StatusCode code);

} // namespace hostflow::client

#pragma once

// Who may use the gRPC API: TLS credentials for the listening port and the
// bearer token every call must carry. Both are off unless configured.

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "server/config.hpp"

namespace hostflow {

/// What the API asks of its clients, read from the files the config names.
struct api_security {
  /// PEM certificate chain and private key; both empty: plaintext.
  std::string tls_cert_pem;
  std::string tls_key_pem;
  /// The bearer token calls must present; empty: none is asked for.
  std::string token;

  /// True when the port serves TLS.
  bool tls() const noexcept { return !tls_cert_pem.empty(); }
};

/// Reads the files `config` names into `out`. Empty on success, else one line
/// naming the key, the file and the cause ("grpc.token_file: cannot read
/// '/etc/hostflow/token': No such file or directory"; an empty token file is
/// refused too, since it would let every call through).
std::string load_api_security(const grpc_config& config, api_security& out);

/// The credentials the port listens with: TLS with the configured chain and
/// key, or plaintext.
std::shared_ptr<grpc::ServerCredentials> server_credentials(const api_security& security);

/// The check every RPC makes before it does anything: the call's
/// `authorization` metadata must read "Bearer <token>". Compares in time
/// independent of where the two differ, so the token cannot be guessed byte
/// by byte from response times.
class bearer_token_check {
public:
  /// Lets every call through when `token` is empty.
  explicit bearer_token_check(std::string token = {});

  /// OK, or UNAUTHENTICATED saying what is missing or wrong.
  grpc::Status check(const grpc::ServerContextBase& ctx) const;

  /// True when calls need a token.
  bool enabled() const noexcept { return !expected_.empty(); }

private:
  std::string expected_; ///< "Bearer <token>", or empty
};

/// True when `a` and `b` are equal, in time that depends only on their
/// lengths.
bool constant_time_equal(const std::string& a, const std::string& b) noexcept;

} // namespace hostflow

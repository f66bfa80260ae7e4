#include "server/api_security.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace hostflow {

namespace {

// The whole file at `path`, or an error line naming `key` and the file.
bool read_file(const std::string& key, const std::string& path, std::string& out,
               std::string& error) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    error = key + ": cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

// Drops the whitespace a text editor or `echo` leaves around a token.
std::string trimmed(const std::string& text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return {};
  auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

} // namespace

std::string load_api_security(const grpc_config& config, api_security& out) {
  std::string error;
  api_security result;
  if (!config.tls_cert_file.empty()) {
    if (!read_file("grpc.tls_cert_file", config.tls_cert_file, result.tls_cert_pem, error) ||
        !read_file("grpc.tls_key_file", config.tls_key_file, result.tls_key_pem, error))
      return error;
    if (result.tls_cert_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
      return "grpc.tls_cert_file: '" + config.tls_cert_file + "' holds no PEM certificate";
    if (result.tls_key_pem.find("PRIVATE KEY-----") == std::string::npos)
      return "grpc.tls_key_file: '" + config.tls_key_file + "' holds no PEM private key";
  }
  if (!config.token_file.empty()) {
    std::string text;
    if (!read_file("grpc.token_file", config.token_file, text, error))
      return error;
    result.token = trimmed(text);
    if (result.token.empty())
      return "grpc.token_file: '" + config.token_file +
             "' is empty (an empty token would let every call through)";
    if (result.token.find_first_of(" \t\r\n") != std::string::npos)
      return "grpc.token_file: '" + config.token_file +
             "' holds more than one word (a token is one line without spaces)";
  }
  out = std::move(result);
  return {};
}

std::shared_ptr<grpc::ServerCredentials> server_credentials(const api_security& security) {
  if (!security.tls())
    return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({security.tls_key_pem, security.tls_cert_pem});
  return grpc::SslServerCredentials(options);
}

bool constant_time_equal(const std::string& a, const std::string& b) noexcept {
  if (a.size() != b.size())
    return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

bearer_token_check::bearer_token_check(std::string token)
    : expected_(token.empty() ? std::string{} : "Bearer " + token) {}

grpc::Status bearer_token_check::check(const grpc::ServerContextBase& ctx) const {
  if (expected_.empty())
    return grpc::Status::OK;
  const auto& metadata = ctx.client_metadata();
  auto found = metadata.find("authorization");
  if (found == metadata.end())
    return {grpc::StatusCode::UNAUTHENTICATED,
            "this hostflowd requires a bearer token: send the metadata "
            "'authorization: Bearer <token>' (hostflow --token-file FILE)"};
  std::string presented(found->second.data(), found->second.size());
  if (!constant_time_equal(presented, expected_))
    return {grpc::StatusCode::UNAUTHENTICATED,
            presented.rfind("Bearer ", 0) == 0
              ? "the bearer token is not the one this hostflowd accepts"
              : "the authorization metadata must read 'Bearer <token>'"};
  return grpc::Status::OK;
}

} // namespace hostflow

#include "flow/ip_address.hpp"

#include <arpa/inet.h>

namespace hostflow {

std::optional<ip_address> ip_address::parse(std::string_view text) {
  if (text.size() >= INET6_ADDRSTRLEN)
    return std::nullopt;
  char buf[INET6_ADDRSTRLEN] = {};
  std::memcpy(buf, text.data(), text.size());
  uint8_t raw[16];
  if (inet_pton(AF_INET, buf, raw) == 1)
    return from_v4_bytes(raw);
  if (inet_pton(AF_INET6, buf, raw) == 1)
    return from_v6_bytes(raw);
  return std::nullopt;
}

bool ip_address::is_unspecified() const noexcept {
  if (is_v4())
    return v4() == 0;
  for (auto b : bytes)
    if (b != 0)
      return false;
  return true;
}

std::string ip_address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4())
    inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof(buf));
  else
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof(buf));
  return buf;
}

std::string endpoint::to_string() const {
  if (address.is_v4())
    return address.to_string() + ":" + std::to_string(port);
  return "[" + address.to_string() + "]:" + std::to_string(port);
}

} // namespace hostflow

#include "state/store.hpp"

namespace hostflow {

const char* to_string(column c) {
  switch (c) {
    case column::windows:
      return "windows";
    case column::baselines:
      return "baselines";
    case column::templates:
      return "templates";
    case column::alerts:
      return "alerts";
    case column::meta:
      return "meta";
    case column::checkpoints:
      return "checkpoints";
    case column::rankings:
      return "rankings";
  }
  return "unknown";
}

const char* to_string(store_errc code) {
  switch (code) {
    case store_errc::ok:
      return "ok";
    case store_errc::not_found:
      return "not_found";
    case store_errc::invalid_argument:
      return "invalid_argument";
    case store_errc::io_error:
      return "io_error";
    case store_errc::no_space:
      return "no_space";
    case store_errc::read_only:
      return "read_only";
    case store_errc::corruption:
      return "corruption";
    case store_errc::busy:
      return "busy";
    case store_errc::unknown:
      return "unknown";
  }
  return "unknown";
}

std::string store_status::to_string() const {
  if (ok())
    return "ok";
  std::string s = hostflow::to_string(code);
  if (!message.empty()) {
    s += ": ";
    s += message;
  }
  return s;
}

void write_batch::put(column cf, std::string_view key, std::string_view value) {
  ops_.push_back(op{op_kind::put, cf, std::string{key}, std::string{value}});
  bytes_ += key.size() + value.size();
}

void write_batch::erase(column cf, std::string_view key) {
  ops_.push_back(op{op_kind::erase, cf, std::string{key}, {}});
  bytes_ += key.size();
}

void write_batch::erase_range(column cf, std::string_view begin, std::string_view end) {
  ops_.push_back(op{op_kind::erase_range, cf, std::string{begin}, std::string{end}});
  bytes_ += begin.size() + end.size();
}

void write_batch::clear() noexcept {
  ops_.clear();
  bytes_ = 0;
}

} // namespace hostflow

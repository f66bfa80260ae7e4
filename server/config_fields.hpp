#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/config.hpp"

namespace hostflow::detail {

/// One integer key of the config file: its dotted path, its range, and how it
/// maps onto server_config. Parsing, validation and to_json all read this one
/// table, so a key's name and range are written down once.
struct integer_field {
  const char* path; ///< "decoder.max_exporters"
  uint64_t min;     ///< smallest accepted value, in the key's unit
  uint64_t max;     ///< largest accepted value, in the key's unit

  /// The member's value in the key's unit (seconds for `*_seconds` keys).
  uint64_t (*get)(const server_config&);

  /// Stores a value in the key's unit; only called with min <= value <= max.
  void (*set)(server_config&, uint64_t);
};

/// Every integer key, in the order docs/CONFIG.md lists them.
const std::vector<integer_field>& integer_fields();

/// The integer key at `path`, or null when there is none.
const integer_field* find_integer_field(std::string_view path);

/// "must be 1..65535": the range as error messages state it.
std::string range_text(const integer_field& field);

/// "must be 0..4294967295", for integers that are not in the table.
std::string range_text(uint64_t min, uint64_t max);

/// "'x:1' is not a valid address:port (reason)": one wording for the file and
/// the command line.
std::string listen_error(std::string_view text, const std::string& reason);

/// "'x' is not a log level (one of trace, ...)", for the file and the command line.
std::string log_level_error(std::string_view text);

/// "'10.0.0.0/33' is not a network (prefix length '33' is not 0..32)", or
/// cidr::parse's reason alone when it already names the text ("'10.1.0.0/8'
/// has host bits set (did you mean 10.0.0.0/8?)"); for the file and the
/// command line.
std::string network_error(std::string_view text, const std::string& reason);

/// The keys that hold objects of further keys.
bool is_section(std::string_view path);

} // namespace hostflow::detail

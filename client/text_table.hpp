#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace hostflow::client {

/// Rows of text in aligned columns for a terminal: the first column is
/// left-aligned (names), the others right-aligned (numbers).
class text_table {
public:
  /// `header` is the first line; empty for a table without one.
  explicit text_table(std::vector<std::string> header = {});

  /// Adds a row; rows may have fewer cells than the widest one.
  void add_row(std::vector<std::string> cells);

  /// Writes the table, every line starting with `indent`.
  void print(std::ostream& out, const std::string& indent = "") const;

private:
  std::vector<std::vector<std::string>> rows_; ///< the header first, if any
};

} // namespace hostflow::client

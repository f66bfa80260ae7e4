#include "client/text_table.hpp"

#include <algorithm>
#include <ostream>

namespace hostflow::client {

text_table::text_table(std::vector<std::string> header) {
  if (!header.empty())
    rows_.push_back(std::move(header));
}

void text_table::add_row(std::vector<std::string> cells) {
  rows_.push_back(std::move(cells));
}

void text_table::print(std::ostream& out, const std::string& indent) const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows_) {
    std::string line = indent;
    for (size_t i = 0; i < row.size(); ++i) {
      std::string pad(widths[i] - row[i].size(), ' ');
      if (i == 0)
        line += row[i] + pad;
      else
        line += "  " + pad + row[i];
    }
    // A row of one cell would otherwise end in padding.
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  }
}

} // namespace hostflow::client

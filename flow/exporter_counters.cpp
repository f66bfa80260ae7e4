#include "flow/exporter_counters.hpp"

namespace hostflow {

namespace {

// Applies `fn(mine, theirs)` to every counter pair; one list keeps += and
// since() from drifting apart when a counter is added.
template <class Self, class Other, class Fn>
void for_each_counter(Self& self, Other& other, Fn fn) {
  fn(self.datagrams, other.datagrams);
  fn(self.datagram_bytes, other.datagram_bytes);
  fn(self.data_records, other.data_records);
  fn(self.options_data_records, other.options_data_records);
  fn(self.reverse_records, other.reverse_records);
  fn(self.template_records, other.template_records);
  fn(self.options_template_records, other.options_template_records);
  fn(self.template_withdrawals, other.template_withdrawals);
  fn(self.undecoded_data_sets, other.undecoded_data_sets);
  fn(self.deferred_data_records, other.deferred_data_records);
  fn(self.deferred_options_records, other.deferred_options_records);
  fn(self.expired_data_sets, other.expired_data_sets);
  fn(self.lost_records, other.lost_records);
  fn(self.lost_datagrams, other.lost_datagrams);
  fn(self.reordered_datagrams, other.reordered_datagrams);
  fn(self.duplicate_datagrams, other.duplicate_datagrams);
  fn(self.restarts, other.restarts);
  fn(self.estimated_times, other.estimated_times);
  for (size_t i = 0; i < decode_error_count; ++i)
    fn(self.errors[i], other.errors[i]);
}

} // namespace

uint64_t exporter_counters::error_total() const noexcept {
  uint64_t sum = 0;
  for (auto n : errors)
    sum += n;
  return sum;
}

exporter_counters& exporter_counters::operator+=(const exporter_counters& other) noexcept {
  for_each_counter(*this, other, [](uint64_t& a, const uint64_t& b) { a += b; });
  return *this;
}

exporter_counters exporter_counters::since(const exporter_counters& earlier) const noexcept {
  exporter_counters out = *this;
  for_each_counter(out, earlier, [](uint64_t& a, const uint64_t& b) { a -= b; });
  return out;
}

} // namespace hostflow

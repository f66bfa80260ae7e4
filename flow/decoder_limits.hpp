#pragma once

#include <cstddef>
#include <cstdint>

namespace hostflow {

/// Bounds on what exporters can make the decoder hold. Defaults are sized for
/// a large deployment (thousands of exporters with tens of templates each)
/// while keeping a hostile or broken exporter from exhausting memory.
struct decoder_limits {
  size_t max_exporters = 4096;             ///< exporter addresses tracked at once
  size_t max_domains_per_exporter = 256;   ///< observation domains / source ids per exporter
  size_t max_templates_per_exporter = 4096; ///< templates over all domains of one exporter
  size_t max_fields_per_template = 512;    ///< fields in one template
  size_t max_template_memory = 64u << 20;  ///< bytes of templates over all exporters
  size_t max_pending_bytes_per_exporter = 4u << 20; ///< data sets waiting for a template
  size_t max_pending_bytes_total = 128u << 20;      ///< waiting data over all exporters
  int64_t max_pending_age_ms = 120'000;    ///< how long a data set waits for its template
};

} // namespace hostflow

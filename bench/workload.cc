#include "bench/workload.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <system_error>

namespace eddy::bench {
namespace {

// A function-local static, so registrars in other files may run first.
std::vector<WorkloadInfo>& Registry() {
  static std::vector<WorkloadInfo> registry;
  return registry;
}

template <typename T>
std::vector<T> Pick(const std::vector<T>& filter, const std::vector<T>& defaults) {
  if (filter.empty()) return defaults;
  // A filter may name values outside the default matrix (say --threads 16):
  // it narrows or widens the run, in the order given.
  return filter;
}

std::string FormatNumber(double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", value);
  return buf;
}

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void AppendJsonField(std::string& out, std::string_view key, const std::string& value,
                     bool numeric) {
  out += ',';
  AppendJsonString(out, key);
  out += ':';
  if (numeric) {
    out += value;
  } else {
    AppendJsonString(out, value);
  }
}

std::string FixedNumber(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

class TableReporter final : public Reporter {
 public:
  explicit TableReporter(std::FILE* out) : out_(out) {}

  void Add(const ResultRow& row) override {
    if (row.workload != last_workload_) {
      std::fprintf(out_, "\n%-12s %-8s %7s  %-28s %12s %9s %9s %9s\n", "workload", "engine",
                   "threads", "params", "ops/s", "MB/s", "p50 us", "p99 us");
      last_workload_ = row.workload;
    }
    std::string params;
    for (const Param& p : row.params) {
      if (p.detail) continue;
      if (!params.empty()) params += ' ';
      params += p.key + "=" + p.value;
    }
    std::fprintf(out_, "%-12s %-8s %7d  %-28s %12.0f %9.1f %9.3f %9.3f\n", row.workload.c_str(),
                 row.engine.c_str(), row.threads, params.c_str(), row.ops_per_s, row.mb_per_s,
                 row.p50_us, row.p99_us);
    std::fflush(out_);
  }

  void Note(std::string_view text) override {
    std::fprintf(out_, "# %.*s\n", static_cast<int>(text.size()), text.data());
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  std::string last_workload_;
};

class JsonReporter final : public Reporter {
 public:
  JsonReporter(std::FILE* out, std::FILE* notes, std::vector<Param> run_params)
      : out_(out), notes_(notes), run_params_(std::move(run_params)) {}

  void Add(const ResultRow& row) override {
    std::string line = "{";
    AppendJsonString(line, "workload");
    line += ':';
    AppendJsonString(line, row.workload);
    AppendJsonField(line, "engine", row.engine, false);
    AppendJsonField(line, "threads", std::to_string(row.threads), true);
    AppendJsonField(line, "ops_per_s", FixedNumber(row.ops_per_s, 1), true);
    AppendJsonField(line, "mb_per_s", FixedNumber(row.mb_per_s, 3), true);
    AppendJsonField(line, "p50_us", FixedNumber(row.p50_us, 3), true);
    AppendJsonField(line, "p99_us", FixedNumber(row.p99_us, 3), true);
    AppendJsonField(line, "ops", std::to_string(row.ops), true);
    AppendJsonField(line, "seconds", FixedNumber(row.seconds, 4), true);
    for (const Param& p : row.params)
      AppendJsonField(line, p.key, p.value, p.numeric);
    for (const Param& p : run_params_)
      AppendJsonField(line, p.key, p.value, p.numeric);
    line += "}\n";
    std::fputs(line.c_str(), out_);
    std::fflush(out_);
  }

  void Note(std::string_view text) override {
    std::fprintf(notes_, "# %.*s\n", static_cast<int>(text.size()), text.data());
    std::fflush(notes_);
  }

 private:
  std::FILE* out_;
  std::FILE* notes_;
  std::vector<Param> run_params_;
};

}  // namespace

void ResultRow::AddParam(std::string key, double value) {
  params.push_back({std::move(key), FormatNumber(value), true, false});
}

void ResultRow::AddDetail(std::string key, double value) {
  params.push_back({std::move(key), FormatNumber(value), true, true});
}

std::vector<int> RunConfig::PickThreads(const std::vector<int>& defaults) const {
  return Pick(threads, defaults);
}
std::vector<std::uint32_t> RunConfig::PickValueSizes(
    const std::vector<std::uint32_t>& defaults) const {
  return Pick(value_sizes, defaults);
}
std::vector<SyncMode> RunConfig::PickSyncs(const std::vector<SyncMode>& defaults) const {
  return Pick(syncs, defaults);
}
std::vector<std::uint64_t> RunConfig::PickItems(const std::vector<std::uint64_t>& defaults) const {
  return Pick(items, defaults);
}
std::vector<std::string> RunConfig::PickEngines(const std::vector<std::string>& defaults) const {
  if (engines.empty()) return defaults;
  // Engines are a workload's own vocabulary: keep only the ones it knows.
  std::vector<std::string> picked;
  for (const std::string& e : engines) {
    if (std::find(defaults.begin(), defaults.end(), e) != defaults.end()) picked.push_back(e);
  }
  return picked;
}

Result<std::filesystem::path> RunConfig::MakeCellDir(std::string_view name) const {
  std::filesystem::path path = dir / std::string(name);
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return Status::IOError("remove " + path.string() + ": " + ec.message());
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IOError("create " + path.string() + ": " + ec.message());
  // Let the previous cell's writeback (and its deleted files' journal
  // commits) finish now rather than inside this cell's timing.
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::syncfs(fd);
    ::close(fd);
  }
  return path;
}

std::unique_ptr<Reporter> MakeTableReporter(std::FILE* out) {
  return std::make_unique<TableReporter>(out);
}

std::unique_ptr<Reporter> MakeJsonReporter(std::FILE* out, std::FILE* notes,
                                           std::vector<Param> run_params) {
  return std::make_unique<JsonReporter>(out, notes, std::move(run_params));
}

std::vector<WorkloadInfo> AllWorkloads() {
  std::vector<WorkloadInfo> all = Registry();
  std::sort(all.begin(), all.end(),
            [](const WorkloadInfo& a, const WorkloadInfo& b) { return a.name < b.name; });
  return all;
}

const WorkloadInfo* FindWorkload(std::string_view name) {
  for (const WorkloadInfo& w : Registry()) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

WorkloadRegistrar::WorkloadRegistrar(std::string name, std::string description, WorkloadFn run) {
  Registry().push_back({std::move(name), std::move(description), run});
}

}  // namespace eddy::bench

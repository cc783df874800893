#include "engine/streams/stream_registry.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "common/hash.h"
#include "common/item_codec.h"
#include "eddy/db.h"
#include "engine/streams/registry_entries.h"
#include "engine/streams/stream_names.h"

namespace eddy::engine {

namespace {

// XXH3 of the partition key's encoding: the item key's first component
// (docs/item_format.md, "Encoded keys"), found without decoding the key.
std::uint64_t PartitionKeyHash(std::string_view item_key, const KeySchema& schema) {
  std::string_view partition = item_key;
  if (schema.sort_key) {
    std::string_view rest = item_key;
    if (schema.partition_key.type == AttributeType::kN) {
      if (!Number::DecodeOrdered(&rest).ok()) rest = {};
    } else {
      // S and B end at the first 00 01 (a 00 in the data is written 00 FF).
      std::size_t at = 0;
      while (at + 1 < rest.size() && !(rest[at] == '\0' && rest[at + 1] == '\x01')) {
        at += rest[at] == '\0' ? 2 : 1;
      }
      rest.remove_prefix(std::min(rest.size(), at + 2));
    }
    partition = item_key.substr(0, item_key.size() - rest.size());
  }
  return XXH3_64bits(partition.data(), partition.size());
}

std::string OrdinalDir(std::uint32_t ordinal) {
  char name[16];
  std::snprintf(name, sizeof name, "%06u", ordinal);
  return name;
}

}  // namespace

StreamRegistry::StreamRegistry(StreamOptions options)
    : options_(std::move(options)),
      // Segments span 1/24 of the retention period (an hour by default), so
      // records outlive it by at most that much.
      bucket_us_(std::max<std::uint64_t>(options_.retention_us / 24, 1'000'000)) {}

StreamRegistry::~StreamRegistry() = default;

Result<std::shared_ptr<StreamRegistry::StreamShard>> StreamRegistry::MakeShard(
    Stream* stream, std::uint64_t created_us, Lsn lsn, std::uint64_t hash_lo, std::uint64_t hash_hi,
    std::string parent_id) {
  auto s = std::make_shared<StreamShard>(options_.read_cache_bytes);
  s->ordinal = stream->next_ordinal++;
  s->parent_id = std::move(parent_id);
  s->hash_lo = hash_lo;
  s->hash_hi = hash_hi;
  s->created_us = created_us;
  s->starting_sequence = SequenceOf(lsn, 0);
  EDDY_RETURN_IF_ERROR(OpenShardFiles(*stream, s.get()));
  return s;
}

Status StreamRegistry::OpenShardFiles(const Stream& stream, StreamShard* s) const {
  s->id = ShardId(s->created_us, stream.key, s->ordinal);
  s->window_start_us = s->created_us;
  shards::ShardOptions so;
  so.dir = stream.dir + "/" + OrdinalDir(s->ordinal);
  so.segment_bytes = options_.segment_bytes;
  so.bucket_us = bucket_us_;
  so.tender = &tender_;
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<shards::Shard> shard, shards::Shard::Open(so));
  s->shard = std::move(shard);
  return Status::Ok();
}

void StreamRegistry::NameStream(Stream* stream) const {
  stream->label = StreamLabel(stream->created_us);
  stream->arn = StreamArn(options_.region, options_.account, stream->table_name, stream->label);
  stream->key = std::to_string(stream->table_id) + "-" + std::to_string(stream->created_us);
  stream->dir = options_.dir + "/" + stream->key;
}

Status StreamRegistry::CreateStream(TableId table, std::string_view table_name,
                                    const KeySchema& key_schema, const StreamSpecification& spec,
                                    std::uint64_t created_us, Lsn lsn) {
  auto stream = std::make_shared<Stream>();
  stream->table_id = table;
  stream->table_name = std::string(table_name);
  stream->key_schema = key_schema;
  stream->view_type = spec.view_type;
  // Labels have millisecond precision; two streams of one table never share one.
  do {
    stream->created_us = created_us;
    NameStream(stream.get());
    created_us += 1000;
  } while (by_arn_.contains(stream->arn));

  const std::uint32_t n = spec.initial_shards > 0 ? spec.initial_shards : options_.initial_shards;
  const std::uint64_t width = n == 1 ? 0 : UINT64_MAX / n;
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint64_t lo = width * i;
    const std::uint64_t hi = i + 1 == n ? UINT64_MAX : width * (i + 1) - 1;
    EDDY_ASSIGN_OR_RETURN(auto shard, MakeShard(stream.get(), stream->created_us, lsn, lo, hi, ""));
    stream->open.push_back(shard.get());
    stream->shards.push_back(std::move(shard));
  }
  active_[table] = stream.get();
  std::unique_lock lock(mu_);
  by_arn_[stream->arn] = std::move(stream);
  return Status::Ok();
}

Status StreamRegistry::CloseShard(StreamShard* shard, Lsn lsn, std::uint64_t time_us) {
  // Every record of the shard came from a log record before `lsn`.
  shard->ending_sequence.store(SequenceOf(lsn, 0) - 1, std::memory_order_release);
  {
    std::unique_lock lock(mu_);
    shard->closed_us = time_us;
  }
  return shard->shard->CloseShard();
}

Status StreamRegistry::DisableStream(TableId table, std::uint64_t time_us, Lsn lsn) {
  auto it = active_.find(table);
  if (it == active_.end()) return Status::Ok();
  Stream* stream = it->second;
  active_.erase(it);
  for (StreamShard* shard : stream->open) {
    EDDY_RETURN_IF_ERROR(CloseShard(shard, lsn, time_us));
  }
  stream->open.clear();
  std::unique_lock lock(mu_);
  stream->enabled.store(false, std::memory_order_release);
  stream->disabled_us = time_us;
  return Status::Ok();
}

Status StreamRegistry::ApplyCatalog(const CatalogRecord& r, Lsn lsn) {
  switch (r.op) {
    case CatalogRecord::Op::kCreateTable:
      table_keys_[r.table_id] = r.key_schema;
      if (!r.stream.enabled) return Status::Ok();
      return CreateStream(r.table_id, r.name, r.key_schema, r.stream, r.time_us, lsn);
    case CatalogRecord::Op::kUpdateStream: {
      if (!r.stream.enabled) return DisableStream(r.table_id, r.time_us, lsn);
      auto keys = table_keys_.find(r.table_id);
      if (keys == table_keys_.end()) {
        return Status::Corruption("stream registry: no key schema for table " + r.name + " (id " +
                                  std::to_string(r.table_id) + ")");
      }
      EDDY_RETURN_IF_ERROR(DisableStream(r.table_id, r.time_us, lsn));
      return CreateStream(r.table_id, r.name, keys->second, r.stream, r.time_us, lsn);
    }
    case CatalogRecord::Op::kDeleteTable:
      table_keys_.erase(r.table_id);
      return DisableStream(r.table_id, r.time_us, lsn);
    case CatalogRecord::Op::kUpdateTimeToLive:
      return Status::Ok();
  }
  return Status::Ok();
}

StreamRegistry::StreamShard* StreamRegistry::RouteLocked(Stream* stream, std::uint64_t hash) const {
  auto it = std::upper_bound(stream->open.begin(), stream->open.end(), hash,
                             [](std::uint64_t h, const StreamShard* s) { return h < s->hash_lo; });
  return *(it - 1);
}

Status StreamRegistry::ApplyChanges(std::span<const ItemChange> changes, Lsn lsn,
                                    std::uint64_t time_us) {
  // A record whose segment would already have expired is not kept (replay
  // of an old log).
  const std::uint64_t now = NowUs();
  const bool expired = time_us - time_us % bucket_us_ + bucket_us_ + options_.retention_us <= now;
  for (std::uint32_t i = 0; i < changes.size(); ++i) {
    const ItemChange& c = changes[i];
    auto it = active_.find(c.table_id);
    if (it == active_.end()) continue;
    Stream* stream = it->second;
    StreamShard* shard = RouteLocked(stream, PartitionKeyHash(c.item_key, stream->key_schema));
    shards::RecordView r;
    r.sequence = SequenceOf(lsn, i);
    if (expired) {
      shard->shard->NoteTrimmed(r.sequence);  // reading it stays TrimmedDataAccess
      continue;
    }
    if (r.sequence <= shard->shard->last_sequence()) continue;  // in a segment already
    r.time_us = time_us;
    r.event = static_cast<std::uint8_t>(c.type);
    r.by_service = c.by_service;
    r.keys = c.item_key;
    r.has_new_image = ViewNeedsNewImage(stream->view_type) && c.type != ChangeType::kRemove;
    if (r.has_new_image) r.new_image = c.new_item;
    r.has_old_image =
        ViewNeedsOldImage(stream->view_type) && c.has_old_image && c.type != ChangeType::kInsert;
    if (r.has_old_image) r.old_image = c.old_image;
    EDDY_RETURN_IF_ERROR(shard->shard->Append(r));
    shard->records.fetch_add(1, std::memory_order_relaxed);
    if (!shard->touched) {
      shard->touched = true;
      touched_.push_back(shard);
    }
  }
  return Status::Ok();
}

Status StreamRegistry::ApplyTopology(const ShardTopologyRecord& r, Lsn lsn) {
  auto it = active_.find(r.table_id);
  if (it == active_.end() || it->second->created_us != r.stream_created_us) return Status::Ok();
  Stream* stream = it->second;
  auto pos = std::find_if(stream->open.begin(), stream->open.end(),
                          [&](StreamShard* s) { return s->ordinal == r.shard_ordinal; });
  if (pos == stream->open.end()) return Status::Ok();  // decided twice; the first one won
  StreamShard* parent = *pos;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  if (r.op == ShardTopologyRecord::Op::kSplit && parent->hash_hi > parent->hash_lo) {
    const std::uint64_t mid = parent->hash_lo + (parent->hash_hi - parent->hash_lo) / 2;
    ranges = {{parent->hash_lo, mid}, {mid + 1, parent->hash_hi}};
  } else {
    ranges = {{parent->hash_lo, parent->hash_hi}};
  }
  EDDY_RETURN_IF_ERROR(CloseShard(parent, lsn, r.time_us));
  stream->open.erase(pos);
  std::vector<std::shared_ptr<StreamShard>> children;
  for (auto [lo, hi] : ranges) {
    EDDY_ASSIGN_OR_RETURN(auto child, MakeShard(stream, r.time_us, lsn, lo, hi, parent->id));
    stream->open.insert(std::upper_bound(stream->open.begin(), stream->open.end(), child.get(),
                                         [](const StreamShard* a, const StreamShard* b) {
                                           return a->hash_lo < b->hash_lo;
                                         }),
                        child.get());
    children.push_back(std::move(child));
  }
  std::unique_lock lock(mu_);
  for (auto& child : children)
    stream->shards.push_back(std::move(child));
  return Status::Ok();
}

void StreamRegistry::PublishTouched() {
  for (StreamShard* shard : touched_) {
    shard->touched = false;
    shard->shard->Publish();
  }
  touched_.clear();
}

Status StreamRegistry::FinishRecovery(Lsn last_lsn) {
  std::set<std::string> owned;
  std::vector<std::shared_ptr<StreamShard>> all;
  {
    std::shared_lock lock(mu_);
    for (const auto& [arn, stream] : by_arn_) {
      owned.insert(stream->key);
      all.insert(all.end(), stream->shards.begin(), stream->shards.end());
    }
  }
  for (const auto& shard : all) {
    EDDY_RETURN_IF_ERROR(shard->shard->TruncateAfter(SequenceOf(last_lsn + 1, 0) - 1));
  }
  std::error_code ec;
  if (!std::filesystem::exists(options_.dir, ec)) return Status::Ok();
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir, ec)) {
    // Files (the checkpoint) are the engine's; directories are streams.
    if (!entry.is_directory(ec)) continue;
    if (!owned.contains(entry.path().filename().string())) {
      std::filesystem::remove_all(entry.path(), ec);
    }
  }
  if (ec) return Status::IOError("clean " + options_.dir + ": " + ec.message());
  return Status::Ok();
}

Result<std::size_t> StreamRegistry::Expire() {
  const std::uint64_t now = NowUs();
  if (now < options_.retention_us) return std::size_t{0};
  std::size_t removed = 0;
  const std::uint64_t horizon = now - options_.retention_us;
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::shared_lock lock(mu_);
    for (const auto& [arn, stream] : by_arn_)
      streams.push_back(stream);
  }
  for (const auto& stream : streams) {
    std::vector<std::shared_ptr<StreamShard>> shards;
    {
      std::shared_lock lock(mu_);
      shards = stream->shards;
    }
    std::vector<StreamShard*> gone;
    for (const auto& shard : shards) {
      EDDY_ASSIGN_OR_RETURN(std::size_t segments, shard->shard->ExpireBefore(horizon));
      removed += segments;
      std::uint64_t closed_us;
      {
        std::shared_lock lock(mu_);
        closed_us = shard->closed_us;
      }
      if (shard->shard->closed() && shard->shard->empty() && closed_us <= horizon) {
        EDDY_RETURN_IF_ERROR(shard->shard->RemoveAll());
        ++removed;
        gone.push_back(shard.get());
      }
    }
    std::unique_lock lock(mu_);
    std::erase_if(stream->shards, [&](const std::shared_ptr<StreamShard>& s) {
      return std::find(gone.begin(), gone.end(), s.get()) != gone.end();
    });
    if (!stream->enabled.load() && stream->shards.empty() && stream->disabled_us <= horizon) {
      std::error_code ec;
      std::filesystem::remove_all(stream->dir, ec);
      by_arn_.erase(stream->arn);
    }
  }
  return removed;
}

Status StreamRegistry::SyncAll() {
  std::shared_lock lock(mu_);
  for (const auto& [arn, stream] : by_arn_) {
    for (const auto& shard : stream->shards) {
      EDDY_RETURN_IF_ERROR(shard->shard->Sync());
    }
  }
  return Status::Ok();
}

std::vector<ShardTopologyRecord> StreamRegistry::DueTopologyChanges() {
  const std::uint64_t now = NowUs();
  std::vector<ShardTopologyRecord> due;
  std::lock_guard due_lock(due_mu_);
  std::shared_lock lock(mu_);
  for (const auto& [arn, stream] : by_arn_) {
    if (!stream->enabled.load(std::memory_order_acquire)) continue;
    for (const auto& shard : stream->shards) {
      if (shard->ending_sequence.load(std::memory_order_acquire) != 0) continue;
      ShardTopologyRecord r;
      r.table_id = stream->table_id;
      r.stream_created_us = stream->created_us;
      r.shard_ordinal = shard->ordinal;
      r.time_us = now;
      const std::uint64_t elapsed = now - std::min(now, shard->window_start_us);
      const std::uint64_t records = shard->records.load(std::memory_order_relaxed);
      if (options_.rollover_us > 0 && now >= shard->created_us + options_.rollover_us) {
        r.op = ShardTopologyRecord::Op::kRollover;
        due.push_back(r);
      } else if (elapsed >= kSplitWindowUs) {
        const double rate = static_cast<double>(records - shard->window_records) * 1e6 /
                            static_cast<double>(elapsed);
        shard->window_start_us = now;
        shard->window_records = records;
        if (options_.split_records_per_s > 0 && rate > options_.split_records_per_s) {
          r.op = ShardTopologyRecord::Op::kSplit;
          due.push_back(r);
        }
      }
    }
  }
  return due;
}

// ---- Readers

Result<std::shared_ptr<StreamRegistry::Stream>> StreamRegistry::FindStream(
    std::string_view arn) const {
  if (!arn.starts_with("arn:aws:dynamodb:") || arn.find("/stream/") == std::string_view::npos) {
    return Status::InvalidArgument("Invalid StreamArn");
  }
  std::shared_lock lock(mu_);
  auto it = by_arn_.find(arn);
  if (it == by_arn_.end()) {
    return Status::NotFound("Requested resource not found: Stream: " + std::string(arn) +
                            " not found");
  }
  return it->second;
}

Result<std::shared_ptr<StreamRegistry::StreamShard>> StreamRegistry::FindShard(
    const Stream& stream, std::uint32_t ordinal) const {
  std::shared_lock lock(mu_);
  for (const auto& shard : stream.shards) {
    if (shard->ordinal == ordinal) return shard;
  }
  return Status::NotFound("Requested resource not found: Shard does not exist");
}

Result<ListStreamsResult> StreamRegistry::ListStreams(const ListStreamsRequest& request) const {
  if (request.limit < 1 || request.limit > 100) {
    return Status::InvalidArgument(
        "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member "
        "must have value less than or equal to 100");
  }
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::shared_lock lock(mu_);
    for (const auto& [arn, stream] : by_arn_) {
      if (request.table_name.empty() || stream->table_name == request.table_name) {
        streams.push_back(stream);
      }
    }
  }
  // Oldest first; ARNs as the tie-break keep paging stable.
  std::sort(streams.begin(), streams.end(), [](const auto& a, const auto& b) {
    return std::tie(a->table_name, a->created_us, a->arn) <
           std::tie(b->table_name, b->created_us, b->arn);
  });
  ListStreamsResult out;
  bool started = request.exclusive_start_stream_arn.empty();
  for (const auto& stream : streams) {
    if (!started) {
      started = stream->arn == request.exclusive_start_stream_arn;
      continue;
    }
    if (out.streams.size() == request.limit) {
      out.last_evaluated_stream_arn = out.streams.back().stream_arn;
      break;
    }
    out.streams.push_back({stream->arn, stream->table_name, stream->label});
  }
  return out;
}

Result<StreamDescription> StreamRegistry::DescribeStream(
    const DescribeStreamRequest& request) const {
  if (request.limit < 1 || request.limit > 100) {
    return Status::InvalidArgument("Limit must be between 1 and 100");
  }
  EDDY_ASSIGN_OR_RETURN(std::shared_ptr<Stream> stream, FindStream(request.stream_arn));
  StreamDescription d;
  d.stream_arn = stream->arn;
  d.stream_label = stream->label;
  d.view_type = stream->view_type;
  d.creation_time_us = stream->created_us;
  d.table_name = stream->table_name;
  d.key_schema = stream->key_schema;
  d.status = stream->enabled.load() ? StreamStatus::kEnabled : StreamStatus::kDisabled;
  std::shared_lock lock(mu_);
  bool started = request.exclusive_start_shard_id.empty();
  for (const auto& shard : stream->shards) {
    if (!started) {
      started = shard->id == request.exclusive_start_shard_id;
      continue;
    }
    if (!request.children_of_shard_id.empty() && shard->parent_id != request.children_of_shard_id) {
      continue;
    }
    if (d.shards.size() == request.limit) {
      d.last_evaluated_shard_id = d.shards.back().shard_id;
      break;
    }
    ShardDescription s;
    s.shard_id = shard->id;
    s.parent_shard_id = shard->parent_id;
    s.starting_sequence_number = FormatSequenceNumber(shard->starting_sequence);
    const std::uint64_t ending = shard->ending_sequence.load(std::memory_order_acquire);
    if (ending != 0) s.ending_sequence_number = FormatSequenceNumber(ending);
    d.shards.push_back(std::move(s));
  }
  return d;
}

Result<std::string> StreamRegistry::GetShardIterator(const GetShardIteratorRequest& request) const {
  const bool by_sequence = request.type == ShardIteratorType::kAtSequenceNumber ||
                           request.type == ShardIteratorType::kAfterSequenceNumber;
  if (by_sequence && request.sequence_number.empty()) {
    return Status::InvalidArgument(
        "Must specify a sequence number for AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER");
  }
  if (!by_sequence && !request.sequence_number.empty()) {
    return Status::InvalidArgument(
        "Sequence number may only be specified for AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER");
  }
  EDDY_ASSIGN_OR_RETURN(std::shared_ptr<Stream> stream, FindStream(request.stream_arn));
  std::shared_ptr<StreamShard> shard;
  {
    std::shared_lock lock(mu_);
    for (const auto& s : stream->shards) {
      if (s->id == request.shard_id) shard = s;
    }
  }
  if (!shard) {
    return Status::NotFound("Requested resource not found: Shard does not exist");
  }
  ShardPosition p;
  p.stream_arn = stream->arn;
  p.shard_ordinal = shard->ordinal;
  p.issued_us = NowUs();
  const std::uint64_t trimmed = shard->shard->trimmed_through();
  switch (request.type) {
    case ShardIteratorType::kTrimHorizon:
      p.next_sequence = std::max(shard->starting_sequence, trimmed + 1);
      break;
    case ShardIteratorType::kLatest:
      p.next_sequence = std::max(shard->starting_sequence, shard->shard->last_sequence() + 1);
      break;
    case ShardIteratorType::kAtSequenceNumber:
    case ShardIteratorType::kAfterSequenceNumber: {
      std::optional<std::uint64_t> seq = ParseSequenceNumber(request.sequence_number);
      if (!seq) {
        return Status::InvalidArgument("Invalid SequenceNumber: " + request.sequence_number);
      }
      if (*seq <= trimmed) {
        return Status::TrimmedDataAccess(
            "The requested sequence number is beyond the trim horizon");
      }
      p.next_sequence = *seq + (request.type == ShardIteratorType::kAfterSequenceNumber ? 1 : 0);
      break;
    }
  }
  return EncodeShardIterator(p);
}

StreamRecord StreamRegistry::ToRecord(const Stream& stream, const shards::RecordView& v) const {
  StreamRecord r;
  r.sequence_number = FormatSequenceNumber(v.sequence);
  r.event_id = EventId(stream.arn, v.sequence);
  r.event_name = static_cast<ChangeType>(v.event);
  r.aws_region = options_.region;
  r.approximate_creation_time_us = v.time_us;
  r.view_type = stream.view_type;
  r.by_service = v.by_service;
  // The bytes were checked when logged and when read back from the log;
  // a decoding failure here is a bug.
  Result<Item> keys = DecodeKey(v.keys, stream.key_schema);
  if (keys.ok()) r.keys = std::move(*keys);
  r.size_bytes = ItemSizeBytes(r.keys);
  if (v.has_new_image) {
    Result<Item> item = DecodeItem(v.new_image);
    if (item.ok()) {
      r.size_bytes += ItemSizeBytes(*item);
      r.new_image = std::move(*item);
    }
  }
  if (v.has_old_image) {
    Result<Item> item = DecodeItem(v.old_image);
    if (item.ok()) {
      r.size_bytes += ItemSizeBytes(*item);
      r.old_image = std::move(*item);
    }
  }
  return r;
}

std::shared_ptr<const DecodedRun> StreamRegistry::DecodeRun(const Stream& stream,
                                                            const StreamShard& shard,
                                                            std::uint64_t from,
                                                            std::uint32_t limit) const {
  auto run = std::make_shared<DecodedRun>();
  run->from = from;
  run->next = shard.shard->Read(from, limit, kMaxGetRecordsBytes, [&](const shards::RecordView& v) {
    const std::uint64_t footprint = shards::RecordFootprint(v);
    run->records.push_back(ToRecord(stream, v));
    run->sequences.push_back(v.sequence);
    run->footprints.push_back(static_cast<std::uint32_t>(footprint));
    run->bytes += footprint;
  });
  if (run->records.empty()) return nullptr;
  return run;
}

std::uint64_t StreamRegistry::ReadPage(const Stream& stream, StreamShard& shard, std::uint64_t from,
                                       std::uint32_t limit, StreamRecordPage* page) const {
  // The same page Shard::Read would give (at most `limit` records and
  // kMaxGetRecordsBytes of segment bytes, at least one record), assembled
  // from runs other readers decoded where they exist.
  std::uint64_t position = from;
  std::uint64_t bytes = 0;
  while (page->size() < limit) {
    bool claimed = false;
    std::shared_ptr<const DecodedRun> run =
        shard.decoded.FindOrClaim(position, /*wait=*/page->empty(), &claimed);
    if (run == nullptr) {
      if (!claimed) break;  // another reader is decoding what follows: the page ends here
      run = DecodeRun(stream, shard, position, limit - static_cast<std::uint32_t>(page->size()));
      if (run == nullptr) {
        shard.decoded.Abandon(position);
        break;  // nothing at or past `position` yet
      }
      shard.decoded.Publish(position, run);
    }
    const auto first = static_cast<std::size_t>(
        std::lower_bound(run->sequences.begin(), run->sequences.end(), position) -
        run->sequences.begin());
    std::size_t end = first;
    bool full = false;
    while (end < run->records.size()) {
      const std::size_t taken = page->size() + (end - first);
      if (taken == limit || (taken > 0 && bytes + run->footprints[end] > kMaxGetRecordsBytes)) {
        full = true;
        break;
      }
      bytes += run->footprints[end];
      ++end;
    }
    page->Append(run, run->records.data() + first, end - first);
    if (full) return end > first ? run->sequences[end - 1] + 1 : position;
    position = run->next;  // every record below it has been taken
  }
  return position;
}

Result<GetRecordsResult> StreamRegistry::GetRecords(std::string_view iterator,
                                                    std::uint32_t limit) const {
  if (limit < 1 || limit > kMaxGetRecordsLimit) {
    return Status::InvalidArgument(
        "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member "
        "must have value less than or equal to 1000");
  }
  EDDY_ASSIGN_OR_RETURN(ShardPosition p, DecodeShardIterator(iterator));
  const std::uint64_t now = NowUs();
  if (now > p.issued_us + options_.iterator_lifetime_us) {
    return Status::ExpiredIterator("Iterator expired. The iterator was created at time " +
                                   std::to_string(p.issued_us / 1000) +
                                   " while right now the time is " + std::to_string(now / 1000));
  }
  EDDY_ASSIGN_OR_RETURN(std::shared_ptr<Stream> stream, FindStream(p.stream_arn));
  EDDY_ASSIGN_OR_RETURN(std::shared_ptr<StreamShard> shard, FindShard(*stream, p.shard_ordinal));
  if (p.next_sequence <= shard->shard->trimmed_through()) {
    return Status::TrimmedDataAccess(
        "The operation attempted to read past the oldest stream record in a shard");
  }
  // Read `closed` before the records: a shard seen closed has all its records.
  const bool closed = shard->shard->closed();
  GetRecordsResult out;
  p.next_sequence = ReadPage(*stream, *shard, p.next_sequence, limit, &out.records);
  if (!(closed && p.next_sequence > shard->shard->last_sequence())) {
    p.issued_us = now;
    out.next_shard_iterator = EncodeShardIterator(p);
  }
  return out;
}

Result<bool> StreamRegistry::WaitForRecords(std::string_view iterator,
                                            std::chrono::microseconds timeout) const {
  EDDY_ASSIGN_OR_RETURN(ShardPosition p, DecodeShardIterator(iterator));
  EDDY_ASSIGN_OR_RETURN(std::shared_ptr<Stream> stream, FindStream(p.stream_arn));
  EDDY_ASSIGN_OR_RETURN(std::shared_ptr<StreamShard> shard, FindShard(*stream, p.shard_ordinal));
  return shard->shard->WaitForRecords(p.next_sequence, timeout);
}

class StreamRegistry::Reader final : public ShardReader {
 public:
  Reader(const StreamRegistry* registry, std::shared_ptr<Stream> stream,
         std::shared_ptr<StreamShard> shard, std::uint64_t next_sequence)
      : registry_(registry), stream_(std::move(stream)), shard_(std::move(shard)) {
    cursor_.next_sequence = next_sequence;
  }

  Result<std::size_t> Read(std::size_t limit,
                           const std::function<void(const StreamRecordView&)>& visit) override {
    const shards::Shard& shard = *shard_->shard;
    if (cursor_.next_sequence <= shard.trimmed_through()) {
      return Status::TrimmedDataAccess(
          "The operation attempted to read past the oldest stream record in a shard");
    }
    const bool closed = shard.closed();
    std::size_t n = shard.ReadFrom(&cursor_, static_cast<std::uint32_t>(limit), UINT64_MAX,
                                   [&](const shards::RecordView& r) {
                                     StreamRecordView v;
                                     v.sequence = r.sequence;
                                     v.event_name = static_cast<ChangeType>(r.event);
                                     v.time_us = r.time_us;
                                     v.by_service = r.by_service;
                                     v.keys = r.keys;
                                     v.has_new_image = r.has_new_image;
                                     v.has_old_image = r.has_old_image;
                                     v.new_image = r.new_image;
                                     v.old_image = r.old_image;
                                     visit(v);
                                   });
    ended_ = closed && cursor_.next_sequence > shard.last_sequence();
    return n;
  }

  bool Wait(std::chrono::microseconds timeout) override {
    return shard_->shard->WaitForRecords(cursor_.next_sequence, timeout);
  }

  bool ended() const override { return ended_; }

  std::string shard_iterator() const override {
    ShardPosition p;
    p.stream_arn = stream_->arn;
    p.shard_ordinal = shard_->ordinal;
    p.next_sequence = cursor_.next_sequence;
    p.issued_us = registry_->NowUs();
    return EncodeShardIterator(p);
  }

  StreamRecord Decode(const StreamRecordView& v) const override {
    shards::RecordView r;
    r.sequence = v.sequence;
    r.time_us = v.time_us;
    r.event = static_cast<std::uint8_t>(v.event_name);
    r.by_service = v.by_service;
    r.keys = v.keys;
    r.has_new_image = v.has_new_image;
    r.has_old_image = v.has_old_image;
    r.new_image = v.new_image;
    r.old_image = v.old_image;
    return registry_->ToRecord(*stream_, r);
  }

 private:
  const StreamRegistry* registry_;
  const std::shared_ptr<Stream> stream_;
  const std::shared_ptr<StreamShard> shard_;
  shards::ShardCursor cursor_;
  bool ended_ = false;
};

Result<std::unique_ptr<ShardReader>> StreamRegistry::OpenShardReader(
    std::string_view iterator) const {
  EDDY_ASSIGN_OR_RETURN(ShardPosition p, DecodeShardIterator(iterator));
  EDDY_ASSIGN_OR_RETURN(std::shared_ptr<Stream> stream, FindStream(p.stream_arn));
  EDDY_ASSIGN_OR_RETURN(std::shared_ptr<StreamShard> shard, FindShard(*stream, p.shard_ordinal));
  return std::unique_ptr<ShardReader>(
      new Reader(this, std::move(stream), std::move(shard), p.next_sequence));
}

std::pair<std::string, std::string> StreamRegistry::LatestStream(TableId table) const {
  std::shared_lock lock(mu_);
  const Stream* latest = nullptr;
  for (const auto& [arn, stream] : by_arn_) {
    if (stream->table_id == table &&
        (latest == nullptr || stream->created_us > latest->created_us)) {
      latest = stream.get();
    }
  }
  if (latest == nullptr) return {};
  return {latest->arn, latest->label};
}

}  // namespace eddy::engine

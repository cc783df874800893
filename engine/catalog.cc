#include "engine/catalog.h"

#include <mutex>

namespace eddy::engine {
namespace {

Status TableNotFound(std::string_view name) {
  return Status::NotFound("Requested resource not found: Table: " + std::string(name) +
                          " not found");
}

}  // namespace

std::shared_ptr<const TableState> Catalog::Find(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

std::shared_ptr<const TableState> Catalog::FindById(TableId id) const {
  std::shared_lock lock(mu_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::vector<std::string> Catalog::Names() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> names;
  names.reserve(by_name_.size());
  for (const auto& [name, state] : by_name_)
    names.push_back(name);
  return names;
}

TableId Catalog::NextTableId() const {
  std::shared_lock lock(mu_);
  return next_id_;
}

Status Catalog::Check(const CatalogRecord& r) const {
  std::shared_lock lock(mu_);
  auto it = by_name_.find(r.name);
  switch (r.op) {
    case CatalogRecord::Op::kCreateTable:
      if (it != by_name_.end()) {
        return Status::AlreadyExists("Table already exists: " + r.name);
      }
      return Status::Ok();
    case CatalogRecord::Op::kDeleteTable:
      if (it == by_name_.end()) return TableNotFound(r.name);
      return Status::Ok();
    case CatalogRecord::Op::kUpdateStream: {
      if (it == by_name_.end()) return TableNotFound(r.name);
      const StreamSpecification& now = it->second->description.stream;
      if (r.stream.enabled && now.enabled) {
        return Status::InvalidArgument("Table already has an enabled stream: " + r.name);
      }
      if (!r.stream.enabled && !now.enabled) {
        return Status::InvalidArgument("Table does not have an enabled stream: " + r.name);
      }
      return Status::Ok();
    }
    case CatalogRecord::Op::kUpdateTimeToLive: {
      if (it == by_name_.end()) return TableNotFound(r.name);
      const TimeToLiveSpecification& now = it->second->description.time_to_live;
      if (r.ttl.attribute_name.empty() || r.ttl.attribute_name.size() > 255) {
        return Status::InvalidArgument(
            "TimeToLiveSpecification.AttributeName must be 1 to 255 characters long");
      }
      if (r.ttl.enabled && now.enabled) {
        return Status::InvalidArgument("TimeToLive is already enabled");
      }
      if (!r.ttl.enabled && !now.enabled) {
        return Status::InvalidArgument("TimeToLive is already disabled");
      }
      if (!r.ttl.enabled && r.ttl.attribute_name != now.attribute_name) {
        return Status::InvalidArgument(
            "TimeToLive is active on a different AttributeName: current AttributeName is " +
            now.attribute_name);
      }
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("unknown catalog operation");
}

Result<std::shared_ptr<const TableState>> Catalog::Apply(const CatalogRecord& r) {
  std::unique_lock lock(mu_);
  switch (r.op) {
    case CatalogRecord::Op::kCreateTable: {
      if (by_name_.count(r.name) != 0 || by_id_.count(r.table_id) != 0) {
        return Status::Corruption("catalog: table " + r.name + " created twice");
      }
      auto state = std::make_shared<TableState>();
      state->description.name = r.name;
      state->description.key_schema = r.key_schema;
      state->description.stream = r.stream;
      state->description.table_id = r.table_id;
      state->description.creation_time_us = r.time_us;
      state->item_count = std::make_shared<std::atomic<std::int64_t>>(0);
      by_name_[r.name] = state;
      by_id_[r.table_id] = state;
      next_id_ = std::max(next_id_, r.table_id + 1);
      return std::shared_ptr<const TableState>(state);
    }
    case CatalogRecord::Op::kDeleteTable: {
      auto it = by_name_.find(r.name);
      if (it == by_name_.end() || it->second->id() != r.table_id) return TableNotFound(r.name);
      std::shared_ptr<const TableState> gone = it->second;
      by_id_.erase(gone->id());
      by_name_.erase(it);
      return gone;
    }
    case CatalogRecord::Op::kUpdateStream:
    case CatalogRecord::Op::kUpdateTimeToLive: {
      auto it = by_name_.find(r.name);
      if (it == by_name_.end() || it->second->id() != r.table_id) return TableNotFound(r.name);
      auto state = std::make_shared<TableState>(*it->second);
      if (r.op == CatalogRecord::Op::kUpdateStream) {
        state->description.stream = r.stream;
      } else {
        state->description.time_to_live = r.ttl;
      }
      it->second = state;
      by_id_[state->id()] = state;
      return std::shared_ptr<const TableState>(state);
    }
  }
  return Status::Corruption("catalog: unknown operation");
}

}  // namespace eddy::engine

// The engine-level crash test: a child process opens the Db (sync mode batch)
// and runs writer threads doing puts, updates, deletes and two-item
// transactions; it reports each write down a pipe before issuing it (intent)
// and once it is acknowledged (ack). The parent SIGKILLs the child at a random
// moment, reopens the Db itself and checks, for every key:
//   - every acknowledged write is there: the stored item is what the model
//     built from the acknowledged writes, or
//   - what the one write in flight for that key (an intent without an ack)
//     would have made of it — nothing else. Items are compared whole, so a
//     half-applied write (some attributes of it, a torn item) fails;
//   - a transaction's two items are both at the old state or both at the new
//     one, never one of each;
//   - the table's stream (NEW_AND_OLD_IMAGES) replays, per key, to exactly
//     the stored item: each record's old image is the item before it, no
//     record is missing, doubled or a no-op; and the records of the previous
//     round are still there with the same sequence numbers and event IDs.
// Each writer thread owns its keys and waits for each write before the next,
// so at most one write per key is in flight and the expected state of every
// key is well defined. Every round reopens the same directory, so recovery
// after recovery, and writes continuing after it, are exercised too; some
// kills land inside Db::Open itself.
//
// Reproduce a run: EDDY_CRASH_SEED=<seed printed at the start>.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "eddy/condition.h"
#include "eddy/db.h"
#include "eddy/update.h"
#include "support/temp_dir.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::crash_test {
namespace {

constexpr char kTable[] = "crash";
constexpr int kRounds = 60;
constexpr int kThreads = 4;
constexpr int kKeysPerThread = 8;   // single-item writes: pk "s<thread>", sk 0..7
constexpr int kPairsPerThread = 3;  // transactions: pk "x<thread>", sk 2p and 2p+1

// What one write does. The parent recomputes every write from (kind, thread,
// slot, version), so the messages stay small.
enum class Kind : std::uint8_t {
  kPut = 1,
  kUpdate,          // SET v = version, c = if_not_exists(c, 0) + 1, kind = "upd"; REMOVE tags
  kUpdateIfExists,  // the same under attribute_exists(pk): a no-op on a missing item
  kDelete,
  kTxPut,  // the same on both items of a pair, in one transaction
  kTxUpdate,
  kTxUpdateIfExists,  // the condition is on the pair's first item
  kTxDelete,
};
constexpr int kKindCount = 8;

bool IsTransaction(Kind k) {
  return k >= Kind::kTxPut;
}

// One message on the pipe; written atomically (< PIPE_BUF).
struct Msg {
  enum Type : std::uint8_t { kIntent = 1, kAck, kOpened, kFailed };
  std::uint8_t type;
  Kind kind;
  std::uint16_t thread;
  std::uint32_t slot;  // key index, or pair index for transactions
  std::uint64_t version;
};
static_assert(sizeof(Msg) == 16 && sizeof(Msg) <= PIPE_BUF);

struct KeyId {
  bool pair = false;
  int thread = 0;
  int index = 0;  // sort key
  auto operator<=>(const KeyId&) const = default;
};

std::string KeyName(const KeyId& k) {
  return std::string(k.pair ? "x" : "s") + std::to_string(k.thread) + "/" + std::to_string(k.index);
}

AttributeValue N(std::int64_t n) {
  return AttributeValue::N(Number::FromInt64(n));
}

Item KeyItem(const KeyId& k) {
  Item key;
  key.Set("pk", AttributeValue::S((k.pair ? "x" : "s") + std::to_string(k.thread)));
  key.Set("sk", N(k.index));
  return key;
}

// The keys a write touches.
std::vector<KeyId> KeysOf(Kind kind, int thread, std::uint32_t slot) {
  const int s = static_cast<int>(slot);
  if (IsTransaction(kind)) return {{true, thread, 2 * s}, {true, thread, 2 * s + 1}};
  return {{false, thread, s}};
}

// A payload whose bytes depend on (key, version), sometimes several KB so
// records vary in size and cross segment boundaries.
std::string Pad(const KeyId& k, std::uint64_t version) {
  std::uint64_t h = version * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(k.index) * 131 +
                    static_cast<std::uint64_t>(k.thread) * 7 + (k.pair ? 1 : 0);
  const std::size_t len = (h >> 7) % 50 == 0 ? 3000 + (h >> 20) % 6000 : 8 + (h >> 20) % 300;
  std::string pad(len, '\0');
  for (std::size_t i = 0; i < len; ++i) {
    h = h * 6364136223846793005ull + 1442695040888963407ull;
    pad[i] = static_cast<char>('a' + (h >> 60));
  }
  return pad;
}

Item PutItem(const KeyId& k, std::uint64_t version) {
  Item item = KeyItem(k);
  item.Set("v", N(static_cast<std::int64_t>(version)));
  item.Set("kind", AttributeValue::S("put"));
  item.Set("pad", AttributeValue::S(Pad(k, version)));
  item.Set("tags", *AttributeValue::SS(
                       {"g" + std::to_string(version % 3), "h" + std::to_string(version % 5)}));
  return item;
}

Update MakeUpdate(std::uint64_t version) {
  return Update{upd::Set(Path("v"), N(static_cast<std::int64_t>(version))),
                upd::Set(Path("c"), upd::Plus(upd::IfNotExists(Path("c"), N(0)), N(1))),
                upd::Set(Path("kind"), AttributeValue::S("upd")), upd::Remove(Path("tags"))};
}

// The model of one key's write: what `kind` makes of `old`.
std::optional<Item> ApplyOne(Kind kind, const KeyId& k, std::uint64_t version,
                             const std::optional<Item>& old) {
  switch (kind) {
    case Kind::kPut:
    case Kind::kTxPut:
      return PutItem(k, version);
    case Kind::kDelete:
    case Kind::kTxDelete:
      return std::nullopt;
    default: {
      Item item = old ? *old : KeyItem(k);
      item.Set("v", N(static_cast<std::int64_t>(version)));
      const AttributeValue* c = item.Find("c");
      Result<Number> next = (c != nullptr ? c->AsNumber() : Number()).Add(Number::FromInt64(1));
      item.Set("c", AttributeValue::N(*next));
      item.Set("kind", AttributeValue::S("upd"));
      item.Erase("tags");
      return item;
    }
  }
}

using State = std::map<KeyId, std::optional<Item>>;

// The model of one write: the state of its keys afterwards.
void ApplyWrite(const Msg& m, State* state) {
  const std::vector<KeyId> keys = KeysOf(m.kind, m.thread, m.slot);
  if ((m.kind == Kind::kUpdateIfExists || m.kind == Kind::kTxUpdateIfExists) &&
      !(*state)[keys[0]].has_value()) {
    return;  // the condition is false: nothing changes
  }
  for (const KeyId& k : keys)
    (*state)[k] = ApplyOne(m.kind, k, m.version, (*state)[k]);
}

// ---- The child: no gtest, no return; ends by _exit or SIGKILL.

void Send(int fd, const Msg& m) {
  const char* p = reinterpret_cast<const char*>(&m);
  std::size_t left = sizeof(m);
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(5);
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

Options CrashOptions(const std::string& dir) {
  Options o;
  o.dir = dir;
  o.sync_mode = SyncMode::kBatch;
  o.wal_segment_bytes = 1 << 20;
  o.report_progress = false;
  return o;
}

TableSpec CrashTable() {
  TableSpec spec;
  spec.name = kTable;
  spec.key_schema.partition_key = {"pk", AttributeType::kS};
  spec.key_schema.sort_key = KeyAttribute{"sk", AttributeType::kN};
  spec.stream = {true, StreamViewType::kNewAndOldImages};
  return spec;
}

[[noreturn]] void Fail(int fd, int round, const std::string& what, const Status& s) {
  std::fprintf(stderr, "engine crash child round %d: %s: %s\n", round, what.c_str(),
               s.ToString().c_str());
  Send(fd, {Msg::kFailed, Kind::kPut, 0, 0, 0});
  _exit(2);
}

// Issues one write as the model describes it. ConditionFailed is an answer
// too (for the IfExists kinds).
Status Execute(Db* db, const Msg& m) {
  const std::vector<KeyId> keys = KeysOf(m.kind, m.thread, m.slot);
  const Update update = MakeUpdate(m.version);
  const Condition exists = cond::AttributeExists(Path("pk"));
  std::vector<WriteOp> ops;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    switch (m.kind) {
      case Kind::kPut:
      case Kind::kTxPut:
        ops.push_back(WriteOp::Put(kTable, PutItem(keys[i], m.version)));
        break;
      case Kind::kDelete:
      case Kind::kTxDelete:
        ops.push_back(WriteOp::Delete(kTable, KeyItem(keys[i])));
        break;
      default:
        ops.push_back(WriteOp::UpdateItem(kTable, KeyItem(keys[i]), &update));
        if ((m.kind == Kind::kUpdateIfExists || m.kind == Kind::kTxUpdateIfExists) && i == 0) {
          ops.back().condition = &exists;
        }
        break;
    }
  }
  Status s;
  if (IsTransaction(m.kind)) {
    std::vector<WriteOutcome> outcomes;
    s = db->Transact(ops, &outcomes);
  } else {
    s = db->Write(ops[0]);
  }
  return s.IsConditionFailed() ? Status::Ok() : s;
}

[[noreturn]] void RunChild(const std::string& dir, int fd, std::uint64_t seed, int round) {
  auto db = Db::Open(CrashOptions(dir));
  if (!db.ok()) Fail(fd, round, "open", db.status());
  auto desc = (*db)->DescribeTable(kTable);
  if (!desc.ok()) {
    if (!desc.status().IsNotFound()) Fail(fd, round, "describe", desc.status());
    auto created = (*db)->CreateTable(CrashTable());
    if (!created.ok()) Fail(fd, round, "create table", created.status());
  }
  Send(fd, {Msg::kOpened, Kind::kPut, 0, 0, 0});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(seed * 1'000'003 + static_cast<std::uint64_t>(round * kThreads + t));
      // Unique per thread (hence per key) across all rounds, and increasing.
      const std::uint64_t base = static_cast<std::uint64_t>(round + 1) << 32;
      for (std::uint64_t i = 0;; ++i) {
        Msg m{Msg::kIntent, static_cast<Kind>(1 + rng() % kKindCount),
              static_cast<std::uint16_t>(t), 0, base + i};
        m.slot = static_cast<std::uint32_t>(
            rng() % (IsTransaction(m.kind) ? kPairsPerThread : kKeysPerThread));
        Send(fd, m);
        Status s = Execute(db->get(), m);
        if (!s.ok()) Fail(fd, round, "write", s);
        m.type = Msg::kAck;
        Send(fd, m);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(20));  // the parent kills us long before
  _exit(4);
}

// ---- The parent.

struct RoundResult {
  std::vector<Msg> msgs;  // intents and acks, in pipe order (per thread: write order)
  bool opened = false;
  bool failed = false;
};

// Reads whatever is in the pipe; false at EOF.
bool DrainPipe(int fd, std::string* buf, RoundResult* out) {
  char chunk[4096];
  bool open = true;
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;  // EAGAIN: nothing more for now
    if (n == 0) {
      open = false;
      break;
    }
    buf->append(chunk, static_cast<std::size_t>(n));
  }
  const std::size_t whole = buf->size() / sizeof(Msg) * sizeof(Msg);
  for (std::size_t off = 0; off < whole; off += sizeof(Msg)) {
    Msg m;
    std::memcpy(&m, buf->data() + off, sizeof(Msg));
    if (m.type == Msg::kOpened) {
      out->opened = true;
    } else if (m.type == Msg::kFailed) {
      out->failed = true;
    } else {
      out->msgs.push_back(m);
    }
  }
  buf->erase(0, whole);
  return open;
}

std::uint64_t Seed() {
  const char* env = std::getenv("EDDY_CRASH_SEED");
  if (env != nullptr && env[0] != '\0') return std::strtoull(env, nullptr, 10);
  return 20261124;
}

std::string Show(const std::optional<Item>& item) {
  if (!item) return "(none)";
  std::string s = item->DebugString();
  return s.size() > 300 ? s.substr(0, 300) + "..." : s;
}

// Every key any round may write.
std::vector<KeyId> AllKeys() {
  std::vector<KeyId> keys;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kKeysPerThread; ++i)
      keys.push_back({false, t, i});
    for (int i = 0; i < 2 * kPairsPerThread; ++i)
      keys.push_back({true, t, i});
  }
  return keys;
}

// What the Db holds after a crash, read by Get and by Scan (which must agree
// and hold nothing else).
void ReadState(Db* db, State* out) {
  out->clear();
  for (const KeyId& k : AllKeys()) {
    auto got = db->Get(kTable, KeyItem(k));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    (*out)[k] = *got;
  }
  ScanRequest scan;
  scan.table = kTable;
  std::size_t scanned = 0;
  for (int page = 0; page < 1000; ++page) {
    auto r = db->Scan(scan);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const Item& item : r->items) {
      const AttributeValue* pk = item.Find("pk");
      const AttributeValue* sk = item.Find("sk");
      ASSERT_TRUE(pk != nullptr && sk != nullptr && pk->Is(AttributeType::kS) &&
                  sk->Is(AttributeType::kN) && pk->AsString().size() >= 2)
          << item.DebugString();
      KeyId k{pk->AsString()[0] == 'x', std::stoi(pk->AsString().substr(1)),
              std::stoi(sk->AsNumber().ToString())};
      auto it = out->find(k);
      ASSERT_TRUE(it != out->end()) << "Scan found an item no write made: " << item.DebugString();
      ASSERT_TRUE(it->second == item) << "Scan and Get disagree on " << KeyName(k);
      ++scanned;
    }
    if (!r->last_evaluated_key) break;
    scan.exclusive_start_key = r->last_evaluated_key;
  }
  std::size_t present = 0;
  for (const auto& [k, item] : *out)
    present += item.has_value() ? 1 : 0;
  ASSERT_EQ(scanned, present) << "Scan and Get disagree on the number of items";
}

KeyId KeyIdOf(const Item& key) {
  const std::string& pk = key.Find("pk")->AsString();
  return {pk[0] == 'x', std::stoi(pk.substr(1)), std::stoi(key.Find("sk")->AsNumber().ToString())};
}

// Every record of the table's stream, parents before children.
void ReadStream(Db* db, std::vector<StreamRecord>* out) {
  out->clear();
  auto table = db->DescribeTable(kTable);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  DescribeStreamRequest request;
  request.stream_arn = table->latest_stream_arn;
  auto stream = db->DescribeStream(request);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  std::vector<std::string> order;
  for (const ShardDescription& s : stream->shards) {
    if (s.parent_shard_id.empty()) order.push_back(s.shard_id);
  }
  for (std::size_t i = 0; i < order.size(); ++i) {
    auto it =
        db->GetShardIterator({stream->stream_arn, order[i], ShardIteratorType::kTrimHorizon, ""});
    ASSERT_TRUE(it.ok()) << it.status().ToString();
    std::string next = *it;
    while (!next.empty()) {
      auto page = db->GetRecords(next, 1000);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      if (page->records.empty()) break;
      for (const StreamRecord& r : page->records)
        out->push_back(r);
      next = page->next_shard_iterator;
    }
    for (const ShardDescription& s : stream->shards) {
      if (s.parent_shard_id == order[i]) order.push_back(s.shard_id);
    }
  }
}

// The stream replays, key by key, to the stored items.
void CheckStream(const std::vector<StreamRecord>& records, const State& actual) {
  State replayed;
  for (const StreamRecord& r : records) {
    const KeyId k = KeyIdOf(r.keys);
    std::optional<Item>& item = replayed[k];
    SCOPED_TRACE("record " + r.sequence_number + " on " + KeyName(k));
    switch (r.event_name) {
      case ChangeType::kInsert:
        ASSERT_FALSE(item.has_value()) << "INSERT of an existing item";
        ASSERT_TRUE(r.new_image.has_value());
        item = r.new_image;
        break;
      case ChangeType::kModify:
        ASSERT_TRUE(item.has_value()) << "MODIFY of a missing item";
        ASSERT_TRUE(r.old_image == item) << "old image is not the item before";
        ASSERT_TRUE(r.new_image.has_value() && r.new_image != r.old_image) << "a no-op record";
        item = r.new_image;
        break;
      case ChangeType::kRemove:
        ASSERT_TRUE(item.has_value()) << "REMOVE of a missing item";
        ASSERT_TRUE(r.old_image == item) << "old image is not the item before";
        item.reset();
        break;
      default:
        FAIL() << "bad event";
    }
  }
  for (const auto& [k, item] : actual) {
    ASSERT_TRUE(replayed[k] == item) << KeyName(k) << ": the stream replays to "
                                     << Show(replayed[k]) << ", stored " << Show(item);
  }
}

TEST(EngineCrash, SigkillKeepsAcknowledgedWritesAndLeavesNoHalfWrite) {
  eddy::testing::TempDir tmp("engine-crash");
  const std::string dir = tmp.Sub("db");
  const std::uint64_t seed = Seed();
  std::printf("[ crash    ] EDDY_CRASH_SEED=%llu dir=%s\n", static_cast<unsigned long long>(seed),
              dir.c_str());
  std::mt19937_64 rng(seed);
  State model;  // every key's state after the writes the checks so far accepted
  for (const KeyId& k : AllKeys())
    model[k] = std::nullopt;
  bool table_acked = false;
  std::uint64_t total_acks = 0, in_flight_total = 0, in_flight_landed = 0, kills_in_open = 0;
  std::array<std::uint64_t, kKindCount + 1> acks_by_kind{};
  std::vector<StreamRecord> previous_stream;  // as read after the last round
  const auto start = std::chrono::steady_clock::now();

  for (int round = 0; round < kRounds; ++round) {
    const bool kill_in_open = rng() % 6 == 0;
    const auto delay =
        std::chrono::microseconds(kill_in_open ? rng() % 15000 : 3000 + rng() % 147000);
    SCOPED_TRACE("round " + std::to_string(round) + ", kill " + std::to_string(delay.count()) +
                 " us after " + (kill_in_open ? "fork" : "open") +
                 ", EDDY_CRASH_SEED=" + std::to_string(seed));
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    std::fflush(nullptr);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      RunChild(dir, fds[1], seed, round);
    }
    ::close(fds[1]);
    ASSERT_EQ(::fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);

    RoundResult rr;
    std::string buf;
    auto begin = std::chrono::steady_clock::now();
    const auto open_deadline = begin + std::chrono::seconds(20);
    bool started = kill_in_open;
    while (true) {
      auto now = std::chrono::steady_clock::now();
      if (!started && rr.opened) {
        started = true;
        begin = now;
      }
      if (started && now >= begin + delay) break;
      if (rr.failed || now > open_deadline) break;
      pollfd pfd{fds[0], POLLIN, 0};
      ::poll(&pfd, 1, 1);
      if (!DrainPipe(fds[0], &buf, &rr)) break;  // the child died by itself
    }
    ::kill(pid, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_EQ(::fcntl(fds[0], F_SETFL, 0), 0);
    while (DrainPipe(fds[0], &buf, &rr)) {
    }
    ::close(fds[0]);
    ASSERT_FALSE(rr.failed) << "the child reported an error (see its stderr)";
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "the child ended by itself, status " << wstatus;
    if (!kill_in_open) {
      ASSERT_TRUE(rr.opened) << "Db::Open did not finish in 20 s";
    }
    table_acked |= rr.opened;
    kills_in_open += rr.opened ? 0 : 1;

    // Replay the acknowledged writes into the model; what is left per thread
    // is the one write in flight when the child died.
    std::array<std::optional<Msg>, kThreads> in_flight;
    for (const Msg& m : rr.msgs) {
      ASSERT_LT(m.thread, kThreads);
      std::optional<Msg>& pending = in_flight[m.thread];
      if (m.type == Msg::kIntent) {
        ASSERT_FALSE(pending.has_value()) << "two writes in flight on thread " << m.thread;
        pending = m;
      } else {
        ASSERT_TRUE(pending && pending->version == m.version && pending->kind == m.kind &&
                    pending->slot == m.slot)
            << "an ack without its intent on thread " << m.thread;
        ApplyWrite(m, &model);
        pending.reset();
        ++total_acks;
        ++acks_by_kind[static_cast<std::size_t>(m.kind)];
      }
    }

    // The Db after the crash.
    auto db = Db::Open(CrashOptions(dir));
    ASSERT_TRUE(db.ok()) << "recovery failed: " << db.status().ToString();
    auto desc = (*db)->DescribeTable(kTable);
    if (!desc.ok()) {
      ASSERT_TRUE(desc.status().IsNotFound()) << desc.status().ToString();
      ASSERT_FALSE(table_acked) << "the table was created and acknowledged, then lost";
      ASSERT_TRUE((*db)->Close().ok());
      continue;
    }
    State actual;
    ASSERT_NO_FATAL_FAILURE(ReadState(db->get(), &actual));
    std::vector<StreamRecord> stream;
    ASSERT_NO_FATAL_FAILURE(ReadStream(db->get(), &stream));
    ASSERT_TRUE((*db)->Close().ok());
    ASSERT_NO_FATAL_FAILURE(CheckStream(stream, actual));
    ASSERT_GE(stream.size(), previous_stream.size()) << "stream records were lost";
    for (std::size_t i = 0; i < previous_stream.size(); ++i) {
      ASSERT_EQ(stream[i].sequence_number, previous_stream[i].sequence_number) << i;
      ASSERT_EQ(stream[i].event_id, previous_stream[i].event_id) << i;
    }
    previous_stream = std::move(stream);

    // Each thread's keys: all at the acknowledged state, or all at the state
    // the write in flight makes of it (which covers both items of a
    // transaction together).
    std::map<KeyId, bool> checked;
    for (int t = 0; t < kThreads; ++t) {
      const std::optional<Msg>& pending = in_flight[static_cast<std::size_t>(t)];
      std::vector<KeyId> touched;
      if (pending) {
        touched = KeysOf(pending->kind, t, pending->slot);
        ++in_flight_total;
        State after = model;
        ApplyWrite(*pending, &after);
        bool all_old = true, all_new = true;
        for (const KeyId& k : touched) {
          all_old &= actual[k] == model[k];
          all_new &= actual[k] == after[k];
        }
        std::string detail;
        for (const KeyId& k : touched) {
          detail += "\n  " + KeyName(k) + ": stored " + Show(actual[k]) + "\n    acknowledged " +
                    Show(model[k]) + "\n    in flight would give " + Show(after[k]);
        }
        ASSERT_TRUE(all_old || all_new)
            << "the write in flight (kind " << static_cast<int>(pending->kind) << ", version "
            << pending->version << ") is neither absent nor whole:" << detail;
        if (all_new && !all_old) {
          ++in_flight_landed;
          for (const KeyId& k : touched)
            model[k] = after[k];
        }
        for (const KeyId& k : touched)
          checked[k] = true;
      }
    }
    for (const KeyId& k : AllKeys()) {
      if (checked[k]) continue;
      ASSERT_TRUE(actual[k] == model[k])
          << KeyName(k) << " is not its last acknowledged state: stored " << Show(actual[k])
          << ", acknowledged " << Show(model[k]);
    }
    // Transactions: the two items of a pair always carry the same version.
    for (int t = 0; t < kThreads; ++t) {
      for (int p = 0; p < kPairsPerThread; ++p) {
        const std::optional<Item>& a = actual[{true, t, 2 * p}];
        const std::optional<Item>& b = actual[{true, t, 2 * p + 1}];
        ASSERT_EQ(a.has_value(), b.has_value()) << "pair x" << t << "/" << p << " half there";
        if (a) {
          ASSERT_TRUE(*a->Find("v") == *b->Find("v")) << "pair x" << t << "/" << p << " torn";
        }
      }
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::size_t present = 0;
  for (const auto& [k, item] : model)
    present += item.has_value() ? 1 : 0;
  std::printf(
      "[ crash    ] %d rounds in %.1f s, %d killed inside Open, %llu acknowledged writes, "
      "%llu in flight at a kill (%llu of them landed), %zu items at the end, %zu stream "
      "records\n",
      kRounds, seconds, static_cast<int>(kills_in_open),
      static_cast<unsigned long long>(total_acks), static_cast<unsigned long long>(in_flight_total),
      static_cast<unsigned long long>(in_flight_landed), present, previous_stream.size());
  std::printf("[ crash    ] acks by kind:");
  for (int k = 1; k <= kKindCount; ++k)
    std::printf(" %d:%llu", k, static_cast<unsigned long long>(acks_by_kind[k]));
  std::printf("\n");
  EXPECT_GT(total_acks, static_cast<std::uint64_t>(kRounds) * 10) << "the children barely wrote";
  EXPECT_GT(in_flight_total, 0u);
}

}  // namespace
}  // namespace eddy::crash_test

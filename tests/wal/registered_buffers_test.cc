// The real Env's io_uring queue with registered buffers: writes from a
// registered region (the fixed-buffer path) and from elsewhere (the
// ordinary path, also a region that only partly covers the write) land the
// same bytes, and a second registration is refused without harm.
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "support/temp_dir.h"
#include "wal/aligned_buffer.h"
#include "wal/env.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::wal::registered_buffers_test {
namespace {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(RegisteredBuffers, FixedAndOrdinaryWritesLandTheSameBytes) {
  eddy::testing::TempDir dir("registered-buffers");
  Env* env = Env::Default();
  auto file = env->Open(dir.Sub("f"), {.create = true, .direct = true});
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto queue = env->NewIoQueue(8);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();

  AlignedBuffer registered(3 * 4096);
  AlignedBuffer unregistered(4096);
  std::memset(registered.data(), 'r', registered.capacity());
  std::memset(unregistered.data(), 'u', unregistered.capacity());
  // Registration may be refused (a locked-memory limit for a user without
  // the privilege); the writes below must work either way. Where 8 KiB may
  // be locked, it must not be refused.
  const bool fixed = (*queue)->RegisterBuffers({{registered.data(), 2 * 4096}});
  rlimit memlock{};
  if (getrlimit(RLIMIT_MEMLOCK, &memlock) == 0 && memlock.rlim_cur >= 64 * 1024) {
    EXPECT_TRUE(fixed) << "registration refused under a locked-memory limit of " << memlock.rlim_cur
                       << " bytes";
  }
  if (fixed) {
    EXPECT_FALSE((*queue)->RegisterBuffers({{unregistered.data(), 4096}}))
        << "a second registration replaces nothing";
  }

  // Inside the region; elsewhere; and straddling the region's end.
  (*queue)->QueueWrite(*file, 0, registered.data() + 4096, 4096, 1, false);
  (*queue)->QueueWrite(*file, 4096, unregistered.data(), 4096, 2, false);
  (*queue)->QueueWrite(*file, 8192, registered.data() + 4096, 8192, 3, false);
  ASSERT_TRUE((*queue)->Submit().ok());
  for (int i = 0; i < 3; ++i) {
    IoCompletion c;
    ASSERT_TRUE((*queue)->WaitCompletion(&c).ok());
    EXPECT_EQ(c.result, c.tag == 3 ? 8192 : 4096) << "tag " << c.tag;
  }
  ASSERT_TRUE(env->Close(*file).ok());

  const std::string bytes = ReadWholeFile(dir.Sub("f"));
  ASSERT_EQ(bytes.size(), 4u * 4096);
  EXPECT_EQ(bytes.substr(0, 4096), std::string(4096, 'r'));
  EXPECT_EQ(bytes.substr(4096, 4096), std::string(4096, 'u'));
  EXPECT_EQ(bytes.substr(8192), std::string(8192, 'r'));
}

}  // namespace
}  // namespace eddy::wal::registered_buffers_test

// Names the calling thread (as `top -H`, `perf report --sort comm` and gdb
// show it), so a profile says which of the engine's threads spent the time.
// Linux keeps at most 15 characters; longer names are cut.
#pragma once

#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace eddy {

inline void NameThisThread(std::string_view name) {
  char buf[16] = {};
  std::memcpy(buf, name.data(), std::min(name.size(), sizeof buf - 1));
  ::pthread_setname_np(::pthread_self(), buf);
}

}  // namespace eddy

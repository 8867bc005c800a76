// Names the calling thread (as `top -H`, `perf` and debuggers show it), so that operators and
// profiles tell Herald's threads apart: herald-dispatch, herald-curl, ... Linux keeps at most 15
// characters. Thread-safe: affects only the calling thread.
#pragma once

namespace herald {

void SetThreadName(const char* name);

}  // namespace herald

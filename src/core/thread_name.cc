#include "core/thread_name.h"

#include <pthread.h>

#include <cstring>
#include <string>

namespace herald {

void SetThreadName(const char* name) {
  const std::string shortened(name, strnlen(name, 15));
  pthread_setname_np(pthread_self(), shortened.c_str());
}

}  // namespace herald

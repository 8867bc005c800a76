#include "core/time_zones.h"

#include <date/tz.h>

#include <algorithm>

namespace herald {

const std::vector<std::string>& TimeZoneNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    try {
      for (const auto& z : date::get_tzdb().zones) {
        const std::string& name = z.name();
        if (name == "UTC" || (name.find('/') != std::string::npos && !name.starts_with("Etc/"))) out.push_back(name);
      }
    } catch (const std::exception&) {
      // Without tzdata the list is empty and typing a zone still works.
    }
    std::sort(out.begin(), out.end());
    return out;
  }();
  return names;
}

}  // namespace herald

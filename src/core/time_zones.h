// The IANA time zones offered in pickers (the public preference page, the console's settings).
// Thread-safe (built once).
#pragma once

#include <string>
#include <vector>

namespace herald {

// Every Region/City zone of the system's tzdata (and UTC), sorted; empty without tzdata.
const std::vector<std::string>& TimeZoneNames();

}  // namespace herald

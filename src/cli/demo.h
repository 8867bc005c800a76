// Demo data: a realistic status page (a dozen components in groups, one open incident with
// three updates, a resolved incident, an upcoming maintenance and 90 days of status history) so
// that `make run` shows what Herald looks like. Only seeds an empty database.
#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace herald::cli {

// Returns true if it seeded, false if the database already had pages.
Result<bool> SeedDemo(store::Store& store, const Clock& clock);

}  // namespace herald::cli

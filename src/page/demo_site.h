// A realistic demo status page (groups, an ongoing incident, maintenance, 90 days of history,
// past incidents) for tests, previews and `herald export --demo`. Pure; thread-safe.
#pragma once

#include "page/render.h"

namespace herald::page {

// Everything is relative to `now`, so the demo always looks current.
SiteInput DemoSite(TimeMs now);

}  // namespace herald::page

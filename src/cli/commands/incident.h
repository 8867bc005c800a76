// How incident commands print an incident (incident.cc; `draft publish` prints one too).
#pragma once

#include <string>

#include "config/config.h"
#include "model/model.h"
#include "store/store.h"

namespace herald::cli {

// Where the incident is on the status page.
std::string IncidentUrl(const model::Incident& inc, store::Store& store, const config::Config& cfg);

// The id, status and the page's URL for people (and `cut -f1`); the whole staff JSON with
// `as_json`. Returns the exit code (0).
int PrintIncident(const model::Incident& inc, store::Store& store, const config::Config& cfg, bool as_json);

}  // namespace herald::cli

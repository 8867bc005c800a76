// TEMPORARY stub of the site renderer's interface (replaced by the real renderer).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/model.h"

namespace herald::page {

struct SiteInput {
  model::Page page;
  std::vector<model::Component> components;
  std::vector<model::Incident> incidents;
  std::vector<model::StatusChange> history;
  TimeMs now = 0;
  std::string base_path = "/";
  std::string public_url;
  std::optional<TimeMs> stale_since;
};
struct SiteFile {
  std::string path;
  std::string content_type;
  std::string body;
};
std::vector<SiteFile> RenderSite(const SiteInput& in);

}  // namespace herald::page

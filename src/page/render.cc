#include "page/render.h"

namespace herald::page {
std::vector<SiteFile> RenderSite(const SiteInput& in) {
  return {{"index.html", "text/html; charset=utf-8", "<!doctype html><title>" + in.page.name + "</title>"}};
}
}  // namespace herald::page

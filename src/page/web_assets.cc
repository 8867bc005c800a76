#include "page/web_assets.h"

namespace herald::page {

std::string_view FindWebAsset(std::string_view path) {
  for (const auto& a : WebAssets())
    if (a.path == path) return a.data;
  return {};
}

}  // namespace herald::page

#include "assets/web_assets.h"

namespace herald::assets {

std::string_view FindWebAsset(std::string_view path) {
  for (const auto& a : WebAssets())
    if (a.path == path) return a.data;
  return {};
}

}  // namespace herald::assets

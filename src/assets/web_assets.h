// The files under web/ (templates, CSS, JS), compiled into the binary by cmake/embed_web.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace herald::assets {

struct WebAsset {
  std::string_view path;  // relative to web/, e.g. "css/page.css"
  std::string_view data;
};

const std::vector<WebAsset>& WebAssets();
// The asset at `path`, or empty if there is none.
std::string_view FindWebAsset(std::string_view path);

}  // namespace herald::assets

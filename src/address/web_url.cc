#include "address/web_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "core/text.h"

namespace herald::address {
namespace {

constexpr size_t kMaxUrlBytes = 2048;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

Result<std::string> NormalizeWebUrl(std::string_view address, const std::string& field, const WebUrlRule& rule) {
  const std::string_view url = Trim(address);
  auto invalid = [&](std::string message) -> Result<std::string> { return Error::Invalid(field, std::move(message)); };
  if (url.empty()) return invalid("is required");
  if (url.size() > kMaxUrlBytes) return invalid("is longer than 2048 characters");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return invalid("is not a valid URL");
  const boost::urls::url_view& u = *parsed;
  const std::string scheme = Lower(u.scheme());
  if (scheme != "https" && !(rule.allow_http && scheme == "http"))
    return invalid(rule.allow_http ? "must be an http or https URL" : "must be an https URL");
  if (!u.has_authority() || u.encoded_host().empty()) return invalid("must name a host");
  if (u.has_userinfo()) return invalid("must not contain a user name or password");
  if (u.has_fragment()) return invalid("must not contain a fragment (#...)");
  if (rule.host_allowed) {
    const std::string host = Lower(u.encoded_host());
    std::string path(u.encoded_path());
    const bool default_port = !u.has_port() || u.port() == (scheme == "https" ? "443" : "80");
    if (!default_port || !rule.host_allowed(host, path))
      return invalid("must be " + (rule.expected.empty() ? std::string("an allowed URL") : rule.expected));
  }
  return std::string(url);
}

}  // namespace herald::address

#include "notify/mattermost/mattermost_channel.h"

#include <boost/json.hpp>
#include <utility>

#include "core/text.h"

namespace herald::notify {
namespace {

// Mattermost refuses posts over 16383 characters; attachments count towards the same budget.
constexpr size_t kHeadlineMax = 600;
constexpr size_t kTitleMax = 300;
constexpr size_t kTextMax = 8000;
constexpr size_t kFieldTitleMax = 100;
constexpr size_t kFieldValueMax = 1000;
constexpr size_t kMaxFields = 20;
constexpr size_t kShortMax = 40;  // values up to this length sit side by side

std::string Esc(std::string_view s) { return MattermostEscape(s); }

std::string MarkdownUrl(std::string_view url) {
  std::string out;
  for (char c : url) {
    switch (c) {
      case '(': out += "%28"; break;
      case ')': out += "%29"; break;
      case ' ': out += "%20"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string BuildMattermostPayload(const Message& m, const MattermostOptions& options) {
  const std::string subject = SanitizeUtf8(m.subject);
  const std::string page = SanitizeUtf8(m.page_name);

  std::string headline = page.empty() ? "" : "**" + FitEscaped(page, 200, Esc) + "** \xC2\xB7 ";
  headline += FitEscaped(subject, kHeadlineMax - ChatLength(headline), Esc);

  boost::json::object attachment;
  attachment["fallback"] = FitEscaped(subject, kTitleMax, BreakMentions);  // plain text (notifications)
  attachment["color"] = ImpactColorHex(m.impact);
  attachment["title"] = FitEscaped(subject, kTitleMax, Esc);
  const std::string& link = !m.url.empty() ? m.url : m.page_url;
  if (IsWebUrl(link)) attachment["title_link"] = link;

  std::string links;
  if (IsWebUrl(m.manage_url)) links += "[" + Esc(options.labels.manage) + "](" + MarkdownUrl(m.manage_url) + ")";
  if (IsWebUrl(m.unsubscribe_url)) {
    if (!links.empty()) links += " \xC2\xB7 ";
    links += "[" + Esc(options.labels.unsubscribe) + "](" + MarkdownUrl(m.unsubscribe_url) + ")";
  }
  std::string text = FitEscaped(SanitizeUtf8(m.text), kTextMax, Esc);
  if (!links.empty()) text += (text.empty() ? "" : "\n\n") + links;
  if (!text.empty()) attachment["text"] = text;

  boost::json::array fields;
  for (const auto& [name, value] : m.facts) {
    if (fields.size() == kMaxFields) break;
    std::string v = FitEscaped(SanitizeUtf8(value), kFieldValueMax, Esc);
    const bool short_field = ChatLength(v) <= kShortMax;
    fields.push_back({{"short", short_field},
                      {"title", FitEscaped(SanitizeUtf8(name), kFieldTitleMax, Esc)},
                      {"value", v}});
  }
  if (!fields.empty()) attachment["fields"] = std::move(fields);

  std::string footer = page;
  if (!m.status_label.empty()) footer += (footer.empty() ? "" : " \xC2\xB7 ") + SanitizeUtf8(m.status_label);
  if (!footer.empty()) attachment["footer"] = FitEscaped(footer, 300, Esc);

  boost::json::object payload;
  payload["text"] = headline;
  if (!options.username.empty()) payload["username"] = options.username;
  if (IsWebUrl(options.icon_url)) payload["icon_url"] = options.icon_url;
  payload["attachments"] = boost::json::array{std::move(attachment)};
  return boost::json::serialize(payload);
}

// Self-hosted: any host, no platform limit.
MattermostChannel::MattermostChannel(net::HttpClient& http, const Clock& clock, MattermostOptions options)
    : ChatChannel(model::ChannelKind::kMattermost, http, clock, options, {}), options_(std::move(options)) {}

}  // namespace herald::notify

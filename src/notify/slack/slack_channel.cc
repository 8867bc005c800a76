#include "notify/slack/slack_channel.h"

#include <boost/json.hpp>
#include <utility>

#include "core/text.h"

namespace herald::notify {
namespace {

// Block Kit limits (https://api.slack.com/reference/block-kit/blocks).
constexpr size_t kHeaderMax = 150;
constexpr size_t kSectionMax = 3000;
constexpr size_t kFieldMax = 2000;
constexpr size_t kMaxFields = 10;
constexpr size_t kButtonTextMax = 75;
constexpr size_t kUrlMax = 3000;
constexpr size_t kFallbackMax = 3000;

std::string ImpactEmoji(std::string_view impact) {
  if (impact == "minor") return ":large_yellow_circle:";
  if (impact == "major") return ":large_orange_circle:";
  if (impact == "critical") return ":red_circle:";
  return ":large_blue_circle:";
}

std::string Esc(std::string_view s) { return SlackEscape(s); }

// A URL inside <url|label>: entities as in any text, and '|' (which would end the URL) encoded.
std::string SlackUrl(std::string_view url) {
  std::string out;
  for (char c : SlackEscape(url)) {
    if (c == '|')
      out += "%7C";
    else
      out += c;
  }
  return out;
}

boost::json::object PlainText(std::string text) {
  return {{"type", "plain_text"}, {"text", std::move(text)}, {"emoji", true}};
}

boost::json::object Mrkdwn(std::string text) { return {{"type", "mrkdwn"}, {"text", std::move(text)}}; }

}  // namespace

std::string BuildSlackPayload(const Message& m, const ChatLabels& labels) {
  const std::string subject = SanitizeUtf8(m.subject);
  const std::string text = SanitizeUtf8(m.text);
  boost::json::array blocks;

  // Plain text is shown literally (no entities, no links), so it is not escaped.
  const std::string emoji = ImpactEmoji(m.impact) + " ";
  blocks.push_back(
      {{"type", "header"}, {"text", PlainText(emoji + FitEscaped(subject, kHeaderMax - ChatLength(emoji), nullptr))}});

  if (!Trim(text).empty())
    blocks.push_back({{"type", "section"}, {"text", Mrkdwn(FitEscaped(text, kSectionMax, Esc))}});

  boost::json::array fields;
  for (const auto& [name, value] : m.facts) {
    if (fields.size() == kMaxFields) break;
    if (Trim(name).empty() && Trim(value).empty()) continue;
    // "*Name*\nValue": the name is short, cut it to 200 and leave the rest to the value.
    std::string label = "*" + FitEscaped(SanitizeUtf8(name), 200, Esc) + "*\n";
    fields.push_back(Mrkdwn(label + FitEscaped(SanitizeUtf8(value), kFieldMax - ChatLength(label), Esc)));
  }
  if (!fields.empty()) blocks.push_back({{"type", "section"}, {"fields", std::move(fields)}});

  const std::string& link = !m.url.empty() ? m.url : m.page_url;
  if (IsWebUrl(link, kUrlMax)) {
    boost::json::object button = {{"type", "button"},
                                  {"text", PlainText(FitEscaped(labels.open, kButtonTextMax, nullptr))},
                                  {"url", link},
                                  {"action_id", "herald_open"}};
    blocks.push_back({{"type", "actions"}, {"elements", boost::json::array{std::move(button)}}});
  }

  std::string context;
  auto add = [&context](const std::string& part) {
    if (part.empty()) return;
    if (!context.empty()) context += " \xC2\xB7 ";  // " · "
    context += part;
  };
  const std::string page = FitEscaped(SanitizeUtf8(m.page_name), 200, Esc);
  add(IsWebUrl(m.page_url, kUrlMax) && !page.empty() ? "<" + SlackUrl(m.page_url) + "|" + page + ">" : page);
  add(FitEscaped(SanitizeUtf8(m.status_label), 100, Esc));
  if (IsWebUrl(m.manage_url, kUrlMax)) add("<" + SlackUrl(m.manage_url) + "|" + Esc(labels.manage) + ">");
  if (IsWebUrl(m.unsubscribe_url, kUrlMax))
    add("<" + SlackUrl(m.unsubscribe_url) + "|" + Esc(labels.unsubscribe) + ">");
  if (!context.empty()) {
    blocks.push_back({{"type", "context"}, {"elements", boost::json::array{Mrkdwn(std::move(context))}}});
  }

  boost::json::object payload;
  payload["text"] = FitEscaped(subject, kFallbackMax, Esc);
  payload["blocks"] = std::move(blocks);
  payload["unfurl_links"] = false;
  payload["unfurl_media"] = false;
  return boost::json::serialize(payload);
}

SlackChannel::SlackChannel(net::HttpClient& http, const Clock& clock, SlackOptions options)
    : ChatChannel(model::ChannelKind::kSlack, http, clock, std::move(options),
                  {.limit = {1, std::chrono::milliseconds(1000)},
                   .platform = {.allow_http = false,
                                .host_allowed =
                                    [](std::string_view host, std::string_view path) {
                                      return host == "hooks.slack.com" &&
                                             (path.starts_with("/services/") || path.starts_with("/workflows/"));
                                    },
                                .expected = "a Slack incoming webhook URL (https://hooks.slack.com/services/...)"},
                   .refine = [](const net::HttpResponse& r, SendOutcome& out) {
                     if (r.status < 400 || r.status >= 500) return;
                     const std::string_view body = Trim(r.body);
                     for (std::string_view gone : {"no_service", "no_team", "team_disabled", "invalid_token",
                                                   "channel_not_found", "channel_is_archived"}) {
                       if (body == gone) out.kind = SendOutcome::Kind::kGone;
                     }
                   }}) {}

}  // namespace herald::notify

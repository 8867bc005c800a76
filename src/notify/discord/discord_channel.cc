#include "notify/discord/discord_channel.h"

#include <boost/json.hpp>
#include <cmath>
#include <utility>

#include "core/text.h"
#include "core/time.h"

namespace herald::notify {
namespace {

// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
constexpr size_t kContentMax = 2000;
constexpr size_t kTitleMax = 256;
constexpr size_t kDescriptionMax = 4096;
constexpr size_t kFieldNameMax = 256;
constexpr size_t kFieldValueMax = 1024;
constexpr size_t kMaxFields = 25;
constexpr size_t kEmbedTotalMax = 6000;
constexpr size_t kInlineMax = 60;  // longer values get a row of their own

constexpr std::string_view kZeroWidthSpace = "\xE2\x80\x8B";  // Discord refuses empty field names

std::string Esc(std::string_view s) { return DiscordEscape(s); }

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

bool IsDiscordWebhookPath(std::string_view path) {
  if (path.starts_with("/api/webhooks/")) return true;
  // Versioned API paths: /api/v10/webhooks/...
  if (!path.starts_with("/api/v")) return false;
  path.remove_prefix(6);
  size_t digits = 0;
  while (digits < path.size() && path[digits] >= '0' && path[digits] <= '9') ++digits;
  return digits > 0 && path.substr(digits).starts_with("/webhooks/");
}

// 429 carries retry_after in the body (seconds with a fraction); codes 10015 (Unknown Webhook) and
// 50027 (Invalid Webhook Token) mean the webhook was deleted.
void RefineDiscordAnswer(const net::HttpResponse& r, SendOutcome& out) {
  if (r.status < 400 || r.status >= 500) return;
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(r.body, ec);
  if (ec || !body.is_object()) return;
  const auto& obj = body.as_object();
  if (r.status == 429 && !out.retry_after) {
    // Discord gives seconds with a fraction in the body; the header may be missing behind a proxy.
    if (const auto* ra = obj.if_contains("retry_after"); ra && (ra->is_double() || ra->is_int64())) {
      const double seconds = ra->is_double() ? ra->as_double() : static_cast<double>(ra->as_int64());
      if (seconds >= 0 && seconds < 86400)
        out.retry_after = std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000)));
    }
  }
  if (const auto* code = obj.if_contains("code"); code && code->is_int64()) {
    if (code->as_int64() == 10015 || code->as_int64() == 50027) out.kind = SendOutcome::Kind::kGone;
  }
}

}  // namespace

std::string BuildDiscordPayload(const Message& m, const ChatLabels& labels) {
  const std::string subject = SanitizeUtf8(m.subject);
  boost::json::object embed;
  size_t used = 0;  // characters counted against the 6000 for the whole embed

  std::string title = FitEscaped(subject, kTitleMax, Esc);
  used += ChatLength(title);
  embed["title"] = title;
  const std::string& link = !m.url.empty() ? m.url : m.page_url;
  if (IsWebUrl(link)) embed["url"] = link;
  embed["color"] = ImpactColor(m.impact);

  std::string footer = SanitizeUtf8(m.page_name);
  if (!m.status_label.empty()) footer += (footer.empty() ? "" : " \xC2\xB7 ") + SanitizeUtf8(m.status_label);
  footer = FitEscaped(footer, 256, nullptr);  // footers are plain text
  used += ChatLength(footer);

  boost::json::array fields;
  for (const auto& [name, value] : m.facts) {
    if (fields.size() == kMaxFields) break;
    std::string n = FitEscaped(SanitizeUtf8(name), kFieldNameMax, Esc);
    std::string v = FitEscaped(SanitizeUtf8(value), kFieldValueMax, Esc);
    if (n.empty()) n = kZeroWidthSpace;
    if (v.empty()) v = kZeroWidthSpace;
    const size_t cost = ChatLength(n) + ChatLength(v);
    if (used + cost > kEmbedTotalMax - 500) break;  // keep room for the description
    used += cost;
    const bool inline_field = ChatLength(v) <= kInlineMax;
    fields.push_back({{"name", n}, {"value", v}, {"inline", inline_field}});
  }

  std::string links;
  if (IsWebUrl(m.manage_url)) links += "[" + Esc(labels.manage) + "](" + MarkdownUrl(m.manage_url) + ")";
  if (IsWebUrl(m.unsubscribe_url)) {
    if (!links.empty()) links += " \xC2\xB7 ";
    links += "[" + Esc(labels.unsubscribe) + "](" + MarkdownUrl(m.unsubscribe_url) + ")";
  }
  const size_t links_cost = links.empty() ? 0 : ChatLength(links) + 2;
  const size_t room = std::min(kDescriptionMax, kEmbedTotalMax - std::min(kEmbedTotalMax, used));
  std::string description;
  if (room > links_cost) description = FitEscaped(SanitizeUtf8(m.text), room - links_cost, Esc);
  if (!links.empty() && ChatLength(description) + links_cost <= room)
    description += (description.empty() ? "" : "\n\n") + links;
  if (!description.empty()) embed["description"] = description;
  if (!fields.empty()) embed["fields"] = std::move(fields);
  if (m.created_at > 0) embed["timestamp"] = FormatIso8601(m.created_at);
  if (!footer.empty()) embed["footer"] = {{"text", footer}};

  boost::json::object payload;
  payload["content"] = FitEscaped(subject, kContentMax, Esc);
  payload["allowed_mentions"] = {{"parse", boost::json::array{}}};
  payload["embeds"] = boost::json::array{std::move(embed)};
  return boost::json::serialize(payload);
}

DiscordChannel::DiscordChannel(net::HttpClient& http, const Clock& clock, DiscordOptions options)
    : ChatChannel(model::ChannelKind::kDiscord, http, clock, std::move(options),
                  {.limit = {5, std::chrono::milliseconds(2000)},
                   .platform = {.allow_http = false,
                                .host_allowed =
                                    [](std::string_view host, std::string_view path) {
                                      const bool discord_host = host == "discord.com" || host == "discordapp.com" ||
                                                                host == "ptb.discord.com" ||
                                                                host == "canary.discord.com";
                                      return discord_host && IsDiscordWebhookPath(path);
                                    },
                                .expected = "a Discord webhook URL (https://discord.com/api/webhooks/...)"},
                   .refine = RefineDiscordAnswer}) {}

}  // namespace herald::notify

#include "notify/teams/teams_channel.h"

#include <boost/json.hpp>
#include <utility>

#include "core/text.h"

namespace herald::notify {
namespace {

// Teams refuses messages over about 28 KB. Limits count characters, which may take 3 bytes each
// (CJK) or 4 after TeamsText; these keep even the worst case near 24 KB.
constexpr size_t kSubjectMax = 300;
constexpr size_t kTextMax = 4000;
constexpr size_t kFactTitleMax = 60;
constexpr size_t kFactValueMax = 200;
constexpr size_t kMaxFacts = 12;

std::string Esc(std::string_view s) { return TeamsText(s); }

std::string ContainerStyle(std::string_view impact) {
  if (impact == "minor") return "warning";
  if (impact == "major" || impact == "critical") return "attention";
  return "accent";
}

// A URL inside [label](url): characters that would end or split the destination are encoded.
std::string MarkdownUrl(std::string_view url) {
  std::string out;
  for (char c : url) {
    switch (c) {
      case '(': out += "%28"; break;
      case ')': out += "%29"; break;
      case ' ': out += "%20"; break;
      case '<': out += "%3C"; break;
      case '>': out += "%3E"; break;
      default: out += c;
    }
  }
  return out;
}

boost::json::object TextBlock(std::string text) {
  return {{"type", "TextBlock"}, {"text", std::move(text)}, {"wrap", true}};
}

}  // namespace

std::string BuildTeamsPayload(const Message& m, const ChatLabels& labels) {
  boost::json::array body;

  boost::json::object title = TextBlock(FitEscaped(SanitizeUtf8(m.subject), kSubjectMax, Esc));
  title["size"] = "Large";
  title["weight"] = "Bolder";
  boost::json::array header_items{std::move(title)};
  std::string byline = FitEscaped(SanitizeUtf8(m.page_name), 200, Esc);
  const std::string status = FitEscaped(SanitizeUtf8(m.status_label), 100, Esc);
  if (!status.empty()) byline += (byline.empty() ? "" : " \xC2\xB7 ") + status;
  if (!byline.empty()) {
    boost::json::object sub = TextBlock(std::move(byline));
    sub["isSubtle"] = true;
    sub["spacing"] = "None";
    header_items.push_back(std::move(sub));
  }
  body.push_back({{"type", "Container"},
                  {"style", ContainerStyle(m.impact)},
                  {"bleed", true},
                  {"items", std::move(header_items)}});

  const std::string text = SanitizeUtf8(m.text);
  if (!Trim(text).empty()) body.push_back(TextBlock(FitEscaped(text, kTextMax, Esc)));

  boost::json::array facts;
  for (const auto& [name, value] : m.facts) {
    if (facts.size() == kMaxFacts) break;
    facts.push_back({{"title", FitEscaped(SanitizeUtf8(name), kFactTitleMax, Esc)},
                     {"value", FitEscaped(SanitizeUtf8(value), kFactValueMax, Esc)}});
  }
  if (!facts.empty()) body.push_back({{"type", "FactSet"}, {"facts", std::move(facts)}});

  std::string footer;
  if (IsWebUrl(m.manage_url)) footer += "[" + Esc(labels.manage) + "](" + MarkdownUrl(m.manage_url) + ")";
  if (IsWebUrl(m.unsubscribe_url)) {
    if (!footer.empty()) footer += " \xC2\xB7 ";
    footer += "[" + Esc(labels.unsubscribe) + "](" + MarkdownUrl(m.unsubscribe_url) + ")";
  }
  if (!footer.empty()) {
    boost::json::object links = TextBlock(std::move(footer));
    links["size"] = "Small";
    links["isSubtle"] = true;
    body.push_back(std::move(links));
  }

  boost::json::object card;
  card["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json";
  card["type"] = "AdaptiveCard";
  card["version"] = "1.4";
  card["msteams"] = {{"width", "Full"}};
  card["body"] = std::move(body);
  const std::string& link = !m.url.empty() ? m.url : m.page_url;
  if (IsWebUrl(link)) {
    card["actions"] = boost::json::array{{{"type", "Action.OpenUrl"}, {"title", labels.open}, {"url", link}}};
  }

  boost::json::object attachment;
  attachment["contentType"] = "application/vnd.microsoft.card.adaptive";
  attachment["contentUrl"] = nullptr;
  attachment["content"] = std::move(card);
  boost::json::object payload;
  payload["type"] = "message";
  payload["attachments"] = boost::json::array{std::move(attachment)};
  return boost::json::serialize(payload);
}

TeamsChannel::TeamsChannel(net::HttpClient& http, const Clock& clock, TeamsOptions options)
    : ChatChannel(
          model::ChannelKind::kTeams, http, clock, std::move(options),
          {.limit = {4, std::chrono::milliseconds(1000)},
           .platform = {.allow_http = false,
                        .host_allowed =
                            [](std::string_view host, std::string_view) {
                              return host.ends_with(".webhook.office.com") || host.ends_with(".logic.azure.com") ||
                                     host.ends_with(".environment.api.powerplatform.com");
                            },
                        .expected = "a Teams incoming webhook or Workflows URL (https://...webhook.office.com/...)"},
           // Legacy connectors answer 200 with "Webhook message delivery failed" when throttled.
           .refine = [](const net::HttpResponse& r, SendOutcome& out) {
             if (out.kind != SendOutcome::Kind::kDelivered) return;
             if (r.body.find("delivery failed") == std::string::npos) return;
             out.kind = SendOutcome::Kind::kRetry;
             out.detail = "HTTP " + std::to_string(r.status) + " but " + SanitizeUtf8(r.body.substr(0, 160));
           }}) {}

}  // namespace herald::notify

// Text helpers shared by the HTTP push channels (webhook, Slack, Teams, Discord, Mattermost):
// impact colours, length limits that never split a UTF-8 sequence or an escape, and per-platform
// escaping so that text written by staff (or a subscriber's own data) can neither ping a channel
// nor smuggle in a link the message does not intend. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace herald::notify {

// Words a chat message adds around the rendered Message (button and link labels). Message carries
// no such labels yet, so they are per channel instance; English by default.
struct ChatLabels {
  std::string open = "View details";
  std::string manage = "Manage subscription";
  std::string unsubscribe = "Unsubscribe";
};

// Impact colours, the same on every platform: none/maintenance blue, minor yellow, major orange,
// critical red. Unknown impacts are shown as "none".
std::uint32_t ImpactColor(std::string_view impact);   // 0xRRGGBB (Discord wants the integer)
std::string ImpactColorHex(std::string_view impact);  // "#RRGGBB" (Mattermost, Slack attachments)

// Replaces invalid UTF-8 with U+FFFD so a JSON serializer never emits broken strings.
std::string SanitizeUtf8(std::string_view s);
// Length as the chat platforms count it. They count characters, some in UTF-16 code units
// (JavaScript string length), so we count UTF-16 units: never less than code points.
size_t ChatLength(std::string_view utf8);
// Cuts `raw` so that escape(cut) + "…" fits in `limit` (ChatLength units), cutting only between
// code points of the raw text and never inside an escape sequence. Returns escape(raw) unchanged
// when it fits. `escape` may be null (identity).
std::string FitEscaped(std::string_view raw, size_t limit, const std::function<std::string(std::string_view)>& escape);

// Slack mrkdwn: & < > become entities (Slack's rule). With < escaped no <!channel>, <@U123> or
// <url|label> can be formed; "@channel" as plain text does not notify (link_names is never set).
std::string SlackEscape(std::string_view s);
// Discord Markdown: backslash before \ * _ ~ ` | [ ] < > and before # - + at the start of a line
// (headers, subtext, lists), so masked links [label](url), <@id> and <#id> never form. Pings are
// also disabled by allowed_mentions.
std::string DiscordEscape(std::string_view s);
// Mattermost (CommonMark): backslash escapes like Discord's, plus a zero-width space after '@'
// and '~' that precede a name: Mattermost notifies for @channel/@all/@here/@user found anywhere in
// the text, even escaped, and links ~channel names.
std::string MattermostEscape(std::string_view s);
// Only the zero-width spaces of MattermostEscape, for plain-text fields (notification fallbacks).
std::string BreakMentions(std::string_view s);
// Adaptive Card TextBlock Markdown: Teams clients disagree on backslash escapes (some show the
// backslashes), so instead a zero-width space follows every ']' and every '<', which breaks
// [label](url), [label][ref] and <url> autolinks without changing what is shown. Teams has no
// text mentions (they need msteams.entities). Single newlines become paragraph breaks: Teams
// Markdown ignores single "\n".
std::string TeamsText(std::string_view s);

}  // namespace herald::notify

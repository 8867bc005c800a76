#include "notify/email/body.h"

#include <kainjow/mustache.hpp>

#include "assets/web_assets.h"
#include "core/text.h"

namespace herald::notify::email {
namespace {

namespace mu = kainjow::mustache;

constexpr std::string_view kLayout = "templates/email/layout.mustache";

// The colour of the top border and status line, by impact (each passes WCAG AA on white).
std::string AccentColor(std::string_view impact) {
  if (impact == "critical") return "#b42318";
  if (impact == "major") return "#c4320a";
  if (impact == "minor") return "#b54708";
  if (impact == "maintenance") return "#1a56db";
  return "#475467";
}

std::string SafeLanguage(std::string_view lang) {
  if (lang.empty() || lang.size() > 35) return "en";
  for (char c : lang)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return "en";
  return std::string(lang);
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

std::string ButtonLabel(const Message& m) {
  if (StartsWith(m.kind, "incident.")) return "View incident";
  if (StartsWith(m.kind, "maintenance.")) return "View maintenance";
  if (m.kind == "subscription.confirm") return "Confirm subscription";
  return "View status page";
}

std::string RenderHtmlBody(const Message& m, std::string_view language) {
  mu::data d;
  d.set("lang", SafeLanguage(language));
  d.set("title", m.subject);
  if (!m.short_text.empty()) d.set("preheader", m.short_text);
  d.set("page_name", m.page_name);
  if (IsWebUrl(m.page_url)) d.set("page_url", m.page_url);
  d.set("accent", AccentColor(m.impact));
  if (!m.status_label.empty()) d.set("status_label", m.status_label);
  d.set("content", m.html);
  if (IsWebUrl(m.url)) {
    mu::data button;
    button.set("url", m.url);
    button.set("label", ButtonLabel(m));
    d.set("button", button);
  }
  const bool manage = IsWebUrl(m.manage_url), unsubscribe = IsWebUrl(m.unsubscribe_url);
  if (manage) d.set("manage_url", m.manage_url);
  if (unsubscribe) d.set("unsubscribe_url", m.unsubscribe_url);
  d.set("has_links", manage || unsubscribe);
  // A confirmation goes to someone who has not subscribed yet: the footer must not say they did.
  d.set("confirming", m.kind == "subscription.confirm");
  d.set("both_links", manage && unsubscribe);

  // Parsed once per thread (render only reads the parsed template; the escape function is set
  // once): parsing the layout for every email cost more than rendering it.
  thread_local mu::mustache tmpl = [] {
    mu::mustache t{std::string(assets::FindWebAsset(kLayout))};
    t.set_custom_escape([](const std::string& s) { return HtmlEscape(s); });
    return t;
  }();
  if (!tmpl.is_valid()) {
    // Only a broken build can get here (the template is embedded and tested); still send
    // something readable rather than nothing.
    return "<!DOCTYPE html><html><body>" + m.html + "</body></html>";
  }
  return tmpl.render(d);
}

std::string RenderTextBody(const Message& m) {
  std::string out(m.text);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) out.pop_back();
  out += "\n\n";
  if (IsWebUrl(m.url)) out += ButtonLabel(m) + ": " + m.url + "\n\n";
  // "-- " (with the space) is the signature separator mail clients recognise and dim.
  out += "-- \n";
  out += m.page_name;
  if (IsWebUrl(m.page_url)) out += ": " + m.page_url;
  out += "\n";
  if (IsWebUrl(m.manage_url)) out += "Manage your subscription: " + m.manage_url + "\n";
  if (IsWebUrl(m.unsubscribe_url)) out += "Unsubscribe: " + m.unsubscribe_url + "\n";
  return out;
}

}  // namespace herald::notify::email

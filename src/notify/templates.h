// Notification templates: Mustache text per event type x channel x detail level x language, with
// good defaults embedded from web/notify/{language}.toml and per-page staff overrides from the
// store. A template key is "{event}[.{channel}][.{detail}].{part}" ("incident.subject",
// "incident.sms.short", "incident.technical.text"); lookups take the most specific key that
// exists, first among the page's overrides for the language, then the defaults for the language,
// then the same two for English.
//
// Thread safety: TemplateSet is immutable after construction; Render is pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace herald::notify {

inline constexpr std::string_view kDefaultLanguage = "en";

// The events and parts templates exist for (documented in docs/notifications.md).
inline constexpr std::string_view kTemplateEvents[] = {"incident", "maintenance", "notice",  "component",
                                                       "confirm",  "test",        "disabled"};
inline constexpr std::string_view kTemplateParts[] = {"subject", "text", "short"};

// Values for a template: strings; an empty string is false in a section ({{#x}}...{{/x}}).
using TemplateVars = std::map<std::string, std::string>;

class TemplateSet {
 public:
  // The embedded defaults for every shipped language.
  static const TemplateSet& Defaults();
  // Parses one language's TOML text (for tests and Defaults()).
  Status AddLanguage(const std::string& language, std::string_view toml_text);

  std::vector<std::string> Languages() const;
  const std::map<std::string, std::string>* Language(const std::string& language) const;

 private:
  std::map<std::string, std::map<std::string, std::string>> by_language_;
};

// Overrides of one page: "{language}/{key}" -> template text.
using TemplateOverrides = std::map<std::string, std::string>;

struct TemplateChoice {
  std::string key;   // "en/incident.technical.text"
  std::string text;  // the template
  bool overridden = false;
};

std::optional<TemplateChoice> ResolveTemplate(const TemplateSet& defaults, const TemplateOverrides& overrides,
                                              const std::string& language, std::string_view event,
                                              std::string_view channel, std::string_view detail, std::string_view part);

// Renders without HTML escaping (the output is Markdown or plain text; HTML comes from the
// safe Markdown renderer). Error::Invalid naming `field` when the template does not parse.
Result<std::string> RenderTemplate(const std::string& text, const TemplateVars& vars, const std::string& field);

// Checks a template staff write (or preview as a draft): it parses, and it uses no partial
// ({{>name}}): Herald gives templates none, so a partial would silently render nothing.
// Error::Invalid naming `field`.
Status ValidateTemplate(const std::string& text, const std::string& field);

// True if `key` ("{language}/{event}[.{channel}][.{detail}].{part}") names something a template
// can be written for; staff overrides are checked with it.
bool IsValidTemplateKey(std::string_view key);

}  // namespace herald::notify

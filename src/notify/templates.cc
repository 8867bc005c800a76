#include "notify/templates.h"

#include <toml++/toml.h>

#include <kainjow/mustache.hpp>
#include <sstream>

#include "assets/web_assets.h"
#include "core/text.h"
#include "model/subscriber.h"

namespace herald::notify {
namespace {

namespace mu = kainjow::mustache;

// Languages shipped with defaults; each has web/notify/{language}.toml.
constexpr std::string_view kShippedLanguages[] = {"en", "de", "fr", "es"};
constexpr std::string_view kDetails[] = {"brief", "standard", "technical"};

void Flatten(const toml::table& t, const std::string& prefix, std::map<std::string, std::string>& out) {
  for (const auto& [k, v] : t) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = v.as_table()) {
      Flatten(*sub, key, out);
    } else if (const auto* s = v.as_string()) {
      std::string text = s->get();
      // Multi-line strings in the TOML file start and end with a newline for readability.
      while (!text.empty() && text.front() == '\n') text.erase(text.begin());
      while (!text.empty() && text.back() == '\n') text.pop_back();
      out[key] = std::move(text);
    }
  }
}

bool Contains(const auto& list, std::string_view s) {
  for (const auto& x : list)
    if (x == s) return true;
  return false;
}

// Whether `text` has a partial tag. Follows the tag syntax of kainjow's parser: "{{", or the
// delimiters a "{{=<% %>=}}" tag set; "{{{name}}}" while the delimiters are the default ones; the
// tag's contents trimmed, its first character giving its kind.
bool HasPartial(std::string_view text) {
  std::string open = "{{", close = "}}";
  for (size_t pos = 0; (pos = text.find(open, pos)) != std::string_view::npos;) {
    size_t start = pos + open.size();
    std::string_view end = close;
    if (open == "{{" && close == "}}" && start < text.size() && text[start] == '{') {
      ++start;
      end = "}}}";
    }
    const size_t stop = text.find(end, start);
    if (stop == std::string_view::npos) return false;  // unclosed: the parser reports it
    const std::string_view tag = Trim(text.substr(start, stop - start));
    if (!tag.empty() && tag.front() == '>') return true;
    if (tag.size() >= 5 && tag.front() == '=' && tag.back() == '=') {
      const std::string_view inner = Trim(tag.substr(1, tag.size() - 2));
      const size_t space = inner.find(' ');
      const size_t next = space == std::string_view::npos ? space : inner.find_first_not_of(' ', space);
      if (next != std::string_view::npos) {
        open = std::string(inner.substr(0, space));
        close = std::string(inner.substr(next));
      }
    }
    pos = stop + end.size();
  }
  return false;
}

}  // namespace

const TemplateSet& TemplateSet::Defaults() {
  static const TemplateSet set = [] {
    TemplateSet s;
    for (auto lang : kShippedLanguages) {
      const auto text = assets::FindWebAsset("notify/" + std::string(lang) + ".toml");
      if (text.empty()) continue;
      if (auto st = s.AddLanguage(std::string(lang), text); !st.ok()) std::abort();  // a build-time asset: a bug
    }
    return s;
  }();
  return set;
}

Status TemplateSet::AddLanguage(const std::string& language, std::string_view toml_text) {
  try {
    auto table = toml::parse(toml_text);
    Flatten(table, "", by_language_[language]);
  } catch (const toml::parse_error& e) {
    return Error::Invalid("templates",
                          "templates for '" + language + "' do not parse: " + std::string(e.description()));
  }
  return {};
}

std::vector<std::string> TemplateSet::Languages() const {
  std::vector<std::string> out;
  for (const auto& [lang, _] : by_language_) out.push_back(lang);
  return out;
}

const std::map<std::string, std::string>* TemplateSet::Language(const std::string& language) const {
  auto it = by_language_.find(language);
  return it == by_language_.end() ? nullptr : &it->second;
}

std::optional<TemplateChoice> ResolveTemplate(const TemplateSet& defaults, const TemplateOverrides& overrides,
                                              const std::string& language, std::string_view event,
                                              std::string_view channel, std::string_view detail,
                                              std::string_view part) {
  const std::string e(event), c(channel), d(detail), p(part);
  // Most specific first.
  std::vector<std::string> keys;
  if (!c.empty() && !d.empty()) keys.push_back(e + "." + c + "." + d + "." + p);
  if (!c.empty()) keys.push_back(e + "." + c + "." + p);
  if (!d.empty()) keys.push_back(e + "." + d + "." + p);
  keys.push_back(e + "." + p);
  std::vector<std::string> languages{language};
  if (language != kDefaultLanguage) languages.emplace_back(kDefaultLanguage);
  for (const auto& lang : languages) {
    for (const auto& k : keys) {
      if (auto it = overrides.find(lang + "/" + k); it != overrides.end())
        return TemplateChoice{it->first, it->second, true};
    }
    if (const auto* table = defaults.Language(lang)) {
      for (const auto& k : keys) {
        if (auto it = table->find(k); it != table->end()) return TemplateChoice{lang + "/" + k, it->second, false};
      }
    }
  }
  return std::nullopt;
}

Result<std::string> RenderTemplate(const std::string& text, const TemplateVars& vars, const std::string& field) {
  mu::mustache tmpl{text};
  if (!tmpl.is_valid()) return Error::Invalid(field, "template does not parse: " + tmpl.error_message());
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  mu::data data;
  for (const auto& [k, v] : vars) {
    if (v.empty()) {
      data.set(k, mu::data::type::bool_false);
    } else {
      data.set(k, v);
    }
  }
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid()) return Error::Invalid(field, "template does not render: " + tmpl.error_message());
  return out;
}

Status ValidateTemplate(const std::string& text, const std::string& field) {
  if (HasPartial(text))
    return Error::Invalid(field, "templates cannot use partials ({{>name}}); write the text out instead");
  // Rendering once proves it parses; a broken template would otherwise fail at send time.
  if (auto r = RenderTemplate(text, {}, field); !r) return r.error();
  return {};
}

bool IsValidTemplateKey(std::string_view key) {
  const auto slash = key.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash > 8) return false;
  for (char ch : key.substr(0, slash))
    if (!((ch >= 'a' && ch <= 'z') || ch == '-')) return false;
  std::vector<std::string_view> parts;
  std::string_view rest = key.substr(slash + 1);
  for (size_t pos; (pos = rest.find('.')) != std::string_view::npos; rest.remove_prefix(pos + 1))
    parts.push_back(rest.substr(0, pos));
  parts.push_back(rest);
  if (parts.size() < 2 || parts.size() > 4) return false;
  if (!Contains(kTemplateEvents, parts.front()) || !Contains(kTemplateParts, parts.back())) return false;
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    const bool channel = model::ParseChannelKind(parts[i]).has_value();
    const bool detail = Contains(kDetails, parts[i]);
    if (!channel && !detail) return false;
    if (i == 2 && (!detail || !model::ParseChannelKind(parts[1]))) return false;  // order: channel, then detail
  }
  return true;
}

}  // namespace herald::notify

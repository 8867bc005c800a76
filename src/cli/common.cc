#include "cli/common.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/log.h"
#include "core/text.h"
#include "service/monitors.h"

namespace herald::cli {

void AddCommonOptions(CLI::App* cmd, CommonOptions& options, const char* page_help) {
  cmd->add_option("--db", options.db, "Database URL: sqlite:PATH or postgresql://... (env HERALD_DB)");
  cmd->add_option("--config", options.config_file, "TOML configuration file");
  if (page_help) cmd->add_option("--page", options.page, page_help);
}

Result<config::Config> ResolveConfig(const CommonOptions& options) {
  config::Config c;
  if (!options.config_file.empty()) {
    auto f = config::LoadFile(options.config_file, c);
    if (!f) return f.error();
    c = *f;
  }
  auto e = config::ApplyEnv(c);
  if (!e) return e.error();
  c = *e;
  if (!options.db.empty()) c.db = options.db;
  return c;
}

Result<std::unique_ptr<store::Store>> OpenMigrated(const std::string& url) {
  auto s = store::OpenStore(url);
  if (!s) return s.error();
  if (auto st = (*s)->Migrate(); !st) return st.error();
  return s;
}

Result<Configured> OpenConfigured(const CommonOptions& options, bool create) {
  auto cfg = ResolveConfig(options);
  if (!cfg) return cfg.error();
  log::SetJson(cfg->log_json);
  if (!create)
    if (auto st = RequireExistingDatabase(cfg->db); !st) return st.error();
  auto store = OpenMigrated(cfg->db);
  if (!store) return store.error();
  return Configured{std::move(*cfg), std::move(*store)};
}

int Fail(const Error& e, const FlagNames& flags) {
  // In the message only API names (they have an underscore) change: "name" is also a word.
  auto words = [&](std::string text) {
    for (const auto& [field, flag] : flags) {
      if (field.find('_') == std::string::npos) continue;
      // Whole words only: "components" must not turn into "--componentss".
      for (size_t pos = text.find(field); pos != std::string::npos; pos = text.find(field, pos)) {
        auto word = [&](size_t i) {
          return i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_');
        };
        if ((pos == 0 || !word(pos - 1)) && !word(pos + field.size())) {
          text.replace(pos, field.size(), flag);
          pos += flag.size();
        } else {
          pos += field.size();
        }
      }
    }
    return text;
  };
  auto exact = flags.find(e.field);
  const std::string field = exact != flags.end() ? exact->second : words(e.field);
  const std::string message = words(e.message);
  // "herald: --end: --end is in the past" says the flag once.
  const bool named = field.empty() || message.starts_with(field + " ");
  std::cerr << "herald: " << (named ? "" : field + ": ") << message << "\n";
  return e.code == ErrorCode::kInvalid ? 2 : 1;
}

Result<model::Page> ResolvePage(store::Store& store, const std::string& page) {
  if (!page.empty()) return store.GetPage(page);
  auto pages = store.ListPages();
  if (!pages) return pages.error();
  for (const auto& p : *pages)
    if (p.is_default) return p;
  if (!pages->empty()) return pages->front();
  return Error::NotFound("there is no page yet: create one with `herald apply` or `herald serve --demo`");
}

Result<OpenedPage> OpenOnPage(const CommonOptions& options) {
  auto opened = OpenConfigured(options);
  if (!opened) return opened.error();
  auto page = ResolvePage(*opened->store, options.page);
  if (!page) return page.error();
  return OpenedPage{std::move(*opened), std::move(*page)};
}

Result<model::Component> FindComponent(store::Store& store, const std::string& page_id, const std::string& ref) {
  auto all = store.ListComponents(page_id);
  if (!all) return all.error();
  for (const auto& c : *all)
    if (c.id == ref || c.name == ref) return c;
  return Error::Invalid("component", "no component with id or name \"" + ref + "\"");
}

Status RequireExistingDatabase(const std::string& url) {
  if (!url.starts_with("sqlite:")) return {};  // a server database exists before Herald connects
  const std::string path = url.substr(7);
  if (path.empty() || path == ":memory:") return {};
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return {};
  return Error::Invalid("db", "there is no database at " + path +
                                  ". Name yours with --db sqlite:PATH or `export HERALD_DB=sqlite:PATH`; "
                                  "only `herald migrate` and `herald serve` create a new one");
}

std::optional<TimeMs> ParseWhen(const std::string& text, TimeMs now) {
  if (auto t = ParseIso8601(text)) return t;
  std::string_view rel = Trim(text);
  if (rel.starts_with("in ")) rel = Trim(rel.substr(3));
  if (rel.starts_with('+')) rel.remove_prefix(1);
  // Pieces such as "2d", "2h" or "2d2h", each with its unit: "30" alone could mean seconds or
  // minutes.
  if (rel.empty()) return std::nullopt;
  TimeMs total = 0;
  while (!rel.empty()) {
    size_t digits = 0;
    while (digits < rel.size() && std::isdigit(static_cast<unsigned char>(rel[digits]))) ++digits;
    size_t end = digits;
    while (end < rel.size() && std::isalpha(static_cast<unsigned char>(rel[end]))) ++end;
    if (digits == 0 || end == digits) return std::nullopt;
    auto ms = service::ParseDurationMs(rel.substr(0, end));
    if (!ms) return std::nullopt;
    total += *ms;
    if (total > 100LL * 365 * 86'400'000) return std::nullopt;  // a century ahead is a typo
    rel.remove_prefix(end);
  }
  return now + total;
}

namespace {

// Optimal string alignment distance: edits and swaps of neighbours ("incidnet") count one each.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> CheckSubcommands(const CLI::App& app, int argc, const char* const* argv) {
  const CLI::App* level = &app;
  std::string path = "herald";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') return std::nullopt;  // options: CLI11 takes over
    auto subs = level->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) return std::nullopt;  // a command's own arguments
    const CLI::App* next = nullptr;
    std::vector<std::string> names;
    for (const auto* s : subs) {
      if (s->get_name() == word) next = s;
      names.push_back(s->get_name());
    }
    if (next) {
      level = next;
      path += " " + word;
      continue;
    }
    std::vector<std::string> close;
    for (const auto& n : names) {
      const size_t limit = std::max<size_t>(1, std::min(word.size(), n.size()) / 3);
      if (EditDistance(word, n) <= limit || (word.size() >= 3 && n.starts_with(word))) close.push_back(n);
    }
    std::string msg = "\"" + word + "\" is not a `" + path + "` command.";
    if (!close.empty()) {
      msg += " Did you mean ";
      for (size_t k = 0; k < close.size(); ++k)
        msg += (k == 0 ? "" : k + 1 == close.size() ? " or " : ", ") + ("\"" + close[k] + "\"");
      msg += "?";
    }
    msg += " Commands: ";
    for (size_t k = 0; k < names.size(); ++k) msg += (k ? ", " : "") + names[k];
    msg += " (see `" + path + " --help`).";
    return msg;
  }
  return std::nullopt;
}

void PrintRows(std::ostream& out, const std::vector<std::string>& header,
               const std::vector<std::vector<std::string>>& rows) {
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) out << (i ? "\t" : "") << cells[i];
    out << "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
}

}  // namespace herald::cli

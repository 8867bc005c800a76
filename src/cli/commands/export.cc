// herald export: the public site of every public page as static files.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands/commands.h"
#include "page/snapshot.h"

namespace herald::cli {
namespace {

namespace fs = std::filesystem;

struct ExportOptions {
  CommonOptions common;
  std::string out_dir, public_url, live_url;
};

int RunExport(Configured& c, const ExportOptions& o, const Clock& clock) {
  store::Store& s = *c.store;
  const config::Config& cfg = c.config;
  auto pages = s.ListPages();
  if (!pages) return Fail(pages.error());
  std::vector<page::SiteInput> sites;
  const TimeMs now = clock.Now();
  for (const auto& p : *pages) {
    if (p.is_private) continue;
    auto site = page::LoadSite(s, p, now, o.public_url.empty() ? cfg.public_url : o.public_url);
    if (!site) return Fail(site.error());
    site->page.hostname.clear();  // a static copy is served from wherever it is put
    // A static host has no sign-up endpoint and no event stream: link to the live page.
    site->static_export = true;
    site->live_url = !o.live_url.empty()       ? o.live_url
                     : !cfg.public_url.empty() ? cfg.public_url
                                               : "http://" + cfg.listen;
    site->vapid_public_key.clear();
    sites.push_back(std::move(*site));
  }
  auto snap = page::AssembleSnapshot(sites, now, std::nullopt);
  std::error_code ec;
  size_t n = 0;
  for (const auto& [path, asset] : snap->files) {
    fs::path target = fs::path(o.out_dir) / path.substr(1);
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Fail(Error::Invalid("out", "cannot create " + target.parent_path().string() + ": " + ec.message()));
    std::ofstream f(target, std::ios::binary);
    f << *asset.body;
    if (!f) return Fail(Error::Invalid("out", "cannot write " + target.string()));
    ++n;
  }
  std::cout << "wrote " << n << " files to " << o.out_dir << "\n";
  return 0;
}

}  // namespace

void AddExportCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<ExportOptions>();
  auto* export_cmd = app.add_subcommand("export", "Write the public site as static files");
  AddCommonOptions(export_cmd, o->common, nullptr);
  export_cmd->add_option("--out", o->out_dir, "Output directory")->required();
  export_cmd->add_option("--public-url", o->public_url, "Absolute URL the static site will be served at");
  export_cmd->add_option("--live-url", o->live_url,
                         "URL of the live Herald server, where visitors of the copy subscribe (default: public_url "
                         "from the configuration, else http://<listen>)");
  export_cmd->callback(Runner(ctx, o, OpenExisting, RunExport));
}

}  // namespace herald::cli

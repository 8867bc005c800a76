#include "cli/cli.h"

#include <pthread.h>
#include <signal.h>
#include <toml++/toml.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "app/app.h"
#include "cli/common.h"
#include "cli/demo.h"
#include "cli/monitors_cli.h"
#include "cli/subscribers_cli.h"
#include "config/config.h"
#include "core/log.h"
#include "core/text.h"
#include "core/time.h"
#include "page/snapshot.h"
#include "service/monitors.h"
#include "service/services.h"
#include "statuspage/json.h"
#include "store/store.h"

namespace herald::cli {
namespace {

namespace fs = std::filesystem;

struct Common {
  std::string config_file;
  std::string db;
  std::string page;  // id or slug; default: the default page
};

Result<config::Config> ResolveConfig(const Common& common) {
  config::Config c;
  if (!common.config_file.empty()) {
    auto f = config::LoadFile(common.config_file, c);
    if (!f) return f.error();
    c = *f;
  }
  auto e = config::ApplyEnv(c);
  if (!e) return e.error();
  c = *e;
  if (!common.db.empty()) c.db = common.db;
  return c;
}

Result<std::unique_ptr<store::Store>> OpenMigrated(const std::string& url) {
  auto s = store::OpenStore(url);
  if (!s) return s.error();
  if (auto st = (*s)->Migrate(); !st) return st.error();
  return s;
}

// The configuration from --db/--config and the environment, and its migrated store: what the
// subcommands registered from other files (subscriber, monitor) open.
struct Configured {
  config::Config config;
  std::unique_ptr<store::Store> store;
};
Result<Configured> OpenConfigured(const std::string& db, const std::string& config_file) {
  Common c;
  c.db = db;
  c.config_file = config_file;
  auto cfg = ResolveConfig(c);
  if (!cfg) return cfg.error();
  if (auto st = RequireExistingDatabase(cfg->db); !st) return st.error();
  auto store = OpenMigrated(cfg->db);
  if (!store) return store.error();
  return Configured{std::move(*cfg), std::move(*store)};
}

// Finds a component by id or exact name.
Result<model::Component> ResolveComponent(store::Store& store, const std::string& page_id, const std::string& ref) {
  auto all = store.ListComponents(page_id);
  if (!all) return all.error();
  for (const auto& c : *all)
    if (c.id == ref || c.name == ref) return c;
  return Error::Invalid("component", "no component with id or name \"" + ref + "\"");
}

void AddCommon(CLI::App* cmd, Common& common, bool page = true) {
  cmd->add_option("--db", common.db, "Database URL: sqlite:PATH or postgresql://... (env HERALD_DB)");
  cmd->add_option("--config", common.config_file, "TOML configuration file");
  if (page) cmd->add_option("--page", common.page, "Page id or slug (default: the default page)");
}

constexpr const char* kComponentStatuses =
    "operational, degraded_performance, partial_outage, major_outage or under_maintenance";

// Parses "ID_OR_NAME=STATUS".
Result<std::pair<std::string, model::ComponentStatus>> ParseComponentArg(const std::string& arg) {
  size_t eq = arg.rfind('=');
  std::string name = eq == std::string::npos ? arg : arg.substr(0, eq);
  std::string status = eq == std::string::npos ? "major_outage" : arg.substr(eq + 1);
  auto st = model::ParseComponentStatus(status);
  if (!st)
    return Error::Invalid("component",
                          "status must be " + std::string(kComponentStatuses) + ", not \"" + status + "\"");
  return std::pair{name, *st};
}

// The flags of `incident` and `maintenance` that set the service's fields, for its messages.
const FlagNames kIncidentFlags = {{"scheduled_for", "--start"},
                                  {"scheduled_until", "--end"},
                                  {"next_update_at", "--next-update"},
                                  {"components", "--component"},
                                  {"component_ids", "--component"},
                                  {"name", "--name"},
                                  {"body", "--body"},
                                  {"status", "--status"},
                                  {"impact", "--impact"},
                                  {"type", "--type"}};

// Where the incident is on the status page.
std::string IncidentUrl(const model::Incident& inc, store::Store& store, const config::Config& cfg) {
  std::string base = cfg.public_url.empty() ? "http://" + cfg.listen : cfg.public_url;
  while (base.ends_with('/')) base.pop_back();
  auto page = store.GetPage(inc.page_id);
  const std::string prefix = page && !page->is_default ? "/pages/" + page->slug : "";
  return base + prefix + "/incidents/" + inc.id;
}

// The id and the page's URL for people (and `cut -f1`); the whole staff JSON with --json.
int PrintIncident(const model::Incident& inc, store::Store& store, const config::Config& cfg, bool as_json) {
  if (as_json) {
    auto comps = store.ListComponents(inc.page_id);
    std::cout << boost::json::serialize(statuspage::IncidentJson(inc, comps ? *comps : std::vector<model::Component>{},
                                                                 "", statuspage::Audience::kStaff))
              << "\n";
    return 0;
  }
  std::cout << inc.id << "\t" << model::ToString(inc.status) << "\t" << IncidentUrl(inc, store, cfg) << "\n";
  return 0;
}

Status Apply(store::Store& store, const Clock& clock, const std::string& file, bool dry_run, bool& changed);

// herald draft list|publish|discard: `id` empty lists.
int RunDraft(store::Store& s, const Clock& clock, const config::Config& cfg, const std::string& page_id,
             const std::string& id, bool publish, bool all) {
  service::MonitorService monitors(service::MonitorDeps{s, clock});
  if (id.empty()) {
    auto drafts = s.ListIncidentDrafts(page_id, !all);
    if (!drafts) return Fail(drafts.error());
    auto comps = s.ListComponents(page_id);
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : *drafts) {
      std::string component = d.component_id;
      if (comps)
        for (const auto& c : *comps)
          if (c.id == d.component_id) component = c.name;
      rows.push_back({d.id, std::string(model::ToString(d.state)),
                      d.state == model::DraftState::kWaiting ? FormatIso8601(d.publish_at)
                                                             : (d.incident_id.empty() ? "-" : d.incident_id),
                      component.empty() ? "-" : component, d.name});
    }
    PrintRows(std::cout, {"ID", "STATE", "PUBLISHES AT / INCIDENT", "COMPONENT", "NAME"}, rows);
    if (drafts->empty()) std::cerr << (all ? "no drafts\n" : "no drafts waiting (--all shows the others)\n");
    return 0;
  }
  if (publish) {
    auto inc = monitors.Publish(page_id, id);
    if (!inc) return Fail(inc.error());
    return PrintIncident(*inc, s, cfg, false);
  }
  auto d = monitors.Discard(page_id, id);
  if (!d) return Fail(d.error());
  std::cout << "discarded " << d->id << " (\"" << d->name << "\"): nothing was published\n";
  return 0;
}

}  // namespace

int Run(int argc, char** argv) {
  CLI::App app{"Herald: status pages, incident communication and monitoring in one server.", "herald"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "herald 0.1.0");
  Common common;
  const Clock& clock = SystemClock::Instance();

  // serve
  auto* serve = app.add_subcommand("serve", "Run the server");
  AddCommon(serve, common, false);
  std::string listen, public_url;
  bool demo = false, log_json = false;
  serve->add_option("--listen", listen, "HOST:PORT to listen on (env HERALD_LISTEN; default 127.0.0.1:8080)");
  serve->add_option("--public-url", public_url, "Absolute URL the page is reached at, for feeds and links");
  serve->add_flag("--demo", demo, "Seed the demo page into an empty database");
  serve->add_flag("--log-json", log_json, "Write logs as JSON lines");

  auto* migrate = app.add_subcommand("migrate", "Create or upgrade the database schema");
  AddCommon(migrate, common, false);

  // token
  auto* token = app.add_subcommand("token", "Manage API keys");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "Create an API key; prints it once, alone on the last line");
  AddCommon(token_create, common, false);
  std::string token_name, token_role = "viewer";
  token_create->add_option("--name", token_name, "What the key is for")->required();
  token_create->add_option("--role", token_role, "viewer, responder or admin")
      ->check(CLI::IsMember({"viewer", "responder", "admin"}));
  auto* token_list = token->add_subcommand("list", "List API keys (never their secrets)");
  AddCommon(token_list, common, false);
  auto* token_revoke = token->add_subcommand("revoke", "Revoke an API key by id");
  AddCommon(token_revoke, common, false);
  std::string token_id;
  token_revoke->add_option("id", token_id, "Key id")->required();

  // component
  auto* component = app.add_subcommand("component", "Components");
  component->require_subcommand(1);
  auto* component_set = component->add_subcommand("set", "Set a component's status");
  AddCommon(component_set, common);
  std::string comp_ref, comp_status;
  component_set->add_option("component", comp_ref, "Component id or name")->required();
  component_set
      ->add_option("status", comp_status,
                   "operational, degraded_performance, partial_outage, "
                   "major_outage or under_maintenance")
      ->required();
  auto* component_list = component->add_subcommand("list", "List components");
  AddCommon(component_list, common);

  // incident
  auto* incident = app.add_subcommand("incident", "Incidents");
  incident->require_subcommand(1);
  std::string inc_name, inc_status, inc_body, inc_impact, inc_type, inc_next, inc_id;
  std::vector<std::string> inc_components;
  bool inc_internal = false, inc_quiet = false, as_json = false;
  auto add_update_opts = [&](CLI::App* c) {
    c->add_option("--status", inc_status, "investigating, identified, monitoring, resolved");
    c->add_option("--body", inc_body, "What happened, in plain language (Markdown)");
    c->add_option("--component", inc_components, "Affected component as NAME_OR_ID[=STATUS]; repeatable");
    c->add_option("--next-update", inc_next, "When the next update is promised: 30m, 2h or an ISO 8601 time");
    c->add_flag("--internal", inc_internal, "A staff-only note: never shown publicly");
    c->add_flag("--quiet", inc_quiet, "Do not notify subscribers of this update");
    c->add_flag("--json", as_json, "Print the whole incident as JSON instead of its id, status and URL");
  };
  auto* incident_open =
      incident->add_subcommand("open", "Open an incident (published at once); prints its id, status and URL");
  AddCommon(incident_open, common);
  incident_open->add_option("--name", inc_name, "Title")->required();
  incident_open->add_option("--impact", inc_impact, "none, minor, major, critical (default: from components)");
  incident_open->add_option("--type", inc_type, "outage, security, policy, product_update");
  add_update_opts(incident_open);
  auto* incident_update = incident->add_subcommand("update", "Post an update to an incident");
  AddCommon(incident_update, common);
  incident_update->add_option("id", inc_id, "Incident id")->required();
  add_update_opts(incident_update);
  auto* incident_resolve = incident->add_subcommand("resolve", "Resolve an incident and restore its components");
  AddCommon(incident_resolve, common);
  incident_resolve->add_option("id", inc_id, "Incident id")->required();
  incident_resolve->add_option("--body", inc_body, "Closing words (default: a plain-language resolution note)");
  incident_resolve->add_flag("--json", as_json, "Print the whole incident as JSON");
  auto* incident_list = incident->add_subcommand("list", "List unresolved incidents");
  AddCommon(incident_list, common);

  // maintenance
  auto* maintenance = app.add_subcommand("maintenance", "Scheduled maintenance");
  maintenance->require_subcommand(1);
  auto* maintenance_schedule = maintenance->add_subcommand("schedule", "Schedule maintenance");
  AddCommon(maintenance_schedule, common);
  std::string m_start, m_end;
  bool m_manual = false;
  maintenance_schedule->add_option("--name", inc_name, "Title")->required();
  maintenance_schedule->add_option("--start", m_start, "Window start: ISO 8601 or from now, e.g. 2h or 1d")->required();
  maintenance_schedule->add_option("--end", m_end, "Window end: ISO 8601 or from now, e.g. 4h")->required();
  maintenance_schedule->add_option("--body", inc_body, "What will happen and what customers will notice");
  maintenance_schedule->add_option("--component", inc_components, "Component name or id; repeatable");
  maintenance_schedule->add_flag("--manual", m_manual, "Do not start and complete it automatically");
  maintenance_schedule->add_flag("--json", as_json, "Print the whole maintenance as JSON");

  // draft: what automation rules in draft mode prepared, for a human to publish or discard.
  auto* draft = app.add_subcommand("draft", "Incident drafts prepared by automation rules in draft mode");
  draft->require_subcommand(1);
  auto* draft_list = draft->add_subcommand("list", "List drafts waiting to be published (and when they publish)");
  AddCommon(draft_list, common);
  bool draft_all = false;
  draft_list->add_flag("--all", draft_all, "Also the published and discarded ones");
  std::string draft_id;
  auto* draft_publish = draft->add_subcommand("publish", "Publish a draft now as an incident");
  AddCommon(draft_publish, common);
  draft_publish->add_option("id", draft_id, "Draft id")->required();
  auto* draft_discard = draft->add_subcommand("discard", "Discard a draft: nothing is published");
  AddCommon(draft_discard, common);
  draft_discard->add_option("id", draft_id, "Draft id")->required();

  auto* export_cmd = app.add_subcommand("export", "Write the public site as static files");
  AddCommon(export_cmd, common, false);
  std::string out_dir;
  export_cmd->add_option("--out", out_dir, "Output directory")->required();
  export_cmd->add_option("--public-url", public_url, "Absolute URL the static site will be served at");
  std::string live_url;
  export_cmd->add_option("--live-url", live_url,
                         "URL of the live Herald server, where visitors of the copy subscribe (default: public_url "
                         "from the configuration, else http://<listen>)");

  auto* apply_cmd =
      app.add_subcommand("apply", "Apply a declarative TOML or YAML file of pages, groups, components and monitors");
  AddCommon(apply_cmd, common, false);
  std::string apply_file;
  bool dry_run = false;
  apply_cmd->add_option("file", apply_file, "TOML (.toml) or YAML (.yaml, .yml) file")
      ->required()
      ->check(CLI::ExistingFile);
  apply_cmd->add_flag("--dry-run", dry_run, "Validate the file and print what would change; write nothing");

  // herald subscriber import|export|add|list (subscribers_cli.cc). Nothing is sent from the CLI:
  // addresses are validated, and staff-added subscribers are active at once.
  std::optional<int> subscriber_rc;
  AddSubscriberCommands(
      app,
      [](const std::string& db, const std::string& config_file) -> Result<SubscriberCliEnv> {
        auto opened = OpenConfigured(db, config_file);
        if (!opened) return opened.error();
        SubscriberCliEnv env;
        env.store = std::move(opened->store);
        env.public_url = opened->config.public_url;
        env.notify = opened->config.notify;
        return env;
      },
      clock, subscriber_rc);

  // herald monitor add|list|remove (monitors_cli.cc).
  std::optional<int> monitor_rc;
  AddMonitorCommands(
      app,
      [](const std::string& db, const std::string& config_file) -> Result<MonitorCliEnv> {
        auto opened = OpenConfigured(db, config_file);
        if (!opened) return opened.error();
        MonitorCliEnv env;
        env.store = std::move(opened->store);
        return env;
      },
      clock, monitor_rc);

  if (auto wrong = CheckSubcommands(app, argc, argv)) {
    std::cerr << "herald: " << *wrong << "\n";
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (subscriber_rc) return *subscriber_rc;
  if (monitor_rc) return *monitor_rc;

  auto cfg = ResolveConfig(common);
  if (!cfg) return Fail(cfg.error());
  log::SetJson(cfg->log_json || log_json);

  if (serve->parsed()) {
    if (!listen.empty()) cfg->listen = listen;
    if (!public_url.empty()) cfg->public_url = public_url;
    auto addr = config::ParseListen(cfg->listen);
    if (!addr) return Fail(addr.error());
    auto store = OpenMigrated(cfg->db);
    if (!store) return Fail(store.error());
    if (demo) {
      // The demo's monitors check this server itself.
      const std::string self = "http://" +
                               (addr->first.find(':') != std::string::npos ? "[" + addr->first + "]" : addr->first) +
                               ":" + std::to_string(addr->second);
      auto seeded = SeedDemo(**store, clock, self);
      if (!seeded) return Fail(seeded.error());
      if (*seeded) log::Info("seeded demo data");
    }
    app::AppOptions opts;
    opts.server.host = addr->first;
    opts.server.port = addr->second;
    opts.server.io_threads = cfg->io_threads;
    opts.server.worker_threads = cfg->worker_threads;
    opts.server.max_body_bytes = cfg->max_body_bytes;
    opts.public_url = cfg->public_url;
    opts.api_per_second = cfg->api_per_second;
    opts.api_burst = cfg->api_burst;
    opts.server.max_connections_per_client = cfg->max_connections_per_client;
    opts.server.max_sse_per_client = cfg->max_sse_per_client;
    opts.metrics_token = cfg->metrics_token;
    if (!cfg->metrics_listen.empty()) {
      auto maddr = config::ParseListen(cfg->metrics_listen);
      if (!maddr) return Fail(Error::Invalid("metrics.listen", "metrics." + maddr.error().message));
      opts.metrics_listen.emplace();
      opts.metrics_listen->host = maddr->first;
      opts.metrics_listen->port = maddr->second;
    }
    opts.notify = cfg->notify;
    opts.monitor_enabled = cfg->monitor.enabled;
    opts.monitor_ca_file = cfg->monitor.ca_file;
    // SIGINT/SIGTERM are blocked in every thread (the server's threads inherit the mask) and
    // taken synchronously below, so shutdown runs as ordinary code, not in a signal handler.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    app::App server(**store, clock, opts);
    if (auto st = server.Start(); !st) return Fail(st.error());
    log::Info(
        "listening",
        {{"url", "http://" + (addr->first.find(':') != std::string::npos ? "[" + addr->first + "]" : addr->first) +
                     ":" + std::to_string(server.port()) + "/"},
         {"db", (*store)->BackendName()}});
    if (server.metrics_port()) std::cout << "herald metrics listening on port " << server.metrics_port() << std::endl;
    // Scripts and tests read the bound port from this line.
    std::cout << "herald listening on port " << server.port() << std::endl;
    int sig = 0;
    sigwait(&signals, &sig);
    log::Info("stopping", {{"signal", std::to_string(sig)}});
    server.Stop();
    log::Info("stopped");
    return 0;
  }

  if (!migrate->parsed())
    if (auto st = RequireExistingDatabase(cfg->db); !st) return Fail(st.error());
  auto store = OpenMigrated(cfg->db);
  if (!store) return Fail(store.error());
  store::Store& s = **store;
  service::Deps deps{s, clock, [] {}};

  if (migrate->parsed()) {
    std::cout << "database schema is up to date (" << s.BackendName() << ")\n";
    return 0;
  }
  if (token_create->parsed()) {
    auto k = service::CreateApiKey(s, clock, token_name, *model::ParseRole(token_role));
    if (!k) return Fail(k.error());
    std::cerr << "Created " << token_role << " key " << k->key.id << " (\"" << k->key.name
              << "\"). It is shown only now; store it safely:\n";
    std::cout << k->secret << std::endl;
    return 0;
  }
  if (token_list->parsed()) {
    auto keys = s.ListApiKeys();
    if (!keys) return Fail(keys.error());
    std::vector<std::vector<std::string>> rows;
    for (const auto& k : *keys)
      rows.push_back({k.id, std::string(model::ToString(k.role)), FormatIso8601(k.created_at), k.name});
    PrintRows(std::cout, {"ID", "ROLE", "CREATED", "NAME"}, rows);
    return 0;
  }
  if (token_revoke->parsed()) {
    if (auto st = s.DeleteApiKey(token_id); !st) return Fail(st.error());
    std::cout << "revoked " << token_id << "\n";
    return 0;
  }
  if (export_cmd->parsed()) {
    auto pages = s.ListPages();
    if (!pages) return Fail(pages.error());
    std::vector<page::SiteInput> sites;
    const TimeMs now = clock.Now();
    for (const auto& p : *pages) {
      if (p.is_private) continue;
      auto site = page::LoadSite(s, p, now, public_url.empty() ? cfg->public_url : public_url);
      if (!site) return Fail(site.error());
      site->page.hostname.clear();  // a static copy is served from wherever it is put
      // A static host has no sign-up endpoint and no event stream: link to the live page.
      site->static_export = true;
      site->live_url = !live_url.empty()          ? live_url
                       : !cfg->public_url.empty() ? cfg->public_url
                                                  : "http://" + cfg->listen;
      site->vapid_public_key.clear();
      sites.push_back(std::move(*site));
    }
    auto snap = page::AssembleSnapshot(sites, now, std::nullopt);
    std::error_code ec;
    size_t n = 0;
    for (const auto& [path, asset] : snap->files) {
      fs::path target = fs::path(out_dir) / path.substr(1);
      fs::create_directories(target.parent_path(), ec);
      if (ec)
        return Fail(Error::Invalid("out", "cannot create " + target.parent_path().string() + ": " + ec.message()));
      std::ofstream f(target, std::ios::binary);
      f << *asset.body;
      if (!f) return Fail(Error::Invalid("out", "cannot write " + target.string()));
      ++n;
    }
    std::cout << "wrote " << n << " files to " << out_dir << "\n";
    return 0;
  }
  if (apply_cmd->parsed()) {
    bool changed = false;
    if (auto st = Apply(s, clock, apply_file, dry_run, changed); !st) return Fail(st.error());
    if (dry_run)
      std::cout << (changed ? "dry run, nothing written: applying " + apply_file + " would make the changes above"
                            : "no changes: " + apply_file)
                << "\n";
    else
      std::cout << (changed ? "applied " : "no changes: ") << apply_file << "\n";
    return 0;
  }

  auto page = ResolvePage(s, common.page);
  if (!page) return Fail(page.error());
  const std::string pid = page->id;

  if (component_list->parsed()) {
    auto all = s.ListComponents(pid);
    if (!all) return Fail(all.error());
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : *all)
      rows.push_back({c.id, c.is_group ? "group" : std::string(model::ToString(c.status)), c.name});
    PrintRows(std::cout, {"ID", "STATUS", "NAME"}, rows);
    return 0;
  }
  if (component_set->parsed()) {
    auto c = ResolveComponent(s, pid, comp_ref);
    if (!c) return Fail(c.error());
    auto st = model::ParseComponentStatus(comp_status);
    if (!st) return Fail(Error::Invalid("status", "unknown status \"" + comp_status + "\": use " + kComponentStatuses));
    service::ComponentInput in;
    in.status = *st;
    auto r = service::ComponentService(deps).Update(pid, c->id, in);
    if (!r) return Fail(r.error());
    std::cout << r->name << " is now " << model::ToString(r->status) << "\n";
    return 0;
  }
  if (incident_list->parsed()) {
    store::IncidentFilter f;
    f.unresolved_only = true;
    auto list = s.ListIncidents(pid, f);
    if (!list) return Fail(list.error());
    std::vector<std::vector<std::string>> rows;
    for (const auto& i : *list)
      rows.push_back({i.id, std::string(model::ToString(i.status)), i.name, IncidentUrl(i, s, *cfg)});
    PrintRows(std::cout, {"ID", "STATUS", "NAME", "URL"}, rows);
    return 0;
  }
  if (draft_list->parsed() || draft_publish->parsed() || draft_discard->parsed())
    return RunDraft(s, clock, *cfg, pid, draft_list->parsed() ? "" : draft_id, draft_publish->parsed(), draft_all);

  service::IncidentService incidents(deps);
  service::IncidentInput in;
  if (!inc_name.empty()) in.name = inc_name;
  if (!inc_body.empty()) in.body = inc_body;
  in.internal = inc_internal;
  if (inc_quiet) in.deliver_notifications = false;
  if (!inc_status.empty()) {
    in.status = model::ParseIncidentStatus(inc_status);
    if (!in.status)
      return Fail(Error::Invalid(
          "status", "unknown status \"" + inc_status + "\": use investigating, identified, monitoring or resolved"));
  }
  if (!inc_impact.empty()) {
    in.impact = model::ParseImpact(inc_impact);
    if (!in.impact)
      return Fail(
          Error::Invalid("impact", "unknown impact \"" + inc_impact + "\": use none, minor, major or critical"));
  }
  if (!inc_type.empty()) {
    in.type = model::ParseNoticeType(inc_type);
    if (!in.type)
      return Fail(
          Error::Invalid("type", "unknown type \"" + inc_type + "\": use outage, security, policy or product_update"));
  }
  if (!inc_next.empty()) {
    in.next_update_at = ParseWhen(inc_next, clock.Now());
    if (!in.next_update_at)
      return Fail(Error::Invalid("--next-update",
                                 "--next-update must be a time from now such as 30m or 2h, or an "
                                 "ISO 8601 time such as 2026-12-01T15:00:00Z, not \"" +
                                     inc_next + "\""));
  }
  const bool is_maintenance = maintenance_schedule->parsed();
  for (const auto& arg : inc_components) {
    auto parsed = is_maintenance ? Result<std::pair<std::string, model::ComponentStatus>>(
                                       std::pair{arg, model::ComponentStatus::kUnderMaintenance})
                                 : ParseComponentArg(arg);
    if (!parsed) return Fail(parsed.error(), kIncidentFlags);
    auto c = ResolveComponent(s, pid, parsed->first);
    if (!c) return Fail(c.error(), kIncidentFlags);
    if (is_maintenance) {
      if (!in.component_ids) in.component_ids.emplace();
      in.component_ids->push_back(c->id);
    } else {
      in.components[c->id] = parsed->second;
    }
  }
  Result<model::Incident> result = Error::Internal("no command");
  if (incident_open->parsed()) {
    // Everything given here is public at once: an incident without words tells customers nothing.
    if (!in.body || Trim(*in.body).empty())
      return Fail(Error::Invalid("body",
                                 "an incident is published at once: say what customers notice with --body "
                                 "(Markdown), e.g. --body \"Some requests fail; we are on it.\""));
    result = incidents.Create(pid, in);
  } else if (incident_update->parsed()) {
    if (!in.status && !in.body) return Fail(Error::Invalid("body", "an update needs --body or --status"));
    result = incidents.Update(pid, inc_id, in);
  } else if (incident_resolve->parsed()) {
    in.status = model::IncidentStatus::kResolved;
    if (!in.body) in.body = "This incident has been resolved. Everything is working normally again.";
    result = incidents.Update(pid, inc_id, in);
  } else if (is_maintenance) {
    in.scheduled_for = ParseWhen(m_start, clock.Now());
    in.scheduled_until = ParseWhen(m_end, clock.Now());
    if (!in.scheduled_for)
      return Fail(Error::Invalid("--start",
                                 "must be a time from now such as 2h or 1d, or an ISO 8601 time like "
                                 "2026-12-01T02:00:00Z"));
    if (!in.scheduled_until)
      return Fail(Error::Invalid("--end",
                                 "must be a time from now such as 4h, or an ISO 8601 time like "
                                 "2026-12-01T04:00:00Z"));
    in.scheduled_auto_transition = !m_manual;
    result = incidents.Create(pid, in);
  }
  if (!result) return Fail(result.error(), kIncidentFlags);
  return PrintIncident(*result, s, *cfg, as_json);
}

namespace {

// herald apply: pages, groups and components declared in TOML, matched by page slug and by
// component name within a page, so applying the same file twice changes nothing. Monitors,
// automation rules and alert targets of a page follow its components (ApplyMonitoring in
// monitors_cli.cc).
//
//   [[page]]
//   slug = "acme"
//   name = "Acme Cloud"
//   default = true
//   time_zone = "Europe/Berlin"
//     [[page.component]]
//     name = "API"
//     group = "Core platform"
//     description = "..."
//     [[page.monitor]]
//     name = "API health"
//     component = "API"
//     kind = "http"
//     target = "https://api.example.com/health"
// YAML files carry the same keys as the TOML form; they are converted to a TOML table so that
// one code path applies both. Quoted scalars stay strings; plain ones become integers or
// booleans when they read as such.
Result<toml::table> YamlToToml(const YAML::Node& n, const std::string& where);

Result<std::unique_ptr<toml::node>> YamlValue(const YAML::Node& n, const std::string& where) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      auto t = YamlToToml(n, where);
      if (!t) return t.error();
      return std::unique_ptr<toml::node>(std::make_unique<toml::table>(std::move(*t)));
    }
    case YAML::NodeType::Sequence: {
      auto a = std::make_unique<toml::array>();
      for (const auto& item : n) {
        auto v = YamlValue(item, where + "[]");
        if (!v) return v.error();
        if (auto* tbl = (*v)->as_table())
          a->push_back(std::move(*tbl));
        else if (auto* arr = (*v)->as_array())
          a->push_back(std::move(*arr));
        else if (auto* str = (*v)->as_string())
          a->push_back(str->get());
        else if (auto* i = (*v)->as_integer())
          a->push_back(i->get());
        else if (auto* b = (*v)->as_boolean())
          a->push_back(b->get());
      }
      return std::unique_ptr<toml::node>(std::move(a));
    }
    case YAML::NodeType::Scalar: {
      if (n.Tag() != "!") {  // plain (unquoted) scalar
        long long i;
        bool b;
        if (YAML::convert<long long>::decode(n, i))
          return std::unique_ptr<toml::node>(std::make_unique<toml::value<int64_t>>(i));
        if (YAML::convert<bool>::decode(n, b))
          return std::unique_ptr<toml::node>(std::make_unique<toml::value<bool>>(b));
      }
      return std::unique_ptr<toml::node>(std::make_unique<toml::value<std::string>>(n.Scalar()));
    }
    default: return Error::Invalid(where, where + " has no value");
  }
}

Result<toml::table> YamlToToml(const YAML::Node& n, const std::string& where) {
  toml::table t;
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    auto v = YamlValue(kv.second, where + "." + key);
    if (!v) return v.error();
    if (auto* tbl = (*v)->as_table())
      t.insert(key, std::move(*tbl));
    else if (auto* arr = (*v)->as_array())
      t.insert(key, std::move(*arr));
    else if (auto* str = (*v)->as_string())
      t.insert(key, str->get());
    else if (auto* i = (*v)->as_integer())
      t.insert(key, i->get());
    else if (auto* b = (*v)->as_boolean())
      t.insert(key, b->get());
  }
  return t;
}

Result<toml::table> ReadDeclarations(const std::string& file) {
  if (file.ends_with(".yaml") || file.ends_with(".yml")) {
    try {
      YAML::Node root = YAML::LoadFile(file);
      if (!root.IsMap()) return Error::Invalid("file", file + ": the top level must be a mapping with a `page` list");
      return YamlToToml(root, "file");
    } catch (const YAML::Exception& e) {
      return Error::Invalid("file", file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
  }
  try {
    return toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    return Error::Invalid("file",
                          file + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
}

// Keys a table may have and the TOML type of each ('s' string, 'b' boolean, 'i' integer, 'a' array
// of tables); anything else stops the run, naming its path, before anything is written.
using KeyKinds = std::map<std::string, char>;
Status CheckTable(const toml::table& t, const KeyKinds& kinds, const std::string& where) {
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    const std::string path = where.empty() ? key : where + "." + key;
    auto it = kinds.find(key);
    if (it == kinds.end()) {
      std::string known;
      for (const auto& [name, kind] : kinds) known += (known.empty() ? "" : ", ") + name;
      return Error::Invalid(
          path, "unknown key \"" + key + "\"" + (where.empty() ? "" : " in " + where) + "; the keys here are " + known);
    }
    const bool ok = it->second == 's'   ? v.is_string()
                    : it->second == 'b' ? v.is_boolean()
                    : it->second == 'i' ? v.is_integer()
                                        : v.is_array();
    if (!ok)
      return Error::Invalid(path, path + " must be " +
                                      (it->second == 's'   ? "a string"
                                       : it->second == 'b' ? "true or false"
                                       : it->second == 'i' ? "a whole number"
                                                           : "a list of tables ([[" + key + "]])"));
  }
  return {};
}

const KeyKinds kPageKeys = {{"slug", 's'},        {"name", 's'},         {"url", 's'},      {"time_zone", 's'},
                            {"logo_url", 's'},    {"accent_color", 's'}, {"hostname", 's'}, {"default", 'b'},
                            {"private", 'b'},     {"component", 'a'},    {"monitor", 'a'},  {"automation_rule", 'a'},
                            {"alert_target", 'a'}};
const KeyKinds kComponentKeys = {
    {"name", 's'},     {"group", 's'},  {"description", 's'},           {"position", 'i'},
    {"showcase", 'b'}, {"hidden", 'b'}, {"only_show_if_degraded", 'b'}, {"start_date", 's'}};

Status Apply(store::Store& store, const Clock& clock, const std::string& file, bool dry_run, bool& changed) {
  auto parsed = ReadDeclarations(file);
  if (!parsed) return parsed.error();
  toml::table& t = *parsed;
  if (auto st = CheckTable(t, {{"page", 'a'}}, ""); !st) return st;
  auto* pages = t["page"].as_array();
  if (!pages) return Error::Invalid("page", "the file must declare at least one [[page]]");
  // Every table's keys first, so that a typo anywhere writes nothing at all.
  for (size_t pi = 0; pi < pages->size(); ++pi) {
    const std::string where = "page[" + std::to_string(pi) + "]";
    auto* pt = (*pages)[pi].as_table();
    if (!pt) return Error::Invalid(where, where + " must be a table");
    if (auto st = CheckTable(*pt, kPageKeys, where); !st) return st;
    if (auto* comps = (*pt)["component"].as_array())
      for (size_t ci = 0; ci < comps->size(); ++ci) {
        const std::string cwhere = where + ".component[" + std::to_string(ci) + "]";
        auto* ct = (*comps)[ci].as_table();
        if (!ct) return Error::Invalid(cwhere, cwhere + " must be a table");
        if (auto st = CheckTable(*ct, kComponentKeys, cwhere); !st) return st;
      }
  }
  service::Deps deps{store, clock, [] {}};
  service::PageService page_service(deps);
  service::ComponentService components(deps);
  auto note = [&](const char* verb, const std::string& what) {
    std::cout << (dry_run ? std::string("would ") + verb : std::string(verb) + "d") << " " << what << "\n";
    changed = true;
  };
  int pi = 0;
  for (auto& node : *pages) {
    auto* pt = node.as_table();
    const std::string where = "page[" + std::to_string(pi++) + "]";
    auto str = [&](toml::table& tbl, const char* k) -> std::optional<std::string> {
      return tbl[k].value<std::string>();
    };
    service::PageInput in;
    in.slug = str(*pt, "slug");
    if (!in.slug) return Error::Invalid(where + ".slug", where + ".slug is required");
    in.name = str(*pt, "name");
    in.url = str(*pt, "url");
    in.time_zone = str(*pt, "time_zone");
    in.logo_url = str(*pt, "logo_url");
    in.accent_color = str(*pt, "accent_color");
    in.hostname = str(*pt, "hostname");
    in.is_default = (*pt)["default"].value<bool>();
    in.is_private = (*pt)["private"].value<bool>();
    auto existing = store.GetPage(*in.slug);
    model::Page page;  // page.id stays empty in a dry run for a page that does not exist yet
    if (existing) {
      const auto& p = *existing;
      bool same = (!in.name || *in.name == p.name) && (!in.url || *in.url == p.url) &&
                  (!in.time_zone || *in.time_zone == p.time_zone) && (!in.logo_url || *in.logo_url == p.logo_url) &&
                  (!in.accent_color || *in.accent_color == p.accent_color) &&
                  (!in.hostname || *in.hostname == p.hostname) && (!in.is_default || *in.is_default == p.is_default) &&
                  (!in.is_private || *in.is_private == p.is_private);
      page = p;
      if (!same) {
        if (!dry_run) {
          auto r = page_service.Update(p.id, in);
          if (!r) return Error::Invalid(where + "." + r.error().field, r.error().message);
          page = *r;
        }
        note("update", "page " + p.slug);
      }
    } else if (existing.error().code == ErrorCode::kNotFound) {
      if (!in.name) return Error::Invalid(where + ".name", where + ".name is required");
      if (!dry_run) {
        auto r = page_service.Create(in);
        if (!r) return Error::Invalid(where + "." + r.error().field, r.error().message);
        page = *r;
      } else {
        page.slug = *in.slug;
      }
      note("create", "page " + *in.slug);
    } else {
      return existing.error();
    }
    auto* comps = (*pt)["component"].as_array();
    int ci = 0;
    toml::array no_components;
    std::set<std::string> pending;  // components and groups a dry run would create
    for (auto& cnode : comps ? *comps : no_components) {
      auto* ct = cnode.as_table();
      const std::string cwhere = where + ".component[" + std::to_string(ci++) + "]";
      auto name = str(*ct, "name");
      if (!name) return Error::Invalid(cwhere + ".name", cwhere + ".name is required");
      std::vector<model::Component> none;
      auto all = page.id.empty() ? Result<std::vector<model::Component>>(none) : store.ListComponents(page.id);
      if (!all) return all.error();
      std::string group_id;
      if (auto group = str(*ct, "group")) {
        auto it = std::find_if(all->begin(), all->end(), [&](const auto& c) { return c.is_group && c.name == *group; });
        if (it != all->end()) {
          group_id = it->id;
        } else if (!pending.count("group:" + *group)) {
          if (!dry_run) {
            service::ComponentInput g;
            g.name = *group;
            auto r = components.Create(page.id, g, true);
            if (!r) return Error::Invalid(cwhere + ".group", r.error().message);
            group_id = r->id;
          } else {
            pending.insert("group:" + *group);
          }
          note("create", "group \"" + *group + "\" in " + page.slug);
        }
      }
      service::ComponentInput ci_in;
      ci_in.name = name;
      ci_in.description = str(*ct, "description");
      ci_in.group_id = group_id;
      ci_in.position = (*ct)["position"].value<int>();
      ci_in.showcase = (*ct)["showcase"].value<bool>();
      ci_in.hidden = (*ct)["hidden"].value<bool>();
      ci_in.only_show_if_degraded = (*ct)["only_show_if_degraded"].value<bool>();
      ci_in.start_date = str(*ct, "start_date");
      auto it = std::find_if(all->begin(), all->end(), [&](const auto& c) { return !c.is_group && c.name == *name; });
      if (it == all->end()) {
        if (!dry_run) {
          auto r = components.Create(page.id, ci_in, false);
          if (!r) return Error::Invalid(cwhere + "." + r.error().field, r.error().message);
        }
        pending.insert(*name);
        note("create", "component \"" + *name + "\" in " + page.slug);
      } else {
        const auto& c = *it;
        const bool group_pending = str(*ct, "group") && group_id.empty();
        bool same =
            c.group_id == group_id && !group_pending && (!ci_in.description || *ci_in.description == c.description) &&
            (!ci_in.position || *ci_in.position == c.position) && (!ci_in.showcase || *ci_in.showcase == c.showcase) &&
            (!ci_in.hidden || *ci_in.hidden == c.hidden) &&
            (!ci_in.only_show_if_degraded || *ci_in.only_show_if_degraded == c.only_show_if_degraded) &&
            (!ci_in.start_date || ci_in.start_date == c.start_date);
        if (!same) {
          if (!dry_run) {
            auto r = components.Update(page.id, c.id, ci_in);
            if (!r) return Error::Invalid(cwhere + "." + r.error().field, r.error().message);
          }
          note("update", "component \"" + *name + "\" in " + page.slug);
        }
      }
    }
    ApplyOptions opts;
    opts.dry_run = dry_run;
    if (dry_run) opts.pending_components = pending;
    if (auto st = ApplyMonitoring(store, clock, page, *pt, where, changed, std::cout, opts); !st) return st;
  }
  return {};
}

}  // namespace
}  // namespace herald::cli

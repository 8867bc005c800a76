#include "cli/commands/subscriber.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands/commands.h"
#include "net/address_policy.h"
#include "net/http_client.h"
#include "notify/email/email_channel.h"
#include "notify/runtime.h"
#include "service/subscriptions.h"

namespace herald::cli {
namespace {

// Validates email and SMS addresses like the real channels but sends nothing: the CLI imports
// and lists without an SMTP relay or SMS provider configured.
class ValidationOnlyChannel final : public notify::Channel {
 public:
  explicit ValidationOnlyChannel(model::ChannelKind kind) : kind_(kind) {}
  model::ChannelKind Kind() const override { return kind_; }
  Result<std::string> NormalizeAddress(std::string_view address, const std::string& field) const override {
    return notify::Describe(kind_).normalize(address, field);
  }
  void Send(const notify::Message&, const model::Subscriber&, std::function<void(notify::SendOutcome)> done) override {
    notify::SendOutcome o;
    o.kind = notify::SendOutcome::Kind::kPermanent;
    o.detail = "this channel is not configured for the command line";
    done(o);
  }

 private:
  model::ChannelKind kind_;
};

// The HTTP client of the command line's channels: it never sends (imports and `add` without
// --confirm send nothing; a confirmation needs the server).
class NoHttp final : public net::HttpClient {
 public:
  void Send(net::HttpRequest, std::function<void(net::HttpResponse)> done) override {
    net::HttpResponse r;
    r.failure = net::FailureKind::kInvalidRequest;
    r.error = "the command line does not send messages; use the API of a running server";
    done(std::move(r));
  }
};

struct Options {
  CommonOptions common;
  std::string file, out, channel = "email", address, segment, state, list_channel;
  std::vector<std::string> components;
  std::optional<int> priority;
  int limit = 100;
  bool confirm = false;
};

// Progress on stderr: a bar redrawn in place on a terminal; nothing otherwise (logs and pipes get
// the one summary line on stdout).
class Progress {
 public:
  Progress(std::int64_t total_bytes, const Clock& clock)
      : total_(total_bytes), tty_(isatty(fileno(stderr)) != 0), clock_(clock), start_(clock.Now()) {}
  void Update(std::int64_t rows, std::int64_t bytes, bool done = false) {
    const double secs = std::max<double>(0.001, (clock_.Now() - start_) / 1000.0);
    const int pct = total_ > 0 ? static_cast<int>(std::min<std::int64_t>(100, bytes * 100 / total_)) : 0;
    const long rate = static_cast<long>(rows / secs);
    if (tty_) {
      constexpr int kWidth = 30;
      const int filled = pct * kWidth / 100;
      std::fprintf(stderr, "\r[%s%s] %3d%%  %lld rows  %ld rows/s", std::string(filled, '#').c_str(),
                   std::string(kWidth - filled, ' ').c_str(), pct, static_cast<long long>(rows), rate);
      if (done) std::fputc('\n', stderr);
      std::fflush(stderr);
    }
  }

 private:
  std::int64_t total_;
  bool tty_;
  const Clock& clock_;
  TimeMs start_;
};

struct Env {
  SubscriberCliEnv opened;
  NoHttp no_http;
  net::AddressPolicy policy;
  notify::Channels fallback;
  std::unique_ptr<notify::LinkSigner> fallback_links;
  std::unique_ptr<service::SubscriptionService> service;
};

Result<std::unique_ptr<Env>> OpenEnv(const OpenSubscriberEnv& open, const Options& o, const Clock& clock) {
  auto opened = open(o.common);
  if (!opened) return opened.error();
  auto env = std::make_unique<Env>();
  env->opened = std::move(*opened);
  const config::NotifyConfig& rules = env->opened.notify;
  if (!env->opened.channels) {
    for (const auto& d : notify::ChannelKinds())
      if (d.consent == notify::Consent::kDoubleOptInEmail || d.consent == notify::Consent::kSmsCode)
        env->fallback.Add(std::make_unique<ValidationOnlyChannel>(d.kind));
    // Webhook and chat URLs: the server's own channels and SSRF rules, so that a file the CLI
    // imports is one the server would take.
    auto policy = net::AddressPolicy::WithAllowList(rules.allow_private, "notify.allow_private");
    if (!policy) return policy.error();
    env->policy = *policy;
    const net::AddressPolicy* p = &env->policy;
    const bool allow_http = rules.allow_http;
    notify::AddUrlChannels(env->fallback, env->no_http, clock, rules,
                           [p, allow_http](std::string_view url, const std::string& field) {
                             return p->CheckUrl(url, field, allow_http);
                           });
  }
  const notify::LinkSigner* links = env->opened.links;
  if (!links) {
    env->fallback_links = std::make_unique<notify::LinkSigner>(notify::NewLinkSecret(), env->opened.public_url);
    links = env->fallback_links.get();
  }
  service::SubscriptionOptions so;
  so.allow_http_endpoints = rules.allow_http;
  env->service = std::make_unique<service::SubscriptionService>(service::SubscriptionDeps{
      *env->opened.store, clock, env->opened.channels ? *env->opened.channels : env->fallback, *links, so});
  return env;
}

int RunImport(const OpenSubscriberEnv& open, const Options& o, const Clock& clock) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return Fail(Error::Invalid("file", "cannot read " + o.file));
  auto env = OpenEnv(open, o, clock);
  if (!env) return Fail(env.error());
  auto page = ResolvePage(*(*env)->opened.store, o.common.page);
  if (!page) return Fail(page.error());
  std::error_code ec;
  const auto size = std::filesystem::file_size(o.file, ec);
  Progress progress(ec ? 0 : static_cast<std::int64_t>(size), SystemClock::Instance());
  auto report = (*env)->service->ImportCsv(
      page->id, in, [&](std::int64_t rows, std::int64_t bytes) { progress.Update(rows, bytes); });
  if (!report) return Fail(report.error());
  progress.Update(report->rows, ec ? 0 : static_cast<std::int64_t>(size), true);
  for (const auto& e : report->errors)
    std::cerr << o.file << ":" << e.line << ": " << (e.field.empty() ? "" : e.field + ": ") << e.message << "\n";
  std::cout << "read " << report->rows << " rows into " << page->slug << ": " << report->added << " added, "
            << report->updated << " updated, " << report->unchanged << " unchanged, " << report->failed
            << " with errors\n";
  return report->failed == 0 ? 0 : 2;
}

int RunExport(const OpenSubscriberEnv& open, const Options& o, const Clock& clock) {
  auto env = OpenEnv(open, o, clock);
  if (!env) return Fail(env.error());
  auto page = ResolvePage(*(*env)->opened.store, o.common.page);
  if (!page) return Fail(page.error());
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!o.out.empty()) {
    file.open(o.out, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(Error::Invalid("out", "cannot write " + o.out));
    out = &file;
  }
  auto st = (*env)->service->ExportCsv(page->id, {}, [&](std::string_view chunk) {
    out->write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    return static_cast<bool>(*out);
  });
  if (!st) return Fail(st.error());
  out->flush();
  if (!*out) return Fail(Error::Invalid("out", "write failed"));
  return 0;
}

int RunAdd(const OpenSubscriberEnv& open, const Options& o, const Clock& clock) {
  auto env = OpenEnv(open, o, clock);
  if (!env) return Fail(env.error());
  auto page = ResolvePage(*(*env)->opened.store, o.common.page);
  if (!page) return Fail(page.error());
  service::SubscriberInput in;
  in.channel = o.channel;
  in.address = o.address;
  if (!o.components.empty()) in.component_ids = o.components;
  if (!o.segment.empty()) in.segment = o.segment;
  in.priority = o.priority;
  in.skip_confirmation = !o.confirm;
  auto out = (*env)->service->Subscribe(page->id, in, true);
  if (!out) return Fail(out.error());
  std::cout << out->subscriber.id << "\t" << model::ToString(out->subscriber.state) << "\t" << out->subscriber.address
            << "\n";
  if (!out->secret.empty()) std::cerr << "Webhook signing secret (shown only now):\n" << out->secret << "\n";
  return 0;
}

int RunList(const OpenSubscriberEnv& open, const Options& o, const Clock& clock) {
  auto env = OpenEnv(open, o, clock);
  if (!env) return Fail(env.error());
  auto page = ResolvePage(*(*env)->opened.store, o.common.page);
  if (!page) return Fail(page.error());
  store::SubscriberFilter f;
  if (!o.state.empty()) {
    f.state = model::ParseSubscriberState(o.state);
    if (!f.state) return Fail(Error::Invalid("state", "state must be pending, active, quarantined or unsubscribed"));
  }
  if (!o.list_channel.empty()) {
    f.channel = model::ParseChannelKind(o.list_channel);
    if (!f.channel) return Fail(Error::Invalid("channel", "unknown channel \"" + o.list_channel + "\""));
  }
  f.segment = o.segment;
  f.limit = o.limit;
  auto list = (*env)->service->List(page->id, f);
  if (!list) return Fail(list.error());
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : *list)
    rows.push_back({s.id, std::string(model::ToString(s.channel)), std::string(model::ToString(s.state)), s.address,
                    s.segment.empty() ? "-" : s.segment, std::to_string(s.priority)});
  PrintRows(std::cout, {"ID", "CHANNEL", "STATE", "ADDRESS", "SEGMENT", "PRIORITY"}, rows);
  return 0;
}

}  // namespace

void AddSubscriberCommands(CLI::App& app, OpenSubscriberEnv open, const Clock& clock, std::optional<int>& exit_code) {
  auto opts = std::make_shared<Options>();
  auto* sub = app.add_subcommand("subscriber", "Subscribers: import, export, add, list");
  sub->require_subcommand(1);
  auto common = [&](CLI::App* cmd) { AddCommonOptions(cmd, opts->common); };
  auto run = [open, &clock, &exit_code, opts](int (*fn)(const OpenSubscriberEnv&, const Options&, const Clock&)) {
    return [open, &clock, &exit_code, opts, fn] { exit_code = fn(open, *opts, clock); };
  };

  auto* import = sub->add_subcommand("import", "Import subscribers from a CSV file (imported subscribers are active)");
  common(import);
  import->add_option("file", opts->file, "CSV file with the header " + std::string(service::kCsvHeader))
      ->required()
      ->check(CLI::ExistingFile);
  import->callback(run(RunImport));

  auto* exp = sub->add_subcommand("export", "Export subscribers as CSV (never secrets)");
  common(exp);
  exp->add_option("--out", opts->out, "Write to this file instead of stdout");
  exp->callback(run(RunExport));

  auto* add = sub->add_subcommand("add", "Add one subscriber (active at once unless --confirm)");
  common(add);
  add->add_option("--channel", opts->channel, notify::KindNames(notify::TypedAddress));
  add->add_option("--address", opts->address, "Email address, phone number (E.164) or URL")->required();
  add->add_option("--component", opts->components, "Only this component (repeatable)");
  add->add_option("--segment", opts->segment, "Segment label, e.g. enterprise");
  add->add_option("--priority", opts->priority, "Delivery priority (higher first)");
  add->add_flag("--confirm", opts->confirm, "Send a confirmation instead of activating at once");
  add->callback(run(RunAdd));

  auto* list = sub->add_subcommand("list", "List subscribers (tab-separated)");
  common(list);
  list->add_option("--state", opts->state, "pending, active, quarantined or unsubscribed");
  list->add_option("--channel", opts->list_channel, "Only this channel");
  list->add_option("--segment", opts->segment, "Only this segment");
  list->add_option("--limit", opts->limit, "At most this many (1-1000)")->check(CLI::Range(1, 1000));
  list->callback(run(RunList));
}

// The command line's subscribers: the configured database, validated addresses, nothing sent.
void AddSubscriberCommand(CLI::App& app, CommandContext& ctx) {
  AddSubscriberCommands(
      app,
      [](const CommonOptions& options) -> Result<SubscriberCliEnv> {
        auto opened = OpenConfigured(options);
        if (!opened) return opened.error();
        SubscriberCliEnv env;
        env.store = std::move(opened->store);
        env.public_url = opened->config.public_url;
        env.notify = opened->config.notify;
        return env;
      },
      ctx.clock, ctx.exit_code);
}

}  // namespace herald::cli

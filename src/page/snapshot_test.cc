// The snapshot against a real SQLite store: the page carries the response-time chart and the
// measured uptime of monitors recorded through the Store, and stays up when the monitoring
// calls fail.
#include "page/snapshot.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "cli/demo.h"
#include "core/text.h"
#include "core/time.h"
#include "page/demo_site.h"
#include "service/services.h"
#include "store/fault_store_testing.h"

namespace herald::page {
namespace {

constexpr TimeMs kMin = 60 * 1000;
constexpr TimeMs kHour = 60 * kMin;
constexpr TimeMs kDay = 24 * kHour;

bool Contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

class SnapshotMonitorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("herald-snapshot-" + RandomHex(6) + ".db");
    auto s = store::OpenStore("sqlite:" + path_.string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    clock_.Set(*ParseIso8601("2026-01-15T13:37:00Z"));
    service::Deps deps{*store_, clock_, [] {}};
    service::PageInput p;
    p.name = "Example";
    p.slug = "example";
    p.is_default = true;
    p.time_zone = "Europe/Berlin";
    auto page = service::PageService(deps).Create(p);
    ASSERT_TRUE(page.ok()) << page.error().message;
    page_id_ = page->id;
    api_ = MakeComponent("API", false);
    web_ = MakeComponent("Website", false);
    secret_ = MakeComponent("Secret backend", true);
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix, ec);
  }

  std::string MakeComponent(const std::string& name, bool hidden) {
    service::ComponentInput in;
    in.name = name;
    in.hidden = hidden;
    auto c = service::ComponentService(service::Deps{*store_, clock_, [] {}}).Create(page_id_, in, false);
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? c->id : "";
  }

  // Waits (bounded: 10 s) until the publisher's thread has begun and finished a whole look for work
  // after the caller's change: then "nothing was rebuilt" is a fact, not a race with a sleep.
  static bool PollsTwice(const SnapshotPublisher& pub) {
    const auto from = pub.polls();
    for (int i = 0; i < 1000 && pub.polls() < from + 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return pub.polls() >= from + 2;
  }

  // Saves a monitor with a day of minute rollups and 3 day rollups. False (and a failure) when
  // the store refuses it.
  bool AddMonitor(const std::string& id, const std::string& component, const std::string& name, bool chart,
                  std::int64_t down_today = 0) {
    model::Monitor m;
    m.id = id;
    m.page_id = page_id_;
    m.component_id = component;
    m.name = name;
    m.show_chart = chart;
    m.spec.target = "http://127.0.0.1:9/healthz";
    m.spec.headers = {{"Authorization", "Bearer TOP-SECRET-TOKEN"}};
    m.created_at = m.updated_at = clock_.Now() - 3 * kDay;
    if (auto st = store_->SaveMonitor(m); !st) {
      ADD_FAILURE() << st.error().message;
      return false;
    }
    store::MonitorResultsWrite w;
    const TimeMs now = clock_.Now();
    for (TimeMs t = now / kMin * kMin - 24 * kHour + kMin; t <= now; t += kMin) {
      if (t > now - 5 * kHour && t < now - 4 * kHour) continue;  // an hour without results
      model::MonitorRollup r;
      r.monitor_id = id;
      r.granularity = 'm';
      r.bucket_start = t;
      r.checks = r.up = r.answered = 1;
      r.latency_sum_ms = r.latency_max_ms = t == now / kMin * kMin - 2 * kHour ? 900 : 80;
      w.rollups.push_back(r);
    }
    for (int d = 0; d < 3; ++d) {
      model::MonitorRollup r;
      r.monitor_id = id;
      r.granularity = 'd';
      r.bucket_start = (now / kDay - d) * kDay;
      r.checks = 1440;
      r.down = d == 0 ? down_today : 0;
      r.up = r.checks - r.down;
      r.answered = r.up;
      r.latency_sum_ms = 80.0 * static_cast<double>(r.up);
      r.latency_max_ms = 900;
      w.rollups.push_back(r);
    }
    auto st = store_->RecordMonitorResults(w);
    EXPECT_TRUE(st.ok()) << st.error().message;
    return st.ok();
  }

  std::string Index() { return IndexOf(*store_); }
  std::string IndexOf(store::Store& store) {
    SnapshotPublisher pub(store, clock_, {});
    EXPECT_TRUE(pub.RebuildNow().ok());
    const Asset* a = pub.Current()->Find("", "/");
    EXPECT_NE(a, nullptr);
    return a ? *a->body : "";
  }

  std::string ComponentHtml(const std::string& html, const std::string& name) {
    size_t at = html.find("<span class=\"component-name\">" + name);
    if (at == std::string::npos) return "";
    return html.substr(at, html.find("\n</li>", at) - at);
  }

  std::filesystem::path path_;
  FakeClock clock_;
  std::unique_ptr<store::Store> store_;
  std::string page_id_, api_, web_, secret_;
};

TEST_F(SnapshotMonitorsTest, PageWithoutMonitorsHasNoCharts) {
  std::string html = Index();
  EXPECT_TRUE(Contains(html, "API"));
  EXPECT_FALSE(Contains(html, "<figure class=\"chart\""));
  EXPECT_TRUE(Contains(html, "from the status history"));
}

TEST_F(SnapshotMonitorsTest, ChartForTheOptedInMonitorsComponentOnly) {
  ASSERT_TRUE(AddMonitor("mon_api", api_, "API <health>", true, 144));
  ASSERT_TRUE(AddMonitor("mon_web", web_, "Website check", false));
  ASSERT_TRUE(AddMonitor("mon_secret", secret_, "Secret probe", true));
  std::string html = Index();

  std::string api = ComponentHtml(html, "API");
  EXPECT_TRUE(Contains(api, "<figure class=\"chart\" id=\"chart-mon_api\">")) << api;
  EXPECT_TRUE(Contains(api, "API &lt;health&gt;"));
  EXPECT_TRUE(Contains(api, "max <strong>900 ms</strong>"));
  EXPECT_TRUE(Contains(api, "avg <strong>"));
  EXPECT_TRUE(Contains(api,
                       "No data 09:45\xe2\x80\x93"
                       "10:30"));  // the hour without results, Berlin time
  // Uptime measured by the monitor: today 144 of 1,440 checks failed.
  EXPECT_TRUE(Contains(api, "measured by 1 monitor"));
  EXPECT_TRUE(Contains(api, "Jan 15, 2026: 90.00% uptime, 144 of 1,440 checks failed")) << api;

  std::string web = ComponentHtml(html, "Website");
  EXPECT_FALSE(Contains(web, "<figure"));
  EXPECT_TRUE(Contains(web, "measured by 1 monitor"));  // measured, but no chart

  EXPECT_FALSE(Contains(html, "Secret"));
  EXPECT_FALSE(Contains(html, "mon_secret"));
  // Nothing of a monitor's configuration reaches any public file.
  auto snap = SnapshotPublisher(*store_, clock_, {});
  ASSERT_TRUE(snap.RebuildNow().ok());
  for (const auto& [path, asset] : snap.Current()->files) {
    EXPECT_FALSE(Contains(*asset.body, "TOP-SECRET-TOKEN")) << path;
    EXPECT_FALSE(Contains(*asset.body, "127.0.0.1:9")) << path;
    if (path.find("/api/v2/") != std::string::npos) {
      EXPECT_FALSE(Contains(*asset.body, "mon_")) << path;
    }
  }
}

// Both ways monitoring can fail: no monitors at all (ListMonitors), or monitors without their
// results (ListMonitorRollups).
class SnapshotMonitorFailureTest : public SnapshotMonitorsTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(SnapshotMonitorFailureTest, FailingMonitorCallsStillYieldThePage) {
  ASSERT_TRUE(AddMonitor("mon_api", api_, "API health", true));
  store::testing::FaultStore store(*store_);
  store.Fail(GetParam(), Error::Internal("no such table (test)"));
  ASSERT_FALSE(std::string(GetParam()) == "ListMonitors" ? store.ListMonitors(page_id_).ok()
                                                         : store.ListMonitorRollups(page_id_, "", 'd', 0).ok());

  std::string html = IndexOf(store);
  EXPECT_GE(store.Failures(GetParam()), 2);  // the build asked too
  EXPECT_TRUE(Contains(html, "All systems operational"));
  EXPECT_TRUE(Contains(html, "<span class=\"component-name\">API"));
  EXPECT_FALSE(Contains(html, "<figure class=\"chart\""));  // no chart claiming nothing was measured
  EXPECT_FALSE(Contains(html, "measured by"));
  EXPECT_TRUE(Contains(html, "from the status history"));
}

INSTANTIATE_TEST_SUITE_P(MonitorCalls, SnapshotMonitorFailureTest,
                         ::testing::Values("ListMonitors", "ListMonitorRollups"));

// The database goes away after a good build (every read fails as when it is unreachable, or
// only one of those the build needs): the publisher keeps serving the last good data, says since
// when it may be out of date, and serves live data again once the database answers.
class SnapshotDatabaseDownTest : public SnapshotMonitorsTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(SnapshotDatabaseDownTest, TheLastGoodSnapshotIsServedUntilTheDatabaseIsBack) {
  store::testing::FaultStore store(*store_);
  SnapshotPublisher pub(store, clock_, {});
  ASSERT_TRUE(pub.RebuildNow().ok());
  const TimeMs good_at = pub.Current()->generated_at;
  EXPECT_TRUE(pub.database_healthy());

  clock_.Advance(5 * kMin);
  if (std::string(GetParam()) == "all") {
    store.FailAll();
  } else {
    store.Fail(GetParam());
  }
  // A change the publisher cannot see while it cannot read.
  service::ComponentInput in;
  in.status = model::ComponentStatus::kMajorOutage;
  ASSERT_TRUE(service::ComponentService(service::Deps{*store_, clock_, [] {}}).Update(page_id_, api_, in).ok());
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto st = pub.RebuildNow();
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
    clock_.Advance(kMin);
  }
  EXPECT_FALSE(pub.database_healthy());
  auto stale = pub.Current();
  ASSERT_TRUE(stale->stale_since.has_value());
  EXPECT_EQ(*stale->stale_since, good_at) << "the age of the data, not of the first failure";
  const Asset* page = stale->Find("", "/");
  ASSERT_NE(page, nullptr);
  EXPECT_TRUE(Contains(*page->body, "Live data is temporarily unavailable"));
  EXPECT_TRUE(Contains(*page->body, "All systems operational")) << "the last good data";
  bool header = false;
  for (const auto& [name, value] : *page->headers) header = header || name == "X-Herald-Stale-Since";
  EXPECT_TRUE(header);

  store.HealAll();
  ASSERT_TRUE(pub.RebuildNow().ok());
  EXPECT_TRUE(pub.database_healthy());
  auto live = pub.Current();
  EXPECT_FALSE(live->stale_since.has_value());
  page = live->Find("", "/");
  ASSERT_NE(page, nullptr);
  EXPECT_FALSE(Contains(*page->body, "Live data is temporarily unavailable"));
  EXPECT_FALSE(Contains(*page->body, "All systems operational")) << "the change made meanwhile shows";
  for (const auto& [name, value] : *page->headers) EXPECT_NE(name, "X-Herald-Stale-Since");
}

INSTANTIATE_TEST_SUITE_P(Reads, SnapshotDatabaseDownTest,
                         ::testing::Values("all", "LastOutboxId", "ListPages", "ListComponents", "StatusHistory"));

// An error that is not the database being away (a bug, a broken row) publishes nothing: the
// current snapshot stays as it was, not marked stale.
TEST_F(SnapshotMonitorsTest, AnInternalErrorKeepsTheCurrentSnapshot) {
  store::testing::FaultStore store(*store_);
  SnapshotPublisher pub(store, clock_, {});
  ASSERT_TRUE(pub.RebuildNow().ok());
  auto before = pub.Current();
  store.Fail("ListComponents", Error::Internal("unknown component status 'x' in the database (test)"));
  auto st = pub.RebuildNow();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInternal);
  EXPECT_EQ(pub.Current(), before);
  EXPECT_FALSE(pub.Current()->stale_since.has_value());
}

// Monitor results come without outbox events: the publisher refreshes a page with monitors on
// its own, quietly (open pages are not told to reload for a new chart point).
TEST_F(SnapshotMonitorsTest, PageWithMonitorsIsRefreshedQuietly) {
  ASSERT_TRUE(AddMonitor("mon_api", api_, "API health", true));
  std::atomic<int> published{0};
  SnapshotPublisher::Options options;
  options.poll_ms = 5;
  options.monitor_refresh_ms = 60'000;
  SnapshotPublisher pub(*store_, clock_, options, [&](const Snapshot&) { ++published; });
  ASSERT_TRUE(pub.RebuildNow().ok());
  ASSERT_EQ(published.load(), 1);
  const TimeMs first = pub.Current()->generated_at;
  pub.Start();
  clock_.Advance(30'000);  // not due yet
  ASSERT_TRUE(PollsTwice(pub));
  EXPECT_EQ(pub.Current()->generated_at, first);
  clock_.Advance(30'000);
  for (int i = 0; i < 500 && pub.Current()->generated_at == first; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(pub.Current()->generated_at, first + 60'000);
  EXPECT_EQ(published.load(), 1);
  // A real change is still announced.
  service::ComponentInput in;
  in.status = model::ComponentStatus::kMajorOutage;
  ASSERT_TRUE(service::ComponentService(service::Deps{*store_, clock_, [] {}}).Update(page_id_, web_, in).ok());
  for (int i = 0; i < 500 && published.load() == 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(published.load(), 2);
  pub.Stop();
}

TEST_F(SnapshotMonitorsTest, PageWithoutMonitorsIsNotRefreshed) {
  SnapshotPublisher::Options options;
  options.poll_ms = 5;
  options.monitor_refresh_ms = 1;
  SnapshotPublisher pub(*store_, clock_, options);
  ASSERT_TRUE(pub.RebuildNow().ok());
  const TimeMs first = pub.Current()->generated_at;
  pub.Start();
  clock_.Advance(3'600'000);
  ASSERT_TRUE(PollsTwice(pub));
  EXPECT_EQ(pub.Current()->generated_at, first);
  pub.Stop();
}

// `make run`: the seeded demo shows a response-time chart and measured bars at once.
TEST(SnapshotDemoTest, SeededDemoShowsAChart) {
  auto s = store::OpenStore("sqlite::memory:");
  ASSERT_TRUE(s.ok());
  auto store = std::move(*s);
  ASSERT_TRUE(store->Migrate().ok());
  FakeClock clock(*ParseIso8601("2026-01-15T13:37:00Z"));
  auto seeded = cli::SeedDemo(*store, clock, "http://127.0.0.1:8080");
  ASSERT_TRUE(seeded.ok()) << seeded.error().message;
  auto pages = store->ListPages();
  ASSERT_TRUE(pages.ok() && !pages->empty());
  auto monitors = store->ListMonitors(pages->front().id);
  ASSERT_TRUE(monitors.ok());
  EXPECT_GE(monitors->size(), 2u);
  for (const auto& m : *monitors) EXPECT_TRUE(m.spec.target.find("127.0.0.1:8080") != std::string::npos) << m.name;

  SnapshotPublisher pub(*store, clock, {});
  ASSERT_TRUE(pub.RebuildNow().ok());
  std::string html = *pub.Current()->Find("", "/")->body;
  EXPECT_TRUE(Contains(html, "Webhook sender health</span>"));
  EXPECT_TRUE(Contains(html, "role=\"img\""));
  EXPECT_TRUE(Contains(html, "measured by 2 monitors"));  // the API
  EXPECT_TRUE(Contains(html, "measured by 1 monitor<"));  // Webhooks
  // The chart is in the group the open incident unfolds.
  const size_t group = html.rfind("<li class=\"group\">", html.find("Webhook sender health"));
  ASSERT_NE(group, std::string::npos);
  const size_t details = html.find("<details", group);
  EXPECT_EQ(html.substr(details, 13), "<details open");
}

// Issue 19: a publisher that keeps its incidents and rendered documents from build to build (and
// reads only the incidents named by new outbox events) serves exactly the bytes a fresh
// publisher loading everything serves, after every kind of change.
TEST_F(SnapshotMonitorsTest, IncrementalRebuildsServeTheBytesOfAFullBuild) {
  service::Deps deps{*store_, clock_, [] {}};
  service::IncidentService incidents(deps);
  SnapshotPublisher live(*store_, clock_, {});
  auto same_as_full = [&](const std::string& step) {
    ASSERT_TRUE(live.RebuildNow().ok()) << step;
    SnapshotPublisher fresh(*store_, clock_, {});
    ASSERT_TRUE(fresh.RebuildNow().ok()) << step;
    const auto& a = live.Current()->files;
    const auto& b = fresh.Current()->files;
    EXPECT_EQ(a.size(), b.size()) << step;
    for (const auto& [path, asset] : b) {
      auto it = a.find(path);
      ASSERT_NE(it, a.end()) << step << ": " << path << " missing";
      EXPECT_TRUE(*it->second.body == *asset.body) << step << ": " << path << " differs";
      EXPECT_EQ(it->second.etag, asset.etag) << step << ": " << path;
    }
  };
  std::vector<std::string> ids;
  for (int n = 0; n < 12; ++n) {
    clock_.Advance(3 * kDay);
    service::IncidentInput in;
    in.name = "Incident " + std::to_string(n);
    in.status = model::IncidentStatus::kInvestigating;
    in.body = "Looking into **it**.";
    in.components = {{n % 2 ? api_ : web_, model::ComponentStatus::kPartialOutage}};
    auto inc = incidents.Create(page_id_, in);
    ASSERT_TRUE(inc.ok()) << inc.error().message;
    ids.push_back(inc->id);
    service::IncidentInput done;
    done.status = model::IncidentStatus::kResolved;
    done.body = "Fixed.";
    ASSERT_TRUE(incidents.Update(page_id_, inc->id, done).ok());
  }
  same_as_full("created");

  clock_.Advance(kMin);
  service::IncidentInput more;
  more.body = "A late note on the cause.";
  more.status = model::IncidentStatus::kPostmortem;
  ASSERT_TRUE(incidents.Update(page_id_, ids[3], more).ok());
  same_as_full("updated");

  service::IncidentInput note;
  note.body = "INTERNAL: do not publish";
  note.internal = true;
  ASSERT_TRUE(incidents.Update(page_id_, ids[4], note).ok());
  same_as_full("internal note");
  EXPECT_FALSE(Contains(*live.Current()->Find("", "/incidents/" + ids[4])->body, "INTERNAL"));

  auto inc5 = store_->GetIncident(page_id_, ids[5]);
  ASSERT_TRUE(inc5.ok());
  ASSERT_TRUE(incidents.EditUpdate(page_id_, ids[5], inc5->updates.back().id, "Corrected.", std::nullopt).ok());
  same_as_full("edited update");

  ASSERT_TRUE(incidents.Delete(page_id_, ids[6]).ok());
  same_as_full("deleted incident");
  EXPECT_EQ(live.Current()->Find("", "/incidents/" + ids[6]), nullptr);

  service::ComponentInput rename;
  rename.name = "Public API";
  ASSERT_TRUE(service::ComponentService(deps).Update(page_id_, api_, rename).ok());
  same_as_full("renamed component");
  service::ComponentInput hide;
  hide.hidden = true;
  ASSERT_TRUE(service::ComponentService(deps).Update(page_id_, web_, hide).ok());
  same_as_full("hidden component");
  ASSERT_TRUE(service::ComponentService(deps).Delete(page_id_, api_).ok());
  same_as_full("deleted component");

  clock_.Advance(kDay);
  same_as_full("a day later");
}

// A rebuild keeps the compressed form and ETag of every file whose bytes did not change (so
// only changed documents are compressed and hashed again) and gives changed files new ones.
TEST(SnapshotAssembleTest, UnchangedFilesKeepTheirGzipAndEtag) {
  const TimeMs now = *ParseIso8601("2026-01-15T13:37:00Z");
  SiteInput site = DemoSite(now);
  auto first = AssembleSnapshot({site}, now, std::nullopt);
  ASSERT_FALSE(site.incidents.empty());
  site.incidents.front().name += " (updated)";
  auto second = AssembleSnapshot({site}, now, std::nullopt, first.get());

  const Asset* css1 = first->Find("", "/assets/page.css");
  const Asset* css2 = second->Find("", "/assets/page.css");
  ASSERT_TRUE(css1 && css2 && css1->gzip);
  EXPECT_EQ(css2->gzip, css1->gzip);  // the same buffer, not compressed again
  EXPECT_EQ(css2->body, css1->body);
  EXPECT_EQ(css2->etag, css1->etag);

  const Asset* index1 = first->Find("", "/");
  const Asset* index2 = second->Find("", "/");
  ASSERT_TRUE(index1 && index2 && index2->gzip);
  EXPECT_NE(*index2->body, *index1->body);
  EXPECT_NE(index2->etag, index1->etag);
  EXPECT_EQ(index2->etag, "\"" + Sha256Hex(*index2->body).substr(0, 20) + "\"");
  EXPECT_EQ(Gzip(*index2->body), *index2->gzip);
  // Headers are the new snapshot's (Last-Modified, ETag), also for reused files.
  ASSERT_TRUE(css2->headers);
  bool etag_header = false;
  for (const auto& [name, value] : *css2->headers) etag_header = etag_header || (name == "ETag" && value == css2->etag);
  EXPECT_TRUE(etag_header);
}

// Every body (identity and gzip) is also in the snapshot's one sealed memfd, byte for byte, for
// the server to send with sendfile; the file stays open while anything still refers to it.
TEST(SnapshotAssembleTest, BodiesAreInOneSealedMemfd) {
  const TimeMs now = *ParseIso8601("2026-01-15T13:37:00Z");
  auto snap = AssembleSnapshot({DemoSite(now)}, now, std::nullopt);
  ASSERT_FALSE(snap->files.empty());
  const auto& any = snap->files.begin()->second;
  ASSERT_TRUE(any.body_file) << "memfd_create failed";
  const int fd = any.body_file.file->get();
  auto read = [&](const http::FileRegion& r) {
    std::string out(r.length, '\0');
    EXPECT_EQ(::pread(fd, out.data(), out.size(), static_cast<off_t>(r.offset)), static_cast<ssize_t>(out.size()));
    return out;
  };
  int gzipped = 0;
  for (const auto& [path, a] : snap->files) {
    ASSERT_TRUE(a.body_file) << path;
    EXPECT_EQ(a.body_file.file, any.body_file.file) << path;  // one file per snapshot
    EXPECT_TRUE(read(a.body_file) == *a.body) << path;
    ASSERT_EQ(static_cast<bool>(a.gzip_file), a.gzip != nullptr) << path;
    if (a.gzip) {
      EXPECT_TRUE(read(a.gzip_file) == *a.gzip) << path;
      ++gzipped;
    }
  }
  EXPECT_GT(gzipped, 0);
  const int seals = ::fcntl(fd, F_GET_SEALS);
  EXPECT_EQ(seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK), F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK);
  EXPECT_LT(::pwrite(fd, "x", 1, 0), 0);  // nothing can change what a response is sending

  // A response holding a region keeps the file open after its snapshot is gone.
  http::FileRegion held = snap->Find("", "/")->body_file;
  const std::string expected = *snap->Find("", "/")->body;
  snap.reset();
  EXPECT_TRUE(read(held) == expected);
}

// Issue 19: a rebuild writes only the changed files into a new memfd (unchanged ones keep their
// place in the previous snapshot's), and the memfds kept alive that way never hold much more
// than the snapshot's own bytes.
TEST(SnapshotAssembleTest, RebuildWritesOnlyChangedFilesIntoANewMemfd) {
  const TimeMs now = *ParseIso8601("2026-01-15T13:37:00Z");
  SiteInput site = DemoSite(now);
  std::unordered_map<std::string, RenderCache> caches;
  auto first = AssembleSnapshot({site}, now, std::nullopt, nullptr, &caches);
  site.incidents.front().name += " (updated)";
  auto second = AssembleSnapshot({site}, now, std::nullopt, first.get(), &caches);
  const Asset* css1 = first->Find("", "/assets/page.css");
  const Asset* css2 = second->Find("", "/assets/page.css");
  ASSERT_TRUE(css1 && css2 && css1->body_file && css2->body_file) << "memfd_create failed";
  EXPECT_EQ(css2->body_file.file, css1->body_file.file);
  EXPECT_EQ(css2->body_file.offset, css1->body_file.offset);
  const Asset* index2 = second->Find("", "/");
  ASSERT_TRUE(index2 && index2->body_file);
  EXPECT_NE(index2->body_file.file, first->Find("", "/")->body_file.file);

  auto read = [](const http::FileRegion& r) {
    std::string out(r.length, '\0');
    EXPECT_EQ(::pread(r.file->get(), out.data(), out.size(), static_cast<off_t>(r.offset)),
              static_cast<ssize_t>(out.size()));
    return out;
  };
  std::shared_ptr<Snapshot> snap = second;
  for (int n = 0; n < 40; ++n) {
    site.incidents[static_cast<size_t>(n) % site.incidents.size()].name += "!";
    snap = AssembleSnapshot({site}, now + n, std::nullopt, snap.get(), &caches);
    std::set<const http::SharedFd*> files;
    std::uint64_t live = 0, held = 0;
    for (const auto& [path, a] : snap->files) {
      ASSERT_TRUE(a.body_file) << path;
      EXPECT_TRUE(read(a.body_file) == *a.body) << path;
      ASSERT_EQ(static_cast<bool>(a.gzip_file), a.gzip != nullptr) << path;
      if (a.gzip) {
        EXPECT_TRUE(read(a.gzip_file) == *a.gzip) << path;
      }
      live += a.body->size() + (a.gzip ? a.gzip->size() : 0);
      for (const auto* r : {&a.body_file, &a.gzip_file}) {
        if (!*r || !files.insert(r->file.get()).second) continue;
        struct stat st {};
        ASSERT_EQ(::fstat(r->file->get(), &st), 0);
        held += static_cast<std::uint64_t>(st.st_size);
      }
    }
    EXPECT_LE(held, 2 * live + (1u << 20)) << "after rebuild " << n;
  }
}
}  // namespace
}  // namespace herald::page

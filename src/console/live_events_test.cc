// LiveEvents: console streams are bounded per client and in total, a closed stream frees its
// place (also one the server refused after admission), and digests report changes only.
#include "console/live_events.h"

#include <gtest/gtest.h>

namespace herald::console {
namespace {

TEST(LiveEvents, StreamsAreBoundedPerClientAndInTotal) {
  LiveEvents ev(LiveEvents::Limits{2, 3});
  int a = 0, b = 0, c = 0, d = 0, e = 0;  // their addresses are the streams
  EXPECT_EQ(ev.Open(&a, "10.0.0.1"), LiveEvents::Admission::kAdmitted);
  EXPECT_EQ(ev.Open(&b, "10.0.0.1"), LiveEvents::Admission::kAdmitted);
  EXPECT_EQ(ev.Open(&c, "10.0.0.1"), LiveEvents::Admission::kClientFull);
  EXPECT_EQ(ev.Open(&c, "10.0.0.2"), LiveEvents::Admission::kAdmitted);
  EXPECT_EQ(ev.Open(&d, "10.0.0.3"), LiveEvents::Admission::kFull);
  EXPECT_EQ(ev.open(), 3);
  ev.Close(&a);
  ev.Close(&a);  // twice: nothing more
  ev.Close(&e);  // never opened: nothing
  EXPECT_EQ(ev.open(), 2);
  EXPECT_EQ(ev.Open(&d, "10.0.0.1"), LiveEvents::Admission::kAdmitted) << "the closed stream's place is free";
  EXPECT_EQ(ev.Open(&e, "10.0.0.3"), LiveEvents::Admission::kFull);
}

TEST(LiveEvents, DigestsAreTakenOnlyWhileWatchedAndReportChanges) {
  LiveEvents ev;
  EXPECT_FALSE(ev.DigestDue(10'000)) << "nobody watching: no database work";
  int a = 0;
  ev.Open(&a, "::1");
  EXPECT_TRUE(ev.DigestDue(10'000));
  EXPECT_FALSE(ev.DigestDue(10'000 + kDigestIntervalMs - 1));
  EXPECT_TRUE(ev.DigestDue(10'000 + kDigestIntervalMs));
  EXPECT_FALSE(ev.DigestChanged("x")) << "the first digest is the baseline";
  EXPECT_FALSE(ev.DigestChanged("x"));
  EXPECT_TRUE(ev.DigestChanged("y"));
  ev.Close(&a);
  ev.Open(&a, "::1");
  EXPECT_FALSE(ev.DigestChanged("z")) << "a new watcher starts from a new baseline";
}

}  // namespace
}  // namespace herald::console

#include "notify/email/email_channel.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "notify/email/mime.h"
#include "notify/email/mime_testing.h"
#include "testing/fixture_process.h"

namespace herald::notify {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Kind = SendOutcome::Kind;
using email::DecodeQuotedPrintable;
using email::testing::LongLines;
using email::testing::ParseMail;

// Captures every request; answers with `result` at once (on the caller's thread).
class FakeMailSender : public net::MailSender {
 public:
  void Send(net::MailRequest request, std::function<void(net::MailResult)> done) override {
    requests.push_back(std::move(request));
    done(result);
  }
  std::vector<net::MailRequest> requests;
  net::MailResult result = [] {
    net::MailResult r;
    r.ok = true;
    r.smtp_code = 250;
    return r;
  }();
};

Message SampleMessage() {
  Message m;
  m.id = "evt42-sub7";
  m.kind = "incident.created";
  m.page_name = "Acme Status";
  m.page_url = "https://status.acme.example/";
  m.subject = "Störung: API-Fehler bei Zahlungen";
  m.text = "Some payment requests fail.\nWe are investigating.\n.\n.leading dot line\n";
  m.html = "<p>Some payment requests <strong>fail</strong>.</p>";
  m.url = "https://status.acme.example/incidents/inc1";
  m.manage_url = "https://status.acme.example/subscription?t=m";
  m.unsubscribe_url = "https://status.acme.example/unsubscribe?t=u";
  m.impact = "major";
  m.status_label = "Investigating";
  return m;
}

model::Subscriber Jane(std::string address = "Jane.Doe@Customer.Example") {
  model::Subscriber s;
  s.id = "sub7";
  s.channel = model::ChannelKind::kEmail;
  s.address = std::move(address);
  s.language = "de";
  return s;
}

EmailOptions Options(const Clock& clock) {
  EmailOptions o;
  o.from_address = "Status@Acme.Example";
  o.from_name = "Acme Status";
  o.message_id_domain = "status.acme.example";
  o.clock = clock;
  return o;
}

// Sends one message and returns the single outcome (failing the test if done ran other than once).
SendOutcome SendOnce(EmailChannel& channel, const Message& m, const model::Subscriber& to) {
  int calls = 0;
  SendOutcome got;
  channel.Send(m, to, [&](SendOutcome o) {
    ++calls;
    got = std::move(o);
  });
  EXPECT_EQ(calls, 1);
  return got;
}

// The checks every delivered notification must pass, whichever way it travelled.
void ExpectSampleMail(const std::string& raw, const Message& m, TimeMs date) {
  auto mail = ParseMail(raw);
  ASSERT_EQ(mail.error, "");
  EXPECT_EQ(mail.Raw("from"), "\"Acme Status\" <status@acme.example>");
  EXPECT_EQ(mail.Raw("to"), "jane.doe@customer.example");
  EXPECT_EQ(mail.Decoded("subject"), m.subject);
  EXPECT_EQ(mail.Raw("date"), email::FormatMailDate(date));
  EXPECT_EQ(mail.Raw("message-id"), "<evt42-sub7@status.acme.example>");
  EXPECT_EQ(mail.Raw("mime-version"), "1.0");
  EXPECT_EQ(mail.Raw("auto-submitted"), "auto-generated");
  EXPECT_EQ(mail.Raw("list-id"), "\"Acme Status\" <acme-status.status.acme.example>");
  EXPECT_EQ(mail.Raw("list-unsubscribe"), "<https://status.acme.example/unsubscribe?t=u>");
  EXPECT_EQ(mail.Raw("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
  ASSERT_EQ(mail.parts.size(), 2u);
  const std::string text = DecodeQuotedPrintable(mail.parts[0].body);
  EXPECT_EQ(text.rfind("Some payment requests fail.\r\nWe are investigating.\r\n.\r\n.leading dot line\r\n\r\n", 0), 0u)
      << text;
  EXPECT_THAT(text, HasSubstr("View incident: https://status.acme.example/incidents/inc1\r\n"));
  EXPECT_THAT(text, HasSubstr("Unsubscribe: https://status.acme.example/unsubscribe?t=u\r\n"));
  const std::string html = DecodeQuotedPrintable(mail.parts[1].body);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(html, HasSubstr("<html lang=\"de\">"));
  EXPECT_THAT(html, HasSubstr(m.html));
  EXPECT_THAT(html, HasSubstr("href=\"https://status.acme.example/incidents/inc1\""));
  EXPECT_THAT(html, HasSubstr("href=\"https://status.acme.example/subscription?t=m\""));
  const size_t header_end = raw.find("\r\n\r\n");
  EXPECT_THAT(LongLines(raw.substr(0, header_end), 78), IsEmpty());
  EXPECT_THAT(LongLines(raw.substr(header_end + 4), 76), IsEmpty());
}

TEST(EmailChannel, KindAndNoDestinationLimit) {
  FakeMailSender sender;
  FakeClock clock;
  EmailChannel channel(sender, Options(clock));
  EXPECT_EQ(channel.Kind(), model::ChannelKind::kEmail);
  EXPECT_EQ(channel.DestinationLimit().count, 0);
  EXPECT_EQ(*channel.NormalizeAddress(" A@B.Example ", "email"), "a@b.example");
  EXPECT_EQ(channel.NormalizeAddress("nope", "email").error().field, "email");
}

TEST(EmailChannel, SendsACompleteMessageToTheSubscriber) {
  FakeMailSender sender;
  FakeClock clock;
  EmailChannel channel(sender, Options(clock));
  const auto outcome = SendOnce(channel, SampleMessage(), Jane());
  EXPECT_EQ(outcome.kind, Kind::kDelivered);
  EXPECT_EQ(outcome.status, 250);
  ASSERT_EQ(sender.requests.size(), 1u);
  const auto& r = sender.requests[0];
  EXPECT_EQ(r.envelope_from, "status@acme.example");
  EXPECT_EQ(r.recipients, std::vector<std::string>{"jane.doe@customer.example"});
  ExpectSampleMail(r.message, SampleMessage(), clock.Now());
}

TEST(EmailChannel, MessageIdIsStableAcrossRetries) {
  FakeMailSender sender;
  FakeClock clock;
  EmailChannel channel(sender, Options(clock));
  SendOnce(channel, SampleMessage(), Jane());
  clock.Advance(90 * 1000);
  SendOnce(channel, SampleMessage(), Jane());
  ASSERT_EQ(sender.requests.size(), 2u);
  auto first = ParseMail(sender.requests[0].message), second = ParseMail(sender.requests[1].message);
  EXPECT_EQ(first.Raw("message-id"), "<evt42-sub7@status.acme.example>");
  EXPECT_EQ(second.Raw("message-id"), first.Raw("message-id"));
  EXPECT_EQ(second.boundary, first.boundary);
  EXPECT_EQ(first.Raw("date"), "Thu, 01 Jan 2026 00:00:00 +0000");
  EXPECT_EQ(second.Raw("date"), "Thu, 01 Jan 2026 00:01:30 +0000");  // the time of each attempt

  Message other = SampleMessage();
  other.id = "evt43-sub7";
  SendOnce(channel, other, Jane());
  EXPECT_NE(ParseMail(sender.requests[2].message).Raw("message-id"), first.Raw("message-id"));
}

TEST(EmailChannel, DefaultsAndOptionalHeaders) {
  FakeMailSender sender;
  FakeClock clock;
  EmailOptions o;
  o.from_address = "notify@mail.acme.example";
  o.reply_to = "Support@Acme.Example";
  o.unsubscribe_mailto = "unsubscribe@acme.example";
  o.clock = clock;
  EmailChannel channel(sender, o);
  EXPECT_EQ(SendOnce(channel, SampleMessage(), Jane()).kind, Kind::kDelivered);
  auto mail = ParseMail(sender.requests.at(0).message);
  EXPECT_EQ(mail.Raw("from"), "\"Acme Status\" <notify@mail.acme.example>");  // the page's name
  EXPECT_EQ(mail.Raw("message-id"), "<evt42-sub7@mail.acme.example>");        // from's domain
  EXPECT_EQ(mail.Raw("reply-to"), "support@acme.example");
  EXPECT_EQ(email::DecodeHeaderValue(mail.Raw("list-unsubscribe")),
            "<https://status.acme.example/unsubscribe?t=u>, <mailto:unsubscribe@acme.example?subject=unsubscribe>");
}

TEST(EmailChannel, ConfirmationWithoutUnsubscribeLinkHasNoListUnsubscribe) {
  FakeMailSender sender;
  FakeClock clock;
  EmailChannel channel(sender, Options(clock));
  Message m = SampleMessage();
  m.kind = "subscription.confirm";
  m.unsubscribe_url.clear();
  m.manage_url.clear();
  EXPECT_EQ(SendOnce(channel, m, Jane()).kind, Kind::kDelivered);
  auto mail = ParseMail(sender.requests.at(0).message);
  EXPECT_FALSE(mail.Has("list-unsubscribe"));
  EXPECT_FALSE(mail.Has("list-unsubscribe-post"));
  EXPECT_THAT(DecodeQuotedPrintable(mail.parts.at(1).body), HasSubstr(">Confirm subscription</a>"));
}

TEST(EmailChannel, MapsSmtpResults) {
  FakeMailSender sender;
  FakeClock clock;
  EmailChannel channel(sender, Options(clock));
  auto with = [&](int code, bool permanent, std::string error, net::FailureKind failure = net::FailureKind::kNone) {
    sender.result = net::MailResult();
    sender.result.smtp_code = code;
    sender.result.permanent = permanent;
    sender.result.error = std::move(error);
    sender.result.failure = failure;
    return SendOnce(channel, SampleMessage(), Jane());
  };
  auto gone = with(550, true, "5.1.1 <jane.doe@customer.example>: Recipient address rejected: User unknown");
  EXPECT_EQ(gone.kind, Kind::kGone);
  EXPECT_EQ(gone.status, 550);
  EXPECT_THAT(gone.detail, HasSubstr("SMTP 550"));
  EXPECT_THAT(gone.detail, HasSubstr("User unknown"));
  EXPECT_EQ(with(553, true, "mailbox name not allowed").kind, Kind::kGone);
  EXPECT_EQ(with(450, false, "mailbox busy").kind, Kind::kRetry);
  EXPECT_EQ(with(421, false, "closing").kind, Kind::kRetry);
  EXPECT_EQ(with(535, true, "5.7.8 authentication failed").kind, Kind::kRetry);  // our credentials
  EXPECT_EQ(with(552, true, "mailbox full").kind, Kind::kRetry);
  EXPECT_EQ(with(554, true, "5.7.1 message refused as spam").kind, Kind::kPermanent);
  EXPECT_EQ(with(550, true, "5.7.1 relaying denied").kind, Kind::kPermanent);
  auto timeout = with(0, false, "no answer in 15 s", net::FailureKind::kTimeout);
  EXPECT_EQ(timeout.kind, Kind::kRetry);
  EXPECT_EQ(timeout.status, 0);
  EXPECT_EQ(timeout.detail, "timeout: no answer in 15 s");
  EXPECT_EQ(with(0, false, "", net::FailureKind::kShutdown).kind, Kind::kRetry);
}

TEST(EmailChannel, UnsendableMessagesNeverReachTheSender) {
  FakeMailSender sender;
  FakeClock clock;
  EmailChannel channel(sender, Options(clock));
  Message no_id = SampleMessage();
  no_id.id.clear();
  EXPECT_EQ(SendOnce(channel, no_id, Jane()).kind, Kind::kPermanent);
  auto bad_address = SendOnce(channel, SampleMessage(), Jane("not an address"));
  EXPECT_EQ(bad_address.kind, Kind::kPermanent);
  EXPECT_THAT(bad_address.detail, HasSubstr("address"));
  EXPECT_TRUE(sender.requests.empty());
}

TEST(EmailChannel, MisconfiguredChannelRetriesInsteadOfLosingMail) {
  FakeMailSender sender;
  FakeClock clock;
  EmailOptions o = Options(clock);
  o.from_address = "status at acme";
  EXPECT_EQ(EmailChannel::ValidateOptions(o).error().field, "email.from_address");
  EmailChannel channel(sender, o);
  auto outcome = SendOnce(channel, SampleMessage(), Jane());
  EXPECT_EQ(outcome.kind, Kind::kRetry);
  EXPECT_THAT(outcome.detail, HasSubstr("email.from_address"));
  EXPECT_TRUE(sender.requests.empty());
  o = Options(clock);
  o.message_id_domain = "not a domain";
  EXPECT_EQ(EmailChannel::ValidateOptions(o).error().field, "email.message_id_domain");
  o = Options(clock);
  o.reply_to = "nope";
  EXPECT_EQ(EmailChannel::ValidateOptions(o).error().field, "email.reply_to");
  EXPECT_TRUE(EmailChannel::ValidateOptions(Options(clock)).ok());
}

// --- Against a real SMTP server (tests/fixtures/smtp_sink.py, aiosmtpd) on 127.0.0.1 ---

// A minimal blocking MailSender over libcurl's easy interface, for this test only: the production
// sender (net::CurlEngine, libcurl multi) is tested on its own. Dot-stuffing is libcurl's.
class BlockingCurlMailSender : public net::MailSender {
 public:
  explicit BlockingCurlMailSender(std::string url) : url_(std::move(url)) {}

  void Send(net::MailRequest request, std::function<void(net::MailResult)> done) override {
    sent.push_back(request.message);
    struct Reader {
      std::string_view data;
      size_t pos = 0;
    } reader{request.message};
    auto read = +[](char* buf, size_t size, size_t n, void* user) -> size_t {
      auto* r = static_cast<Reader*>(user);
      const size_t len = std::min(size * n, r->data.size() - r->pos);
      std::memcpy(buf, r->data.data() + r->pos, len);
      r->pos += len;
      return len;
    };
    CURL* c = curl_easy_init();
    char error[CURL_ERROR_SIZE] = {0};
    curl_slist* rcpt = nullptr;
    for (const auto& to : request.recipients) rcpt = curl_slist_append(rcpt, ("<" + to + ">").c_str());
    const std::string from = "<" + request.envelope_from + ">";
    curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read);
    curl_easy_setopt(c, CURLOPT_READDATA, &reader);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.message.size()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    const CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);

    net::MailResult result;
    result.ok = rc == CURLE_OK;
    result.smtp_code = static_cast<int>(code);
    result.permanent = !result.ok && code >= 500 && code < 600;
    if (!result.ok) {
      result.error = error[0] ? error : curl_easy_strerror(rc);
      if (code == 0)
        result.failure = rc == CURLE_OPERATION_TIMEDOUT ? net::FailureKind::kTimeout : net::FailureKind::kConnect;
    }
    done(std::move(result));
  }

  std::vector<std::string> sent;

 private:
  std::string url_;
};

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs smtp_sink.py for the life of the object. Its stdin is a pipe we hold: if this process dies,
// the sink sees EOF and exits.
class SmtpSink {
 public:
  SmtpSink(const std::filesystem::path& dir, const std::string& reject) {
    const auto script = herald::testing::FindFixture("smtp_sink.py").value_or("");
    if (script.empty()) {
      error_ = "tests/fixtures/smtp_sink.py not found (set HERALD_SOURCE_DIR)";
      return;
    }
    // Debian's interpreter, where python3-aiosmtpd lives, even when another python3 comes first
    // in PATH.
    const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    std::vector<std::string> args = {python, script.string(), "--port", "0", "--dir", dir.string(), "--reject", reject};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2], in[2];
    if (pipe(out) != 0 || pipe(in) != 0) {
      error_ = "pipe failed";
      return;
    }
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[1]);
      close(out[0]);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    fcntl(stdin_, F_SETFD, FD_CLOEXEC);
    // Read "PORT n\n", waiting at most 15 s in total (python start-up on a busy machine).
    std::string line;
    pollfd p{out[0], POLLIN, 0};
    for (int waited = 0; waited < 150 && line.find('\n') == std::string::npos; ++waited) {
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[64];
      const ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    if (line.rfind("PORT ", 0) != 0) {
      error_ = "smtp_sink.py did not start (is python3-aiosmtpd installed? scripts/deps.sh test): '" + line + "'";
      return;
    }
    port_ = std::atoi(line.c_str() + 5);
  }
  ~SmtpSink() {
    if (stdin_ >= 0) close(stdin_);
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  const std::string& error() const { return error_; }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int port_ = 0;
  std::string error_;
};

TEST(EmailChannelSmtp, DeliversToARealServerAndBouncesRejectedRecipients) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / ("smtp_sink_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SmtpSink sink(dir, "gone@customer.example");
  ASSERT_EQ(sink.error(), "");

  BlockingCurlMailSender sender("smtp://127.0.0.1:" + std::to_string(sink.port()));
  FakeClock clock;
  EmailChannel channel(sender, Options(clock));

  const auto delivered = SendOnce(channel, SampleMessage(), Jane());
  EXPECT_EQ(delivered.kind, Kind::kDelivered) << delivered.detail;
  EXPECT_EQ(delivered.status, 250);
  // The sink writes the message before it answers 250: it is there now.
  const std::string raw = ReadFile(dir / "000001.eml");
  ASSERT_FALSE(raw.empty());
  EXPECT_EQ(raw, sender.sent.at(0));  // byte for byte, after dot-stuffing and its removal
  EXPECT_EQ(ReadFile(dir / "000001.envelope"), "from: status@acme.example\nto: jane.doe@customer.example\n");
  ExpectSampleMail(raw, SampleMessage(), clock.Now());

  const auto bounced = SendOnce(channel, SampleMessage(), Jane("Gone@Customer.Example"));
  EXPECT_EQ(bounced.kind, Kind::kGone) << bounced.detail;
  EXPECT_EQ(bounced.status, 550);
  EXPECT_FALSE(std::filesystem::exists(dir / "000002.eml"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace herald::notify

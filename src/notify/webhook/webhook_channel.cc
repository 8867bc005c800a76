#include "notify/webhook/webhook_channel.h"

#include <algorithm>
#include <boost/json.hpp>
#include <utility>

#include "core/time.h"
#include "notify/webhook/standard_webhooks.h"

namespace herald::notify {

Result<std::string> BuildWebhookBody(const Message& message, TimeMs now) {
  const std::string& doc_text = message.webhook_json;
  if (message.webhook_json_without_meta && doc_text.size() >= 2 && doc_text.front() == '{' && doc_text.back() == '}') {
    // The fast path for the composer's own documents (a fan-out sends the same one a million
    // times): splice "meta" in front instead of scanning, parsing and re-serialising, into one
    // buffer sized up front. The bytes are those boost::json::serialize gives the meta object.
    static const std::string kDocumentation = boost::json::serialize(boost::json::string_view(kStatuspageWebhookDocs));
    auto append_string = [](std::string& out, std::string_view value) {
      const bool plain = std::all_of(value.begin(), value.end(), [](char c) {
        return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';  // printable ASCII needs no escaping
      });
      if (!plain) {
        out += boost::json::serialize(boost::json::string_view(value));
        return;
      }
      out += '"';
      out += value;
      out += '"';
    };
    const std::string generated_at = FormatIso8601(now);
    const std::string_view rest = std::string_view(doc_text).substr(1);
    std::string out;
    out.reserve(96 + 2 * (message.unsubscribe_url.size() + message.manage_url.size()) + kDocumentation.size() +
                doc_text.size());
    out += "{\"meta\":{\"unsubscribe\":";
    append_string(out, message.unsubscribe_url);
    out += ",\"manage\":";
    append_string(out, message.manage_url);
    out += ",\"documentation\":";
    out += kDocumentation;
    out += ",\"generated_at\":\"";
    out += generated_at;
    out += "\"}";
    if (rest.find_first_not_of(" \t\r\n") != rest.size() - 1) out += ",";
    out += rest;
    return out;
  }
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(message.webhook_json, ec);
  if (ec || !doc.is_object()) return Error::Invalid("webhook_json", "is not a JSON object");
  boost::json::object body;
  boost::json::object meta;
  meta["unsubscribe"] = message.unsubscribe_url;
  meta["manage"] = message.manage_url;  // preferences, next to the way out
  meta["documentation"] = kStatuspageWebhookDocs;
  meta["generated_at"] = FormatIso8601(now);
  body["meta"] = std::move(meta);
  for (auto& [key, value] : doc.as_object()) {
    if (key == "meta") continue;  // ours wins: the links must be this subscriber's
    body[key] = std::move(value);
  }
  return boost::json::serialize(body);
}

WebhookChannel::WebhookChannel(net::HttpClient& http, const Clock& clock, WebhookOptions options)
    : http_(http), clock_(clock), options_(std::move(options)) {}

Result<std::string> WebhookChannel::NormalizeAddress(std::string_view address, const std::string& field) const {
  PushUrlRule rule;
  rule.allow_http = options_.allow_http;
  return NormalizePushUrl(address, field, rule, options_.check_url);
}

void WebhookChannel::Send(const Message& message, const model::Subscriber& to, std::function<void(SendOutcome)> done) {
  const TimeMs now = clock_.Now();
  auto body = BuildWebhookBody(message, now);
  if (!body.ok()) {
    SendOutcome out;
    out.kind = SendOutcome::Kind::kPermanent;
    out.detail = "message has no valid webhook document";
    done(std::move(out));
    return;
  }
  const std::int64_t timestamp = now / 1000;
  net::Headers headers;
  headers.reserve(4);  // PostJson adds Content-Type in front
  headers.emplace_back("webhook-id", message.id);
  headers.emplace_back("webhook-timestamp", std::to_string(timestamp));
  if (!to.secret.empty()) {
    auto signature = SignStandardWebhook(to.secret, message.id, timestamp, *body);
    if (!signature.ok()) {
      SendOutcome out;
      out.kind = SendOutcome::Kind::kPermanent;
      out.detail = "the subscriber's signing secret is not valid";
      done(std::move(out));
      return;
    }
    headers.emplace_back("webhook-signature", std::move(*signature));
  }
  PostJson(http_, clock_, to.address, std::move(*body), std::move(headers), std::move(done));
}

}  // namespace herald::notify

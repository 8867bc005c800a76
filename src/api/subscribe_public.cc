#include "api/subscribe_public.h"

#include <algorithm>
#include <boost/json.hpp>
#include <kainjow/mustache.hpp>
#include <map>
#include <set>

#include "api/request_body.h"
#include "api/subscribers_api.h"
#include "assets/web_assets.h"
#include "core/text.h"
#include "core/time.h"
#include "core/time_zones.h"
#include "http/errors.h"
#include "notify/registry.h"
#include "notify/templates.h"
#include "page/sign_up.h"
#include "page/signup_form.h"

namespace herald::api {
namespace json = boost::json;
namespace mu = kainjow::mustache;
using http::Request;
using http::Response;
using Next = service::SubscribeOutcome::Next;

namespace {

constexpr std::string_view kOneClickBody = "List-Unsubscribe=One-Click";

// Split "/pages/{slug}/rest" into slug and "/rest"; other paths keep an empty slug.
std::pair<std::string, std::string> SplitPagePath(const std::string& path) {
  if (!path.starts_with("/pages/")) return {"", path};
  const size_t slash = path.find('/', 7);
  if (slash == std::string::npos) return {path.substr(7), "/"};
  return {path.substr(7, slash - 7), path.substr(slash)};
}

std::string BasePath(const model::Page& p) { return p.is_default ? "/" : "/pages/" + p.slug + "/"; }

bool SafeLink(const std::string& url) {
  const std::string l = Lower(url.substr(0, 8));
  return l.starts_with("https://") || l.starts_with("http://");
}

void NoStore(Response& r) {
  r.Set("Cache-Control", "no-store");
  // Links carry tokens: never leak them to another site.
  r.Set("Referrer-Policy", "no-referrer");
}

std::string ChannelLabel(model::ChannelKind k) { return std::string(notify::Describe(k).label); }

// The languages of the message templates by their own names, for the language menu.
std::string LanguageName(const std::string& tag) {
  static const std::map<std::string, std::string> kNames = {
      {"de", "Deutsch"},  {"en", "English"},    {"es", "Español"},   {"fr", "Français"},
      {"it", "Italiano"}, {"nl", "Nederlands"}, {"pt", "Português"}, {"ja", "日本語"}};
  auto it = kNames.find(tag);
  return it == kNames.end() ? tag : it->second;
}

// An error as a visitor should read it on a form: the field named as the form labels it, and a
// failed test delivery in plain words instead of the transport's ("Couldn't connect to server").
std::string PlainMessage(const Error& e) {
  const std::string& m = e.message;
  if (m.find("test message") != std::string::npos)
    return "We sent a test message to this address, but it did not arrive: the server there could not be reached "
           "or did not accept it. Check the URL, and that the service behind it is up and reachable from the "
           "internet, then try again.";
  // A resolver's own words ("Name or service not known") add nothing for a visitor.
  std::string_view plain(m);
  if (plain.find("does not resolve") != std::string_view::npos) plain = plain.substr(0, plain.find(" ("));
  static const std::pair<std::string_view, std::string_view> kLabels[] = {
      {"time_zone", "Time zone"},      {"language", "Language"},
      {"component_ids", "Components"}, {"event_types", "What to hear about"},
      {"quiet_hours", "Quiet hours"},  {"endpoint", "The URL"},
      {"email", "The email address"},  {"phone_number", "The phone number"},
      {"address", "The address"},      {"phone_country", "The country code"},
      {"channel", "The channel"}};
  for (const auto& [field, label] : kLabels) {
    if (plain.starts_with(field) && (plain.size() == field.size() || plain[field.size()] == ' ' ||
                                     plain[field.size()] == '.' || plain[field.size()] == '['))
      return std::string(label) + std::string(plain.substr(std::min(plain.size(), plain.find(' '))));
  }
  return std::string(plain);
}

// Which form field an error belongs next to.
std::string FormField(const std::string& field) {
  if (field == "email" || field == "phone_number" || field == "endpoint" || field == "address" ||
      field == "phone_country")
    return "address";
  if (field.starts_with("quiet_hours")) return "quiet_hours";
  return field;
}

}  // namespace

struct PublicSubscribe::Impl {
  PublicSubscribeDeps deps;
  http::RateLimiter by_ip;
  http::RateLimiter by_address;

  explicit Impl(PublicSubscribeDeps d)
      : deps(std::move(d)),
        by_ip(deps.options.ip_per_second, deps.options.ip_burst, deps.clock),
        by_address(deps.options.address_per_second, deps.options.address_burst, deps.clock) {}

  // ---- pages and HTML ---------------------------------------------------------------------

  Result<model::Page> PageFor(const std::string& slug) {
    Result<model::Page> page = Error::NotFound("page not found");
    if (!slug.empty()) {
      page = deps.store.GetPage(slug);
    } else {
      auto pages = deps.store.ListPages();
      if (!pages) return pages.error();
      for (const auto& p : *pages)
        if (p.is_default) page = p;
      if (!page && !pages->empty()) page = pages->front();
    }
    if (page && page->is_private) return Error::NotFound("page not found");
    return page;
  }

  // The page's visible components for the sign-up form's checkboxes (none when the store fails).
  mu::data Components(const std::string& page_id, const std::set<std::string>& checked) {
    auto all = deps.store.ListComponents(page_id);
    return page::SignUpComponents(all ? *all : std::vector<model::Component>{}, checked);
  }

  // Renders `template_name` inside the status page's own layout.
  // `chosen`: the channel a visitor chose, when the sign-up form is shown again.
  Response Html(int status, const model::Page& page, const std::string& title, const std::string& template_name,
                mu::data d, const std::string* chosen = nullptr) {
    const std::string base = BasePath(page);
    d.set("base", base);
    d.set("page_name", page.name);
    d.set("vapid_public_key", deps.options.vapid_public_key);
    // The sign-up form offers only the channels this server can send on (as on the page).
    std::optional<std::string> configured;
    if (auto channels = deps.store.GetSetting("notify.channels"); channels.ok() && *channels) configured = **channels;
    page::SetSignupChoices(d, page::MarkOffered(notify::SignupChannels(), configured), chosen);
    d.set("subscribe_form",
          mu::partial([] { return std::string(assets::FindWebAsset("templates/_subscribe_form.mustache")); }));
    mu::mustache body{std::string(assets::FindWebAsset("templates/" + template_name + ".mustache"))};
    mu::mustache layout{std::string(assets::FindWebAsset("templates/layout.mustache"))};
    const TimeMs now = deps.clock.Now();
    mu::data l;
    l.set("title", title + " - " + page.name + " Status");
    l.set("page_name", page.name);
    l.set("base", base);
    if (SafeLink(page.url)) l.set("page_url", page.url);
    if (SafeLink(page.logo_url)) l.set("logo_url", page.logo_url);
    l.set("generated_iso", FormatIso8601(now));
    l.set("content", body.is_valid() ? body.render(d) : std::string("<!-- template error -->"));
    l.set("extra_head", std::string());
    mu::data upd;
    upd.set("iso", FormatIso8601(now));
    upd.set("text", FormatInZone(now, "UTC", "%H:%M UTC"));
    l.set("updated", upd);
    Response r;
    r.status = status;
    r.body = layout.render(l);
    r.Set("Content-Type", "text/html; charset=utf-8");
    r.Set(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    NoStore(r);
    return r;
  }

  Response HtmlError(const Error& e, int status = 0) {
    // A page to wrap the message in: the default one (an error may come before any page is known).
    auto page = PageFor("");
    if (!page) {
      Response r = http::ErrorResponse(e);
      NoStore(r);
      return r;
    }
    mu::data d;
    d.set("heading", std::string(e.code == ErrorCode::kRateLimited ? "Please wait a moment" : "That did not work"));
    d.set("form_error", e.message);
    return Html(status ? status : http::HttpStatusFor(e.code), *page, "Subscription", "manage_unsubscribe", d);
  }

  Response JsonError(const Error& e) {
    Response r = http::ErrorResponse(e);
    NoStore(r);
    if (e.code == ErrorCode::kRateLimited) r.Set("Retry-After", "60");
    return r;
  }

  // ---- rate limits ------------------------------------------------------------------------

  std::optional<Error> LimitIp(const Request& req) {
    if (by_ip.Allow(req.remote_addr)) return std::nullopt;
    return Error{ErrorCode::kRateLimited,
                 "too many requests from your network (the per-IP limit); try again in a few minutes", "ip"};
  }
  std::optional<Error> LimitAddress(const std::string& channel, const std::string& address, const std::string& field) {
    const std::string key = Lower(channel) + ":" + Lower(Trim(address));
    if (by_address.Allow(key)) return std::nullopt;
    return Error{ErrorCode::kRateLimited, "too many requests for this address (the per-address limit); try again later",
                 field};
  }

  // ---- handlers ---------------------------------------------------------------------------

  Response Handle(const Request& req) {
    auto [slug, rest] = SplitPagePath(req.path);
    const bool post = req.method == "POST";
    const bool get = req.method == "GET" || req.method == "HEAD";
    if (post)
      if (auto e = LimitIp(req)) return rest.starts_with("/api/") ? JsonError(*e) : HtmlError(*e);
    if (rest == "/subscribe" || rest == "/subscribe/") {
      if (get) return SubscribeForm(slug);
      if (post) return SubscribeHtml(req, slug);
    } else if (rest == "/api/v2/subscribers.json" || rest == "/api/v2/subscribers") {
      if (post) return SubscribeJson(req, slug, false);
    } else if (rest == "/api/v2/push-subscriptions" || rest == "/api/v2/push-subscriptions.json") {
      if (post) return SubscribeJson(req, slug, true);
    } else if (slug.empty() && rest == "/subscriptions/confirm") {
      if (get) return Confirm(req);
    } else if (slug.empty() && rest == "/subscriptions/manage") {
      if (get) return ManageForm(req);
      if (post) return ManagePost(req);
    } else if (slug.empty() && rest == "/subscriptions/unsubscribe") {
      if (get) return UnsubscribeConfirm(req);
      if (post) return UnsubscribePost(req);
    } else if (slug.empty() && rest == "/subscriptions/sms/confirm") {
      if (post) return SmsConfirm(req);
    } else {
      return JsonError(Error::NotFound("no such endpoint"));
    }
    Response r = http::MethodNotAllowed(rest.starts_with("/api/") || rest == "/subscriptions/sms/confirm" ? "POST"
                                        : rest == "/subscriptions/confirm"                                ? "GET, HEAD"
                                                                           : "GET, HEAD, POST",
                                        "method not allowed on this endpoint");
    NoStore(r);
    return r;
  }

  static std::string Query(const Request& req, std::string_view name) {
    auto q = ParseForm(req.query);
    if (!q) return {};
    auto v = GetString(*q, name);
    return v && *v ? **v : std::string();
  }

  Response SubscribeForm(const std::string& slug) {
    auto page = PageFor(slug);
    if (!page) return HtmlError(page.error());
    mu::data d;
    d.set("heading", std::string("Get status updates"));
    d.set("show_form", true);
    d.set("components", Components(page->id, {}));
    return Html(200, *page, "Subscribe", "subscribe", d);
  }

  Response SubscribeHtml(const Request& req, const std::string& slug) {
    auto page = PageFor(slug);
    if (!page) return HtmlError(page.error());
    auto body = ParseForm(req.body);
    service::SubscriberInput in;
    std::string channel = "email", address;
    if (body) {
      auto c = GetString(*body, "channel");
      if (c && *c) channel = **c;
      auto a = GetString(*body, "address");
      if (a && *a) address = **a;
      // Statuspage's hosted form names the field by channel.
      for (const char* f : {"email", "phone_number", "endpoint"}) {
        auto v = GetString(*body, f);
        if (address.empty() && v && *v) address = **v;
      }
      auto ids = GetStringList(*body, "component_ids");
      if (ids && *ids) in.component_ids = **ids;
      auto country = GetString(*body, "phone_country");
      if (country && *country && !(*country)->empty()) in.phone_country = **country;
    }
    in.channel = channel;
    in.address = address;
    std::set<std::string> checked;
    if (in.component_ids) checked.insert(in.component_ids->begin(), in.component_ids->end());
    auto form_again = [&](const Error& e) {
      mu::data d;
      d.set("heading", std::string("Get status updates"));
      d.set("show_form", true);
      mu::data form;
      form.set("address", address);
      d.set("form", form);
      mu::data errors;
      const std::string f = FormField(e.field);
      if (f == "address" || f == "channel" || f == "component_ids")
        errors.set(f, PlainMessage(e));
      else
        d.set("form_error", PlainMessage(e));
      d.set("errors", errors);
      d.set("components", Components(page->id, checked));
      int status = http::HttpStatusFor(e.code);
      const std::string chosen = Lower(channel);
      return Html(status, *page, "Subscribe", "subscribe", d, &chosen);
    };
    if (!body) return form_again(body.error());
    if (address.empty()) return form_again(Error::Invalid("address", "enter an email address, phone number or URL"));
    if (auto e = LimitAddress(channel, address, "address")) return form_again(*e);
    auto out = deps.subscriptions.Subscribe(page->id, in, false);
    if (!out) return form_again(out.error());
    mu::data d;
    switch (out->next) {
      case Next::kCheckInbox:
        d.set("heading", std::string("Check your inbox"));
        d.set("notice", "We sent a confirmation link to " + address +
                            ". Follow it within 24 hours to start receiving updates. Nothing arrived? Check your spam "
                            "folder.");
        break;
      case Next::kEnterCode: {
        d.set("heading", std::string("Enter the code"));
        d.set("notice", std::string("We sent a six-digit code by text message."));
        mu::data code;
        code.set("page", page->id);
        code.set("phone_number", address);
        d.set("code_form", code);
        break;
      }
      case Next::kActive:
        // Nothing about the subscriber (id, manage link, secret): it would tell a known endpoint
        // from a new one. The test message carries the manage link (and a webhook's secret).
        d.set("heading", std::string("You are subscribed"));
        d.set("notice", "We sent a test message to " + ChannelLabel(out->subscriber.channel) +
                            "; status updates will arrive there. It has the link to change what you receive.");
        break;
    }
    return Html(out->next == Next::kActive ? 201 : 202, *page, "Subscribe", "subscribe", d);
  }

  Response SubscribeJson(const Request& req, const std::string& slug, bool push) {
    auto page = PageFor(slug);
    if (!page) return JsonError(page.error());
    auto body = ParseBody(req.Header("content-type"), req.body);
    if (!body) return JsonError(body.error());
    auto in = ParseSubscriberInput(*body);
    if (!in) return JsonError(in.error());
    if (push) in->channel = "webpush";
    if (in->skip_confirmation)
      return JsonError(Error::Invalid("skip_confirmation_notification", "only the page's staff may skip confirmation"));
    const std::string address = in->email          ? *in->email
                                : in->phone_number ? *in->phone_number
                                : in->endpoint     ? *in->endpoint
                                                   : in->address.value_or("");
    const std::string channel = in->channel ? *in->channel : in->email ? "email" : in->phone_number ? "sms" : "webhook";
    if (!address.empty())
      if (auto e = LimitAddress(channel, address, in->email ? "email" : in->phone_number ? "phone_number" : "endpoint"))
        return JsonError(*e);
    auto out = deps.subscriptions.Subscribe(page->id, *in, false);
    if (!out) return JsonError(out.error());
    // Built from the outcome's kind only: identical for new and known addresses.
    json::object o;
    switch (out->next) {
      case Next::kCheckInbox:
        o = {
            {"status", "pending"},
            {"next", "check_inbox"},
            {"message", "If this address can receive mail, a confirmation link is on its way. It works for 24 hours."}};
        break;
      case Next::kEnterCode:
        o = {{"status", "pending"},
             {"next", "enter_code"},
             {"message", "Enter the six-digit code sent by text message at /subscriptions/sms/confirm."}};
        break;
      case Next::kActive:
        o = {{"status", "active"}, {"next", "none"}, {"message", "Subscribed."}};
        if (push) {
          // A push endpoint is the browser's own unguessable capability URL: nobody else can
          // ask about it.
          o["subscriber"] = SubscriberJson(out->subscriber, deps.subscriptions.options().pending_ttl_ms);
          o["manage_url"] = deps.links.ManageUrl(out->subscriber.id);
        } else {
          // Webhook and chat: the same for known and new endpoints; the test message delivered
          // there carries the manage link and, for a webhook without a chosen secret, the secret.
          o["message"] =
              "Subscribed. The test message delivered to the endpoint has the manage link"
              " (and, for a webhook without a secret of its own, the signing secret in subscription.secret).";
        }
        break;
    }
    Response r = http::JsonResponse(out->next == Next::kActive ? 201 : 202, json::serialize(o));
    NoStore(r);
    return r;
  }

  Response Confirm(const Request& req) {
    auto s = deps.subscriptions.Confirm(Query(req, "token"));
    if (!s) return HtmlError(s.error());
    auto page = deps.store.GetPage(s->page_id);
    if (!page) return HtmlError(page.error());
    mu::data d;
    d.set("heading", std::string("You are subscribed"));
    d.set("notice", "Status updates from " + page->name + " will arrive at " + s->address + ".");
    d.set("manage_url", deps.links.ManageUrl(s->id));
    return Html(200, *page, "Subscribed", "subscribe", d);
  }

  mu::data ManageData(const model::Subscriber& s, const std::string& token, const std::set<std::string>& checked) {
    mu::data d;
    d.set("heading", std::string("Your subscription"));
    d.set("token", token);
    d.set("address", s.address);
    d.set("channel_label", ChannelLabel(s.channel));
    d.set("unsubscribed", s.state == model::SubscriberState::kUnsubscribed);
    d.set("components", Components(s.page_id, checked));
    mu::data types{mu::data::type::list};
    const std::pair<std::string, std::string> kTypes[] = {{"incidents", "Incidents"},
                                                          {"maintenance", "Scheduled maintenance"},
                                                          {"security", "Security notices"},
                                                          {"policy", "Policy changes"},
                                                          {"product", "Product updates"}};
    for (const auto& [v, label] : kTypes) {
      mu::data t;
      t.set("value", v);
      t.set("label", label);
      t.set("checked", (s.event_types & *service::ParseEventType(v)) != 0);
      types.push_back(t);
    }
    d.set("event_types", types);
    mu::data details{mu::data::type::list};
    const std::pair<model::DetailLevel, std::string> kDetails[] = {
        {model::DetailLevel::kBrief, "Brief: one line"},
        {model::DetailLevel::kStandard, "Standard"},
        {model::DetailLevel::kTechnical, "Technical: all the detail"}};
    for (const auto& [v, label] : kDetails) {
      mu::data t;
      t.set("value", std::string(model::ToString(v)));
      t.set("label", label);
      t.set("checked", s.detail == v);
      details.push_back(t);
    }
    d.set("details", details);
    mu::data langs{mu::data::type::list};
    for (const auto& l : notify::TemplateSet::Defaults().Languages()) {
      mu::data t;
      t.set("value", l);
      t.set("name", LanguageName(l));
      t.set("selected", s.language == l);
      langs.push_back(t);
    }
    d.set("languages", langs);
    d.set("time_zone", s.time_zone);
    mu::data zones{mu::data::type::list};
    for (const auto& z : TimeZoneNames()) zones.push_back(mu::data(z));
    d.set("zones", zones);
    d.set("quiet_start", s.quiet_start_minute ? service::FormatClockTime(*s.quiet_start_minute) : std::string());
    d.set("quiet_end", s.quiet_end_minute ? service::FormatClockTime(*s.quiet_end_minute) : std::string());
    return d;
  }

  Response ManageForm(const Request& req) {
    const std::string token = Query(req, "token");
    auto s = deps.subscriptions.Manage(token);
    if (!s) return HtmlError(s.error());
    auto page = deps.store.GetPage(s->page_id);
    if (!page) return HtmlError(page.error());
    return Html(200, *page, "Your subscription", "manage",
                ManageData(*s, token, {s->component_ids.begin(), s->component_ids.end()}));
  }

  Response ManagePost(const Request& req) {
    auto body = ParseForm(req.body);
    if (!body) return HtmlError(body.error());
    std::string token = Query(req, "token");
    if (auto t = GetString(*body, "token"); t && *t) token = **t;
    auto s = deps.subscriptions.Manage(token);
    if (!s) return HtmlError(s.error());
    auto page = deps.store.GetPage(s->page_id);
    if (!page) return HtmlError(page.error());
    auto action = GetString(*body, "action");
    if (action && *action && **action == "unsubscribe") {
      auto u = deps.subscriptions.Unsubscribe(token);
      if (!u) return HtmlError(u.error());
      mu::data d;
      d.set("heading", std::string("You are unsubscribed"));
      d.set("notice", "We will not send status updates to " + u->address + " any more.");
      d.set("manage_url", deps.links.ManageUrl(u->id));
      return Html(200, *page, "Unsubscribed", "manage_unsubscribe", d);
    }
    // Unticked checkboxes send nothing: an absent list means "everything", not "unchanged".
    service::SubscriberInput in;
    auto ids = GetStringList(*body, "component_ids");
    in.component_ids = ids && *ids ? **ids : std::vector<std::string>{};
    auto types = GetStringList(*body, "event_types");
    in.event_types = types && *types ? **types : std::vector<std::string>{};
    for (auto [field, target] : {std::pair{"detail", &in.detail}, std::pair{"language", &in.language},
                                 std::pair{"time_zone", &in.time_zone}}) {
      auto v = GetString(*body, field);
      if (v && *v) *target = **v;
    }
    if (const auto* q = body->if_contains("quiet_hours"); q && q->is_object()) {
      auto a = GetString(q->as_object(), "start");
      auto b = GetString(q->as_object(), "end");
      in.quiet_start = a && *a ? **a : "";
      in.quiet_end = b && *b ? **b : "";
    }
    std::set<std::string> checked(in.component_ids->begin(), in.component_ids->end());
    auto updated = deps.subscriptions.UpdateByToken(token, in);
    if (!updated) {
      // The form comes back as the visitor filled it in, not as stored: nothing typed is lost.
      model::Subscriber shown = *s;
      if (in.language) shown.language = *in.language;
      if (in.time_zone) shown.time_zone = *in.time_zone;
      if (in.detail)
        if (auto level = model::ParseDetailLevel(*in.detail)) shown.detail = *level;
      shown.event_types = 0;
      for (const auto& t : *in.event_types)
        if (auto bit = service::ParseEventType(t)) shown.event_types |= *bit;
      mu::data d = ManageData(shown, token, checked);
      d.set("quiet_start", in.quiet_start.value_or(""));
      d.set("quiet_end", in.quiet_end.value_or(""));
      const Error& e = updated.error();
      mu::data errors;
      const std::string f = FormField(e.field);
      if (e.code == ErrorCode::kInvalid &&
          (f == "component_ids" || f == "event_types" || f == "language" || f == "time_zone" || f == "quiet_hours"))
        errors.set(f, PlainMessage(e));
      else
        d.set("form_error", PlainMessage(e));
      d.set("errors", errors);
      return Html(http::HttpStatusFor(e.code), *page, "Your subscription", "manage", d);
    }
    // Saving preferences while unsubscribed subscribes again: the signed link proves the owner.
    if (updated->state == model::SubscriberState::kUnsubscribed) {
      service::SubscriberInput again;
      again.state = "active";
      auto re = deps.subscriptions.Update(updated->page_id, updated->id, again);
      if (re) updated = std::move(re);
    }
    mu::data d = ManageData(*updated, token, {updated->component_ids.begin(), updated->component_ids.end()});
    d.set("notice", std::string("Your preferences are saved."));
    return Html(200, *page, "Your subscription", "manage", d);
  }

  Response UnsubscribeConfirm(const Request& req) {
    // Never unsubscribes: mail scanners and link previewers follow GET links.
    const std::string token = Query(req, "token");
    auto s = deps.subscriptions.Manage(token);  // a kManage token never verifies as kUnsubscribe
    if (!s) {
      auto id = deps.links.Verify(notify::LinkPurpose::kUnsubscribe, token, deps.clock.Now());
      if (!id) return HtmlError(id.error());
      // Look the subscriber up without changing anything.
      auto pages = deps.store.ListPages();
      if (!pages) return HtmlError(pages.error());
      for (const auto& p : *pages) {
        auto found = deps.store.GetSubscriber(p.id, *id);
        if (found) {
          s = std::move(found);
          break;
        }
      }
      if (!s) return HtmlError(Error::NotFound("this subscription no longer exists; nothing more will be sent"));
    }
    auto page = deps.store.GetPage(s->page_id);
    if (!page) return HtmlError(page.error());
    mu::data d;
    d.set("heading", std::string("Unsubscribe"));
    if (s->state == model::SubscriberState::kUnsubscribed) {
      d.set("notice", std::string("You are already unsubscribed."));
    } else {
      d.set("confirm", true);
      d.set("address", s->address);
      d.set("token", token);
    }
    d.set("manage_url", deps.links.ManageUrl(s->id));
    return Html(200, *page, "Unsubscribe", "manage_unsubscribe", d);
  }

  Response UnsubscribePost(const Request& req) {
    // RFC 8058: the body is "List-Unsubscribe=One-Click" and the URL carries the token; the
    // confirmation page's form posts to the same URL. No cookie or other credential is needed.
    std::string token = Query(req, "token");
    if (token.empty()) {
      if (auto body = ParseForm(req.body); body)
        if (auto t = GetString(*body, "token"); t && *t) token = **t;
    }
    const bool one_click = Trim(req.body) == kOneClickBody;
    auto s = deps.subscriptions.Unsubscribe(token);
    if (!s && s.error().code != ErrorCode::kNotFound) return HtmlError(s.error());
    if (one_click) {
      Response r;
      r.status = 200;
      r.body = "Unsubscribed.\n";
      r.Set("Content-Type", "text/plain; charset=utf-8");
      NoStore(r);
      return r;
    }
    if (!s) {
      Response r = HtmlError(Error::NotFound("this subscription no longer exists; nothing more will be sent"), 200);
      return r;
    }
    auto page = deps.store.GetPage(s->page_id);
    if (!page) return HtmlError(page.error());
    mu::data d;
    d.set("heading", std::string("You are unsubscribed"));
    d.set("notice", "We will not send status updates to " + s->address + " any more.");
    d.set("manage_url", deps.links.ManageUrl(s->id));
    return Html(200, *page, "Unsubscribed", "manage_unsubscribe", d);
  }

  Response SmsConfirm(const Request& req) {
    const bool as_json = req.Header("content-type").find("json") != std::string_view::npos;
    auto body = ParseBody(req.Header("content-type"), req.body);
    if (!body) return as_json ? JsonError(body.error()) : HtmlError(body.error());
    auto page_ref = GetString(*body, "page");
    auto phone = GetString(*body, "phone_number");
    auto code = GetString(*body, "code");
    for (auto* r : {&page_ref, &phone, &code})
      if (!*r) return as_json ? JsonError(r->error()) : HtmlError(r->error());
    auto page = PageFor(*page_ref ? **page_ref : "");
    if (!page) return as_json ? JsonError(page.error()) : HtmlError(page.error());
    const std::string number = *phone ? **phone : "";
    auto fail = [&](const Error& e) {
      if (as_json) return JsonError(e);
      mu::data d;
      d.set("heading", std::string("Enter the code"));
      mu::data c;
      c.set("page", page->id);
      c.set("phone_number", number);
      d.set("code_form", c);
      mu::data errors;
      errors.set("code", e.message);
      d.set("errors", errors);
      return Html(http::HttpStatusFor(e.code), *page, "Enter the code", "subscribe", d);
    };
    if (number.empty()) return fail(Error::Invalid("phone_number", "phone_number is required"));
    if (auto e = LimitAddress("sms-code", number, "code")) return fail(*e);
    auto s = deps.subscriptions.ConfirmSms(page->id, number, *code ? **code : "");
    if (!s) return fail(s.error());
    if (as_json) {
      Response r = http::JsonResponse(200, json::serialize(json::object{{"status", "active"}}));
      NoStore(r);
      return r;
    }
    mu::data d;
    d.set("heading", std::string("You are subscribed"));
    d.set("notice", "Status updates will arrive by text message at " + s->address + ".");
    d.set("manage_url", deps.links.ManageUrl(s->id));
    return Html(200, *page, "Subscribed", "subscribe", d);
  }
};

PublicSubscribe::PublicSubscribe(PublicSubscribeDeps deps) : impl_(std::make_unique<Impl>(std::move(deps))) {}
PublicSubscribe::~PublicSubscribe() = default;

bool PublicSubscribe::Owns(const std::string& path) {
  // Asked for every public request before the snapshot is looked at: views, no copies.
  std::string_view slug, rest = path;
  if (rest.starts_with("/pages/")) {
    const size_t slash = rest.find('/', 7);
    slug = rest.substr(7, slash == std::string_view::npos ? std::string_view::npos : slash - 7);
    rest = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  }
  if (rest == "/subscribe" || rest == "/subscribe/" || rest == "/api/v2/subscribers.json" ||
      rest == "/api/v2/subscribers" || rest == "/api/v2/push-subscriptions" ||
      rest == "/api/v2/push-subscriptions.json")
    return true;
  return slug.empty() && (rest == "/subscriptions/confirm" || rest == "/subscriptions/manage" ||
                          rest == "/subscriptions/unsubscribe" || rest == "/subscriptions/sms/confirm");
}

http::Response PublicSubscribe::Handle(const http::Request& request) { return impl_->Handle(request); }

}  // namespace herald::api

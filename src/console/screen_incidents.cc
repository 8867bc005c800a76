// The incident screens: /admin/incidents (the page's incidents, open ones first, keyset-paged by
// the store's cursor list), the composer /admin/incidents/new (publish; start from a template),
// its preview /admin/incidents/preview (what publishing would show and send, written nowhere and
// not audited), and one incident's page /admin/incidents/{id} (timeline; post an update, resolve,
// add an internal note, correct a published update's text) with its own preview.
//
// "What you can do" has no field of its own in the model: the composer appends it to the update's
// Markdown as a paragraph starting "**What you can do:**", so the public page, every channel and
// the API carry it with no schema change (the demo data writes it the same way).
#include <algorithm>
#include <boost/json.hpp>

#include "assets/web_assets.h"
#include "console/incident_forms.h"
#include "core/text.h"
#include "core/time.h"
#include "page/markdown.h"
#include "service/audit_log.h"
#include "service/dashboard.h"
#include "service/preview.h"

namespace herald::console {

using model::ComponentStatus;
using model::IncidentStatus;

// --- shared by the incident screens -----------------------------------------------------------

std::string RenderPart(std::string_view name, const mu::data& data) {
  mu::mustache t{std::string(assets::FindWebAsset("templates/console/" + std::string(name) + ".mustache"))};
  return t.is_valid() ? t.render(data) : std::string("<!-- template error -->");
}

namespace {

constexpr ComponentStatus kComponentStatuses[] = {ComponentStatus::kOperational, ComponentStatus::kDegradedPerformance,
                                                  ComponentStatus::kPartialOutage, ComponentStatus::kMajorOutage,
                                                  ComponentStatus::kUnderMaintenance};
const std::vector<IncidentStatus> kIncidentStatuses = {IncidentStatus::kInvestigating, IncidentStatus::kIdentified,
                                                       IncidentStatus::kMonitoring, IncidentStatus::kResolved};
constexpr std::string_view kWhatYouCanDo = "**What you can do:** ";
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

mu::data ComponentSelects(const std::vector<model::Component>& components,
                          const std::map<std::string, ComponentStatus>& chosen, const std::string& id_prefix) {
  mu::data list{mu::data::type::list};
  for (const auto& c : components) {
    if (c.is_group) continue;
    mu::data row;
    row.set("id", c.id);
    row.set("dom_id", id_prefix + "-component-" + c.id);
    row.set("name", c.name);
    row.set("current", std::string(model::Label(c.status)));
    if (c.hidden) row.set("hidden", true);
    auto it = chosen.find(c.id);
    mu::data options{mu::data::type::list};
    mu::data none;
    none.set("value", "");
    none.set("label", "No change");
    if (it == chosen.end()) none.set("selected", true);
    options.push_back(none);
    for (ComponentStatus s : kComponentStatuses) {
      mu::data o;
      o.set("value", std::string(model::ToString(s)));
      o.set("label", std::string(model::Label(s)));
      if (it != chosen.end() && it->second == s) o.set("selected", true);
      options.push_back(o);
    }
    row.set("options", options);
    list.push_back(row);
  }
  return list;
}

std::map<std::string, ComponentStatus> ChosenComponents(const Form& form,
                                                        const std::vector<model::Component>& components) {
  std::map<std::string, ComponentStatus> out;
  for (const auto& c : components) {
    if (c.is_group) continue;
    if (auto s = model::ParseComponentStatus(Field(form, "component_" + c.id))) out[c.id] = *s;
  }
  return out;
}

mu::data StatusOptions(const std::vector<IncidentStatus>& statuses, IncidentStatus selected) {
  mu::data list{mu::data::type::list};
  for (IncidentStatus s : statuses) {
    mu::data o;
    o.set("value", std::string(model::ToString(s)));
    o.set("label", std::string(model::Label(s)));
    if (s == selected) o.set("selected", true);
    list.push_back(o);
  }
  return list;
}

mu::data NoticeTypeOptions(model::NoticeType selected) {
  static constexpr std::pair<model::NoticeType, std::string_view> kTypes[] = {
      {model::NoticeType::kOutage, "Outage"},
      {model::NoticeType::kSecurity, "Security"},
      {model::NoticeType::kPolicy, "Policy"},
      {model::NoticeType::kProductUpdate, "Product update"}};
  mu::data list{mu::data::type::list};
  for (const auto& [t, label] : kTypes) {
    mu::data o;
    o.set("value", std::string(model::ToString(t)));
    o.set("label", std::string(label));
    if (t == selected) o.set("selected", true);
    list.push_back(o);
  }
  return list;
}

void SetPageField(const ScreenContext& ctx, mu::data& d) {
  std::string page = Field(ctx.form, "page");
  if (page.empty()) page = Field(ctx.query, "page");
  if (!page.empty()) d.set("page_field", page);
}

void SetErrors(mu::data& d, const FieldErrors& errors, const std::string& prefix) {
  if (errors.empty()) return;
  mu::data list{mu::data::type::list};
  for (const auto& [field, message] : errors) {
    mu::data e;
    e.set("anchor", prefix.empty() ? field : prefix + "-" + field);
    e.set("message", message);
    list.push_back(e);
    d.set(field + "_error", message);
  }
  d.set("errors", list);
  d.set("has_errors", true);
}

namespace {

std::string When(TimeMs t, const model::Page& page) {
  return FormatInZone(t, page.time_zone.empty() ? "UTC" : page.time_zone, "%Y-%m-%d %H:%M %Z");
}

http::Response Unavailable(const ScreenContext& ctx) {
  return ctx.Message(503, "Unavailable", "The database cannot be reached. Try again shortly.");
}

// What the composer and the update form hold, as typed (re-shown after an error or a preview).
struct UpdateForm {
  std::string title, type = "outage", status, message, what_you_can_do, next_update_minutes, next_update_at;
  std::string variant_brief, variant_technical, variant_segment, variant_segment_text;
  bool notify = true;
  std::map<std::string, ComponentStatus> components;
};

UpdateForm ReadForm(const Form& f, const std::vector<model::Component>& components) {
  UpdateForm u;
  u.title = Field(f, "title");
  u.type = Field(f, "type");
  u.status = Field(f, "status");
  u.message = Field(f, "message");
  u.what_you_can_do = Field(f, "what_you_can_do");
  u.next_update_minutes = Field(f, "next_update_minutes");
  u.next_update_at = Field(f, "next_update_at");
  u.variant_brief = Field(f, "variant_brief");
  u.variant_technical = Field(f, "variant_technical");
  u.variant_segment = Field(f, "variant_segment");
  u.variant_segment_text = Field(f, "variant_segment_text");
  u.notify = Field(f, "notify") == "yes";
  u.components = ChosenComponents(f, components);
  return u;
}

// The service's field names -> the form's.
std::string FormField(const std::string& service_field) {
  static const std::map<std::string, std::string> kNames = {{"name", "title"},
                                                            {"body", "message"},
                                                            {"next_update_at", "next_update_minutes"},
                                                            {"components", "components"},
                                                            {"component_ids", "components"},
                                                            {"variants", "variant_brief"},
                                                            {"status", "status"},
                                                            {"type", "type"},
                                                            {"impact", "status"}};
  auto it = kNames.find(service_field);
  return it == kNames.end() ? "message" : it->second;
}

// The form as the service's input, or the fields that are wrong. `creating`: the composer (a
// title and a message are needed); otherwise an update (a message or a new status).
service::IncidentInput ToInput(const UpdateForm& u, TimeMs now, bool creating, FieldErrors& errors) {
  service::IncidentInput in;
  if (creating) {
    if (Trim(u.title).empty()) errors["title"] = "Give the incident a title.";
    in.name = u.title;
    in.type = model::ParseNoticeType(u.type);
    if (!in.type) errors["type"] = "Choose a notice type.";
  }
  if (!u.status.empty()) {
    in.status = model::ParseIncidentStatus(u.status);
    if (!in.status) errors["status"] = "Choose a status.";
  }
  std::string body(Trim(u.message));
  if (!Trim(u.what_you_can_do).empty())
    body += "\n\n" + std::string(kWhatYouCanDo) + std::string(Trim(u.what_you_can_do));
  // Every update says something: the message is what customers read (and what is sent).
  if (Trim(u.message).empty()) errors["message"] = "Write what is happening: the message is what customers read.";
  if (!body.empty()) in.body = body;
  in.deliver_notifications = u.notify;
  in.components = u.components;
  const std::string minutes(Trim(u.next_update_minutes)), at(Trim(u.next_update_at));
  if (!minutes.empty()) {
    const bool digits = minutes.size() <= 4 && std::all_of(minutes.begin(), minutes.end(), IsDigit);
    const int m = digits ? std::stoi(minutes) : 0;
    if (m < 1 || m > 1440)
      errors["next_update_minutes"] = "Next update: a number of minutes from 1 to 1440.";
    else
      in.next_update_at = now + m * 60'000LL;
  } else if (!at.empty()) {
    // datetime-local sends "YYYY-MM-DDTHH:MM" without a zone: the console's times are UTC.
    auto t = ParseIso8601(at.size() == 16 ? at + ":00Z" : at);
    if (!t)
      errors["next_update_at"] = "Next update time: write it as YYYY-MM-DDTHH:MM (UTC).";
    else
      in.next_update_at = *t;
  }
  if (!Trim(u.variant_brief).empty()) in.variants["brief"] = std::string(Trim(u.variant_brief));
  if (!Trim(u.variant_technical).empty()) in.variants["technical"] = std::string(Trim(u.variant_technical));
  const std::string segment(Trim(u.variant_segment));
  if (!segment.empty() || !Trim(u.variant_segment_text).empty()) {
    if (segment.empty() || Trim(u.variant_segment_text).empty())
      errors["variant_segment"] = "A segment's version needs both the segment's label and its text.";
    else
      in.variants["segment:" + Lower(segment)] = std::string(Trim(u.variant_segment_text));
  }
  return in;
}

// The data of incident_fields.mustache for `u`.
mu::data FieldsData(const ScreenContext& ctx, const UpdateForm& u, const std::vector<model::Component>& components,
                    const std::string& prefix, IncidentStatus status, const FieldErrors& errors) {
  mu::data d;
  d.set("prefix", prefix);
  d.set("statuses", StatusOptions(kIncidentStatuses, model::ParseIncidentStatus(u.status).value_or(status)));
  d.set("components", ComponentSelects(components, u.components, prefix));
  d.set("message", u.message);
  d.set("what_you_can_do", u.what_you_can_do);
  d.set("next_update_minutes", u.next_update_minutes);
  d.set("next_update_at", u.next_update_at);
  if (u.notify) d.set("notify", true);
  d.set("variant_brief", u.variant_brief);
  d.set("variant_technical", u.variant_technical);
  d.set("variant_segment", u.variant_segment);
  d.set("variant_segment_text", u.variant_segment_text);
  d.set("csrf", ctx.staff.csrf_token);
  SetErrors(d, errors, prefix);
  return d;
}

// `v` indented two spaces per level, one member per line: a payload a person can read (Boost.JSON
// serialises on one line only).
void AppendPretty(const boost::json::value& v, int depth, std::string& out) {
  const std::string pad(2 * (depth + 1), ' '), end_pad(2 * depth, ' ');
  if (v.is_object() && !v.as_object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [k, x] : v.as_object()) {
      out += (first ? "" : ",\n") + pad + boost::json::serialize(boost::json::string(k)) + ": ";
      AppendPretty(x, depth + 1, out);
      first = false;
    }
    out += "\n" + end_pad + "}";
  } else if (v.is_array() && !v.as_array().empty()) {
    out += "[\n";
    bool first = true;
    for (const auto& x : v.as_array()) {
      out += (first ? "" : ",\n") + pad;
      AppendPretty(x, depth + 1, out);
      first = false;
    }
    out += "\n" + end_pad + "]";
  } else {
    out += boost::json::serialize(v);
  }
}

std::string PrettyJson(const boost::json::value& v) {
  std::string out;
  AppendPretty(v, 0, out);
  return out;
}

// The preview part: the public card and each channel's message per language.
mu::data PreviewData(const service::IncidentPreview& p) {
  mu::data d;
  d.set("card_html", p.card_html);
  d.set("notifies", p.notifies);
  d.set("message_kind", p.message_kind);
  std::string in_use;
  for (const auto& l : p.languages_in_use) in_use += (in_use.empty() ? "" : ", ") + l;
  d.set("languages_in_use", in_use.empty() ? std::string("none yet (shown in the default language)") : in_use);
  mu::data langs{mu::data::type::list};
  for (const auto& lp : p.languages) {
    mu::data l;
    l.set("language", lp.language);
    mu::data chans{mu::data::type::list};
    for (const auto& c : lp.channels) {
      mu::data ch;
      const std::string name(model::ToString(c.channel));
      ch.set("channel", name);
      switch (c.channel) {
        case model::ChannelKind::kEmail:
          ch.set("title", "Email");
          ch.set("email", true);
          ch.set("subject", c.message.subject);
          ch.set("text", c.email_text);
          break;
        case model::ChannelKind::kSms:
          ch.set("title", "SMS");
          ch.set("sms", true);
          ch.set("text", c.sms_text);
          ch.set("length", std::to_string(c.sms_length.units));
          ch.set("segments", std::to_string(c.sms_length.segments));
          ch.set("encoding", c.sms_length.encoding == notify::SmsEncoding::kGsm7 ? "GSM-7" : "UCS-2");
          break;
        default: {
          static const std::map<std::string, std::string> kTitles = {
              {"webhook", "Webhook JSON"}, {"slack", "Slack"},           {"teams", "Microsoft Teams"},
              {"discord", "Discord"},      {"mattermost", "Mattermost"}, {"web_push", "Web push"}};
          auto t = kTitles.find(name);
          ch.set("title", t == kTitles.end() ? name : t->second);
          boost::system::error_code ec;
          const auto v = boost::json::parse(c.payload_json, ec);
          ch.set("json", ec ? c.payload_json : PrettyJson(v));
        }
      }
      chans.push_back(ch);
    }
    l.set("channels", chans);
    langs.push_back(l);
  }
  d.set("languages", langs);
  return d;
}

// Runs the preview of `in` (creating when `incident_id` is empty): the rendered part, or the
// field errors its validation found.
std::string RenderPreview(const ScreenContext& ctx, const model::Page& page, const std::string& incident_id,
                          const service::IncidentInput& in, FieldErrors& errors) {
  std::optional<std::string> id;
  if (!incident_id.empty()) id = incident_id;
  auto p = service::PreviewIncident({ctx.deps.store, ctx.deps.clock, ctx.deps.public_url}, page.id, id, in);
  if (!p) {
    if (p.error().code == ErrorCode::kUnavailable || p.error().code == ErrorCode::kInternal)
      errors["message"] = "The preview could not be made: the database cannot be reached.";
    else
      errors[FormField(p.error().field)] = p.error().message;
    return "";
  }
  return RenderPart("incident_preview", PreviewData(*p));
}

// --- /admin/incidents ---------------------------------------------------------------------------

// The list's cursor: "<sort key>.<id>" of a row (opaque to the user).
std::string CursorOf(const model::Incident& i) { return std::to_string(store::IncidentSortKey(i)) + "." + i.id; }
bool ParseCursor(const std::string& c, store::IncidentPageQuery& q) {
  const size_t dot = c.find('.');
  if (dot == std::string::npos || dot == 0 || dot > 18 || dot + 1 >= c.size()) return false;
  const std::string key = c.substr(0, dot);
  if (!std::all_of(key.begin(), key.end(), IsDigit)) return false;
  q.has_after = true;
  q.after_key = std::stoll(key);
  q.after_id = c.substr(dot + 1);
  return true;
}

mu::data IncidentRow(const ScreenContext& ctx, const model::Incident& i, const model::Page& page) {
  mu::data r;
  r.set("href", "/admin/incidents/" + i.id + ctx.PageQuery());
  r.set("name", i.name);
  r.set("status", std::string(model::Label(i.status)));
  r.set("status_key", std::string(model::ToString(i.status)));
  r.set("impact", std::string(model::ToString(i.impact)));
  r.set("started", When(i.started_at, page));
  r.set("started_iso", FormatIso8601(i.started_at));
  r.set("updated", When(i.updated_at, page));
  if (!model::IsClosed(i.status)) r.set("open", true);
  return r;
}

constexpr int kListLimit = 25;

http::Response ListGet(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Incidents", page.error().message);
  const std::string pq = ctx.PageQuery();
  const std::string amp = pq.empty() ? "?" : pq + "&";
  mu::data d;
  d.set("page_name", page->name);
  SetPageField(ctx, d);
  d.set("new_href", "/admin/incidents/new" + pq);
  d.set("templates_href", "/admin/incident-templates" + pq);
  if (ctx.Can(model::Permission::kPublishIncident)) d.set("can_publish", true);
  if (auto done = Field(ctx.query, "done"); done == "deleted") d.set("notice", "The incident was deleted.");

  // Open incidents first (on the first page), one index seek per open status.
  const std::string status_text = Field(ctx.query, "status");
  const auto status = model::ParseIncidentStatus(status_text);
  const std::string after = Field(ctx.query, "after"), before = Field(ctx.query, "before");
  if (after.empty() && before.empty() && status_text.empty()) {
    mu::data open{mu::data::type::list};
    std::vector<model::Incident> all_open;
    for (IncidentStatus s :
         {IncidentStatus::kInvestigating, IncidentStatus::kIdentified, IncidentStatus::kMonitoring}) {
      store::IncidentPageQuery q;
      q.maintenance = false;
      q.status = s;
      q.include_internal_updates = false;
      q.limit = 50;
      auto list = ctx.deps.store.PageIncidents(page->id, q);
      if (!list) return Unavailable(ctx);
      all_open.insert(all_open.end(), list->begin(), list->end());
    }
    std::sort(all_open.begin(), all_open.end(),
              [](const auto& a, const auto& b) { return a.started_at > b.started_at; });
    for (const auto& i : all_open) open.push_back(IncidentRow(ctx, i, *page));
    d.set("has_open", !all_open.empty());
    d.set("open", open);
    d.set("first_page", true);
  }

  store::IncidentPageQuery q;
  q.maintenance = false;
  q.status = status;
  q.include_internal_updates = false;
  q.limit = kListLimit + 1;  // one more tells whether there is a further page
  bool bad_cursor = false;
  if (!after.empty())
    bad_cursor = !ParseCursor(after, q);
  else if (!before.empty()) {
    bad_cursor = !ParseCursor(before, q);
    q.newer = true;
  }
  if (bad_cursor) return ctx.Message(400, "Incidents", "This list link is broken; start again from the incident list.");
  auto list = ctx.deps.store.PageIncidents(page->id, q);
  if (!list) return Unavailable(ctx);
  const bool more = static_cast<int>(list->size()) > kListLimit;
  if (more) {
    // Reading newer rows, the extra one is the newest (first); reading older, the last.
    if (q.newer)
      list->erase(list->begin());
    else
      list->pop_back();
  }
  mu::data rows{mu::data::type::list};
  for (const auto& i : *list) rows.push_back(IncidentRow(ctx, i, *page));
  d.set("rows", rows);
  d.set("has_rows", !list->empty());
  const std::string filter = status ? "status=" + std::string(model::ToString(*status)) + "&" : "";
  if (!list->empty()) {
    const bool has_older = q.newer ? q.has_after : more;
    const bool has_newer = q.newer ? more : q.has_after;
    if (has_older)
      d.set("older_href", "/admin/incidents" + amp + filter + "after=" + QueryEscape(CursorOf(list->back())));
    if (has_newer)
      d.set("newer_href", "/admin/incidents" + amp + filter + "before=" + QueryEscape(CursorOf(list->front())));
  }
  mu::data filters{mu::data::type::list};
  {
    mu::data all;
    all.set("value", "");
    all.set("label", "All");
    if (!status) all.set("selected", true);
    filters.push_back(all);
    for (IncidentStatus s : {IncidentStatus::kInvestigating, IncidentStatus::kIdentified, IncidentStatus::kMonitoring,
                             IncidentStatus::kResolved, IncidentStatus::kPostmortem}) {
      mu::data o;
      o.set("value", std::string(model::ToString(s)));
      o.set("label", std::string(model::Label(s)));
      if (status == s) o.set("selected", true);
      filters.push_back(o);
    }
  }
  d.set("filters", filters);
  return ctx.Page(200, "Incidents", "incidents", d);
}

// --- /admin/incidents/new and its preview --------------------------------------------------------

UpdateForm FromTemplate(const model::IncidentTemplate& t) {
  UpdateForm u;
  u.title = t.title;
  u.type = std::string(model::ToString(t.type));
  u.status = std::string(model::ToString(t.update_status));
  u.message = t.body;
  u.notify = t.deliver_notifications;
  u.components = t.components;
  return u;
}

http::Response Composer(const ScreenContext& ctx, const model::Page& page, const UpdateForm& u,
                        const FieldErrors& errors, const std::string& preview_html,
                        const std::string& chosen_template) {
  auto components = ctx.deps.store.ListComponents(page.id);
  if (!components) return Unavailable(ctx);
  mu::data d = FieldsData(ctx, u, *components, "composer", IncidentStatus::kInvestigating, errors);
  d.set("title", u.title);
  d.set("types", NoticeTypeOptions(model::ParseNoticeType(u.type).value_or(model::NoticeType::kOutage)));
  SetPageField(ctx, d);
  d.set("list_href", "/admin/incidents" + ctx.PageQuery());
  if (!preview_html.empty()) {
    d.set("preview_html", preview_html);
    d.set("has_preview", true);
  }
  auto templates = ctx.deps.store.ListIncidentTemplates(page.id);
  if (!templates) return Unavailable(ctx);
  mu::data options{mu::data::type::list};
  for (const auto& t : *templates) {
    mu::data o;
    o.set("value", t.id);
    o.set("label", t.group_name.empty() ? t.name : t.group_name + ": " + t.name);
    if (t.id == chosen_template) o.set("selected", true);
    options.push_back(o);
  }
  d.set("templates", options);
  d.set("has_templates", !templates->empty());
  d.set("fields_html", RenderPart("incident_fields", d));
  return ctx.Page(errors.empty() ? 200 : 422, "New incident", "incident_new", d);
}

http::Response NewGet(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "New incident", page.error().message);
  UpdateForm u;
  u.status = "investigating";
  const std::string template_id = Field(ctx.query, "template");
  if (!template_id.empty()) {
    auto t = ctx.deps.store.GetIncidentTemplate(page->id, template_id);
    if (!t) {
      if (t.error().code != ErrorCode::kNotFound) return Unavailable(ctx);
      return Composer(ctx, *page, u, {{"template", "That template no longer exists; choose another."}}, "", "");
    }
    u = FromTemplate(*t);
  }
  return Composer(ctx, *page, u, {}, "", template_id);
}

http::Response NewPost(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "New incident", page.error().message);
  auto components = ctx.deps.store.ListComponents(page->id);
  if (!components) return Unavailable(ctx);
  const UpdateForm u = ReadForm(ctx.form, *components);
  FieldErrors errors;
  const service::IncidentInput in = ToInput(u, ctx.deps.clock.Now(), true, errors);
  if (!errors.empty()) return Composer(ctx, *page, u, errors, "", "");
  service::IncidentService incidents(service::Deps{ctx.deps.store, ctx.deps.clock, ctx.deps.on_change});
  auto inc = incidents.Create(page->id, in);
  if (!inc) {
    if (inc.error().code == ErrorCode::kUnavailable || inc.error().code == ErrorCode::kInternal)
      return Unavailable(ctx);
    errors[FormField(inc.error().field)] = inc.error().message;
    return Composer(ctx, *page, u, errors, "", "");
  }
  ctx.write.action = "incident.create";
  ctx.write.target_type = "incident";
  ctx.write.target_id = inc->id;
  ctx.write.page_id = page->id;
  return Redirect("/admin/incidents/" + inc->id + (ctx.PageQuery().empty() ? "?" : ctx.PageQuery() + "&") +
                  "done=published");
}

// POST /admin/incidents/preview: the composer again with the preview below it (without JS, from
// the form's Preview button), or only the preview part (`fragment=1`: the live preview's script).
http::Response PreviewFor(const ScreenContext& ctx, const std::string& incident_id);

http::Response NewPreviewPost(const ScreenContext& ctx) { return PreviewFor(ctx, ""); }
http::Response BackToComposer(const ScreenContext& ctx) { return Redirect("/admin/incidents/new" + ctx.PageQuery()); }

// --- /admin/incidents/{id} ------------------------------------------------------------------------

struct IncidentOutcome {
  int status = 200;
  std::string notice;
  FieldErrors update_errors, resolve_errors, note_errors;
  std::string edit_error, edit_update_id;
  UpdateForm update;
  std::string resolve_message, note_message, preview_html;
};

http::Response ShowIncident(const ScreenContext& ctx, const model::Page& page, const IncidentOutcome& o) {
  auto inc = ctx.deps.store.GetIncident(page.id, ctx.Param("id"));
  if (!inc) {
    if (inc.error().code == ErrorCode::kNotFound)
      return ctx.Message(404, "Incident not found",
                         "There is no incident " + ctx.Param("id") + " on " + page.name + ".");
    return Unavailable(ctx);
  }
  auto components = ctx.deps.store.ListComponents(page.id);
  if (!components) return Unavailable(ctx);
  const TimeMs now = ctx.deps.clock.Now();
  const bool can = ctx.Can(model::Permission::kPublishIncident);
  mu::data d;
  d.set("name", inc->name);
  d.set("status", std::string(model::Label(inc->status)));
  d.set("status_key", std::string(model::ToString(inc->status)));
  d.set("impact", std::string(model::ToString(inc->impact)));
  d.set("type", std::string(model::ToString(inc->type)));
  d.set("started", When(inc->started_at, page));
  d.set("started_iso", FormatIso8601(inc->started_at));
  if (inc->resolved_at) d.set("resolved", When(*inc->resolved_at, page));
  const bool open = !model::IsClosed(inc->status);
  if (open) d.set("open", true);
  // The promise: the newest public update's next_update_at (as the dashboard reads it).
  for (const auto& up : inc->updates) {
    if (up.internal) continue;
    if (up.next_update_at && open) {
      d.set("next_update", service::NextUpdateLabel(*up.next_update_at, now));
      d.set("next_update_at", When(*up.next_update_at, page));
      if (*up.next_update_at < now) d.set("overdue", true);
    }
    break;
  }
  mu::data affected{mu::data::type::list};
  for (const auto& ac : inc->components) {
    mu::data a;
    std::string name = ac.component_id;
    for (const auto& c : *components)
      if (c.id == ac.component_id) name = c.name;
    a.set("name", name);
    a.set("status", std::string(model::Label(ac.new_status)));
    affected.push_back(a);
  }
  d.set("affected", affected);
  d.set("has_affected", !inc->components.empty());
  mu::data timeline{mu::data::type::list};
  for (const auto& up : inc->updates) {
    mu::data t;
    t.set("id", up.id);
    t.set("status", std::string(model::Label(up.status)));
    t.set("when", When(up.display_at, page));
    t.set("when_iso", FormatIso8601(up.display_at));
    t.set("body_html", page::RenderMarkdown(up.body));
    t.set("body", up.body);
    if (up.internal) t.set("internal", true);
    if (!up.internal && !up.deliver_notifications) t.set("silent", true);
    if (up.updated_at > up.created_at) t.set("edited", When(up.updated_at, page));
    if (can) t.set("can_edit", true);
    if (o.edit_update_id == up.id && !o.edit_error.empty()) {
      t.set("edit_error", o.edit_error);
      t.set("edit_open", true);
    }
    timeline.push_back(t);
  }
  d.set("timeline", timeline);
  const std::string pq = ctx.PageQuery();
  d.set("action", "/admin/incidents/" + inc->id + pq);
  d.set("preview_action", "/admin/incidents/" + inc->id + "/preview" + pq);
  d.set("list_href", "/admin/incidents" + pq);
  SetPageField(ctx, d);
  if (can) {
    d.set("can_publish", true);
    UpdateForm u = o.update;
    mu::data fields = FieldsData(ctx, u, *components, "update", inc->status, o.update_errors);
    d.set("update_fields_html", RenderPart("incident_fields", fields));
    // One summary at the top for whichever form was sent back.
    FieldErrors all;
    for (const auto& [f, m] : o.update_errors) all["update-" + f] = m;
    for (const auto& [f, m] : o.resolve_errors) all["resolve-" + f] = m;
    for (const auto& [f, m] : o.note_errors) all["note-" + f] = m;
    if (!o.edit_error.empty()) all["edit-" + o.edit_update_id] = o.edit_error;
    SetErrors(d, all, "");
    if (o.resolve_errors.count("message")) d.set("resolve_error", o.resolve_errors.at("message"));
    d.set("resolve_message", o.resolve_message);
    if (o.note_errors.count("message")) d.set("note_error", o.note_errors.at("message"));
    d.set("note_message", o.note_message);
  }
  if (!o.preview_html.empty()) {
    d.set("preview_html", o.preview_html);
    d.set("has_preview", true);
  }
  d.set("csrf", ctx.staff.csrf_token);
  std::string notice = o.notice;
  if (notice.empty()) {
    static const std::map<std::string, std::string> kDone = {{"published", "Published."},
                                                             {"updated", "The update is published."},
                                                             {"resolved", "The incident is resolved."},
                                                             {"noted", "The internal note is added (not public)."},
                                                             {"edited", "The update's text is corrected."}};
    if (auto it = kDone.find(Field(ctx.query, "done")); it != kDone.end()) notice = it->second;
  }
  if (!notice.empty()) d.set("notice", notice);
  return ctx.Page(o.status, inc->name, "incident", d);
}

http::Response IncidentGet(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Incident", page.error().message);
  IncidentOutcome o;
  o.update.notify = true;
  return ShowIncident(ctx, *page, o);
}

http::Response Done(const ScreenContext& ctx, const std::string& id, const std::string& what) {
  const std::string pq = ctx.PageQuery();
  return Redirect("/admin/incidents/" + id + (pq.empty() ? "?" : pq + "&") + "done=" + what);
}

http::Response IncidentPost(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Incident", page.error().message);
  const std::string id = ctx.Param("id");
  const std::string action = Field(ctx.form, "action");
  service::IncidentService incidents(service::Deps{ctx.deps.store, ctx.deps.clock, ctx.deps.on_change});
  auto components = ctx.deps.store.ListComponents(page->id);
  if (!components) return Unavailable(ctx);
  IncidentOutcome o;
  o.status = 422;
  o.update.notify = true;
  ctx.write.target_type = "incident";
  ctx.write.target_id = id;
  ctx.write.page_id = page->id;
  auto failed = [&](const Error& e, FieldErrors& errors) {
    if (e.code == ErrorCode::kNotFound && e.field.empty()) return ctx.Message(404, "Incident not found", e.message);
    if (e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kInternal) return Unavailable(ctx);
    errors[FormField(e.field)] = e.message;
    return ShowIncident(ctx, *page, o);
  };
  if (action == "update") {
    o.update = ReadForm(ctx.form, *components);
    service::IncidentInput in = ToInput(o.update, ctx.deps.clock.Now(), false, o.update_errors);
    if (!o.update_errors.empty()) return ShowIncident(ctx, *page, o);
    auto inc = incidents.Update(page->id, id, in);
    if (!inc) return failed(inc.error(), o.update_errors);
    ctx.write.action = "incident.update";
    return Done(ctx, id, "updated");
  }
  // Resolve and the internal note: one message each.
  if (action == "resolve" || action == "note") {
    const bool resolve = action == "resolve";
    std::string& typed = resolve ? o.resolve_message : o.note_message;
    FieldErrors& errors = resolve ? o.resolve_errors : o.note_errors;
    typed = Field(ctx.form, "message");
    if (Trim(typed).empty()) {
      errors["message"] = resolve ? "Say what was fixed: the message is what customers read." : "Write the note.";
      return ShowIncident(ctx, *page, o);
    }
    service::IncidentInput in;
    in.body = std::string(Trim(typed));
    if (resolve) in.status = IncidentStatus::kResolved;
    in.internal = !resolve;  // a note is never public and never sent
    in.deliver_notifications = resolve && Field(ctx.form, "notify") == "yes";
    auto inc = incidents.Update(page->id, id, in);
    if (!inc) return failed(inc.error(), errors);
    ctx.write.action = resolve ? "incident.resolve" : "incident.note";
    return Done(ctx, id, resolve ? "resolved" : "noted");
  }
  if (action == "edit") {
    const std::string update_id = Field(ctx.form, "update_id");
    const std::string body = Field(ctx.form, "body");
    auto before = ctx.deps.store.GetIncident(page->id, id);
    if (!before) return failed(before.error(), o.update_errors);
    auto old = std::find_if(before->updates.begin(), before->updates.end(),
                            [&](const auto& up) { return up.id == update_id; });
    o.edit_update_id = update_id;
    if (old == before->updates.end())
      return ctx.Message(404, "Update not found", "That update is not in this incident.");
    if (Trim(body).empty()) {
      o.edit_error = "The text cannot be empty.";
      return ShowIncident(ctx, *page, o);
    }
    auto inc = incidents.EditUpdate(page->id, id, update_id, std::string(Trim(body)), std::nullopt);
    if (!inc) {
      if (inc.error().code == ErrorCode::kUnavailable || inc.error().code == ErrorCode::kInternal)
        return Unavailable(ctx);
      o.edit_error = inc.error().message;
      return ShowIncident(ctx, *page, o);
    }
    // The audit entry's before/after, in the API's form (service::TextChanges).
    auto image = [&](const std::string& text) {
      return boost::json::serialize(boost::json::object{
          {"id", id},
          {"incident_updates", boost::json::array{boost::json::object{{"id", update_id}, {"body", text}}}}});
    };
    ctx.write.action = "incident_update.edit";
    ctx.write.target_type = "incident_update";
    ctx.write.target_id = update_id;
    ctx.write.changes_json = service::TextChanges(image(old->body), image(std::string(Trim(body))));
    return Done(ctx, id, "edited");
  }
  o.update_errors["message"] = "Unknown action.";
  return ShowIncident(ctx, *page, o);
}

http::Response IncidentPreviewPost(const ScreenContext& ctx) { return PreviewFor(ctx, ctx.Param("id")); }
http::Response BackToIncident(const ScreenContext& ctx) {
  return Redirect("/admin/incidents/" + ctx.Param("id") + ctx.PageQuery());
}

http::Response PreviewFor(const ScreenContext& ctx, const std::string& incident_id) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Preview", page.error().message);
  auto components = ctx.deps.store.ListComponents(page->id);
  if (!components) return Unavailable(ctx);
  const UpdateForm u = ReadForm(ctx.form, *components);
  FieldErrors errors;
  const service::IncidentInput in = ToInput(u, ctx.deps.clock.Now(), incident_id.empty(), errors);
  std::string html = errors.empty() ? RenderPreview(ctx, *page, incident_id, in, errors) : "";
  if (Field(ctx.form, "fragment") == "1") {
    // The live preview: only the part, or what keeps it from being made.
    mu::data d;
    SetErrors(d, errors, incident_id.empty() ? "composer" : "update");
    http::Response r;
    r.status = 200;
    r.body = errors.empty() ? html : RenderPart("incident_preview_errors", d);
    r.Set("Content-Type", "text/html; charset=utf-8");
    SetConsoleHeaders(r);
    return r;
  }
  if (incident_id.empty()) return Composer(ctx, *page, u, errors, html, "");
  IncidentOutcome o;
  o.status = errors.empty() ? 200 : 422;
  o.update = u;
  o.update_errors = errors;
  o.preview_html = html;
  return ShowIncident(ctx, *page, o);
}

}  // namespace

ScreenDescriptor IncidentsScreen() {
  return {"/admin/incidents", "Incidents", model::Permission::kReadPublic, ListGet, nullptr, {}};
}
ScreenDescriptor IncidentNewScreen() {
  return {"/admin/incidents/new", "", model::Permission::kPublishIncident, NewGet, NewPost, {}};
}
ScreenDescriptor IncidentNewPreviewScreen() {
  ScreenDescriptor s{
      "/admin/incidents/preview", "", model::Permission::kPublishIncident, BackToComposer, NewPreviewPost, {}};
  s.records_write = false;  // computes only: nothing to audit
  return s;
}
ScreenDescriptor IncidentScreen() {
  return {"/admin/incidents/{id}",
          "",
          model::Permission::kReadPublic,
          IncidentGet,
          IncidentPost,
          model::Permission::kPublishIncident};
}
ScreenDescriptor IncidentPreviewScreen() {
  ScreenDescriptor s{"/admin/incidents/{id}/preview",
                     "",
                     model::Permission::kPublishIncident,
                     BackToIncident,
                     IncidentPreviewPost,
                     {}};
  s.records_write = false;
  return s;
}

}  // namespace herald::console

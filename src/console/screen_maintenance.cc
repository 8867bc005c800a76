// /admin/maintenance: the current page's scheduled maintenance: in progress, upcoming (soonest
// first) and past (newest first, paged by index), or with ?view=month&month=2026-12 a month
// calendar in the page's time zone. /admin/maintenance/new schedules one; /admin/maintenance/{id}
// shows and edits one, and cancels it or completes it early after a confirmation step
// (?confirm=cancel|complete).
//
// Maintenance is an incident with a window (IncidentInput's scheduled_for/scheduled_until), as
// in the API: writes go through service::IncidentService and are recorded as incident.create and
// incident.update. A cancelled maintenance is closed with the status `resolved` (the calendar feed
// marks it CANCELLED); completing early sets `completed`. Both restore its components. Times are
// entered and shown in the page's time zone (console/calendar.h). Writing needs
// schedule_maintenance.
#include <algorithm>
#include <cstdlib>
#include <variant>

#include "console/calendar.h"
#include "console/screen_forms.h"
#include "core/text.h"
#include "core/time.h"
#include "service/services.h"

namespace herald::console {
namespace {

using model::IncidentStatus;
using model::Permission;

constexpr int kListBatch = 200;
constexpr size_t kUpcomingCap = 1000;  // scheduled windows shown at most (a page has a handful)
constexpr int kPastPage = 20;
// The month view also shows windows that began this long before the month and reach into it.
constexpr TimeMs kMonthLookbackMs = 31LL * 24 * 3600 * 1000;
constexpr const char* kCancelText = "This maintenance has been cancelled.";
constexpr const char* kCompleteText = "The scheduled maintenance has been completed.";

service::IncidentService Service(const ScreenContext& ctx) {
  return service::IncidentService(service::Deps{ctx.deps.store, ctx.deps.clock, ctx.deps.on_change});
}

std::string When(TimeMs t, const model::Page& page) { return FormatInZone(t, page.time_zone, "%a %d %b %Y, %H:%M %Z"); }

bool IsOpen(const model::Incident& m) { return !model::IsClosed(m.status); }
bool CanCancel(const model::Incident& m) { return m.status == IncidentStatus::kScheduled; }
bool CanComplete(const model::Incident& m) {
  return m.status == IncidentStatus::kInProgress || m.status == IncidentStatus::kVerifying;
}

std::string StatusLabel(const model::Incident& m) {
  return m.status == IncidentStatus::kResolved ? "Cancelled" : std::string(model::Label(m.status));
}

std::string ComponentNames(const model::Incident& m, const std::vector<model::Component>& all) {
  std::string out;
  for (const auto& ac : m.components)
    for (const auto& c : all)
      if (c.id == ac.component_id) out += (out.empty() ? "" : ", ") + c.name;
  return out.empty() ? "none" : out;
}

mu::data Row(const model::Incident& m, const model::Page& page, const std::vector<model::Component>& all) {
  mu::data r;
  r.set("id", m.id);
  r.set("name", m.name);
  r.set("status", StatusLabel(m));
  r.set("status_value", std::string(model::ToString(m.status)));
  r.set("start", When(m.scheduled_for.value_or(0), page));
  r.set("end", When(m.scheduled_until.value_or(0), page));
  r.set("start_iso", FormatIso8601(m.scheduled_for.value_or(0)));
  r.set("end_iso", FormatIso8601(m.scheduled_until.value_or(0)));
  r.set("components", ComponentNames(m, all));
  r.set("href", "/admin/maintenance/" + m.id + "?page=" + QueryEscape(page.id));
  return r;
}

// Every maintenance of `status`, newest window first, by index (at most `cap`).
Result<std::vector<model::Incident>> AllWithStatus(store::Store& store, const std::string& page_id,
                                                   IncidentStatus status, size_t cap) {
  std::vector<model::Incident> out;
  store::IncidentPageQuery q;
  q.maintenance = true;
  q.status = status;
  q.limit = kListBatch;
  while (out.size() < cap) {
    auto batch = store.PageIncidents(page_id, q);
    if (!batch) return batch.error();
    for (auto& m : *batch) out.push_back(std::move(m));
    if (batch->size() < static_cast<size_t>(kListBatch)) break;
    q.has_after = true;
    q.after_key = store::IncidentSortKey(out.back());
    q.after_id = out.back().id;
  }
  if (out.size() > cap) out.resize(cap);
  return out;
}

std::string Base(const model::Page& page) { return "/admin/maintenance?page=" + QueryEscape(page.id); }

http::Response ShowList(const ScreenContext& ctx, const model::Page& page,
                        const std::vector<model::Component>& components, mu::data& d) {
  mu::data active{mu::data::type::list}, upcoming{mu::data::type::list}, past{mu::data::type::list};
  for (auto status : {IncidentStatus::kInProgress, IncidentStatus::kVerifying}) {
    auto list = AllWithStatus(ctx.deps.store, page.id, status, kUpcomingCap);
    if (!list) return Unavailable(ctx);
    for (const auto& m : *list) active.push_back(Row(m, page, components));
  }
  auto scheduled = AllWithStatus(ctx.deps.store, page.id, IncidentStatus::kScheduled, kUpcomingCap);
  if (!scheduled) return Unavailable(ctx);
  for (auto it = scheduled->rbegin(); it != scheduled->rend(); ++it) upcoming.push_back(Row(*it, page, components));
  // Past windows, newest first: a page of closed ones, by index from ?before=<key>.<id>.
  store::IncidentPageQuery q;
  q.maintenance = true;
  q.limit = kPastPage;
  const std::string before = Field(ctx.query, "before");
  if (const size_t dot = before.find('.'); dot != std::string::npos) {
    q.has_after = true;
    q.after_key = std::atoll(before.substr(0, dot).c_str());
    q.after_id = before.substr(dot + 1);
  }
  auto page_of = ctx.deps.store.PageIncidents(page.id, q);
  if (!page_of) return Unavailable(ctx);
  for (const auto& m : *page_of)
    if (!IsOpen(m)) past.push_back(Row(m, page, components));
  if (page_of->size() == static_cast<size_t>(kPastPage)) {
    const auto& last = page_of->back();
    d.set("older_href", Base(page) + "&before=" + std::to_string(store::IncidentSortKey(last)) + "." +
                            QueryEscape(last.id) + "#past-h");
  }
  if (q.has_after) d.set("newest_href", Base(page) + "#past-h");
  d.set("active", active);
  d.set("upcoming", upcoming);
  d.set("past", past);
  d.set("has_active", !active.is_empty_list());
  d.set("has_upcoming", !upcoming.is_empty_list());
  d.set("has_past", !past.is_empty_list());
  d.set("list_view", true);
  return ctx.Page(200, "Maintenance", "maintenance", d);
}

const char* kWeekdays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                         "July",    "August",   "September", "October", "November", "December"};

std::string MonthName(std::string_view key) {
  const unsigned m = static_cast<unsigned>(std::atoi(std::string(key.substr(5, 2)).c_str()));
  return std::string(kMonths[(m + 11) % 12]) + " " + std::string(key.substr(0, 4));
}

http::Response ShowMonth(const ScreenContext& ctx, const model::Page& page,
                         const std::vector<model::Component>& components, mu::data& d) {
  std::string key = Field(ctx.query, "month");
  if (key.empty()) key = MonthKey(ctx.deps.clock.Now(), page.time_zone);
  auto month = MonthGrid(key, page.time_zone);
  if (!month) return ctx.Message(400, "Maintenance", "The month must look like 2026-12 (a year and a month).");
  // The windows that overlap the month: by index from the month's end backwards, as far as
  // windows that began kMonthLookbackMs before it.
  std::vector<model::Incident> windows;
  store::IncidentPageQuery q;
  q.maintenance = true;
  q.limit = kListBatch;
  q.has_after = true;
  q.after_key = month->end;
  for (bool more = true; more;) {
    auto batch = ctx.deps.store.PageIncidents(page.id, q);
    if (!batch) return Unavailable(ctx);
    more = batch->size() == static_cast<size_t>(kListBatch);
    for (auto& m : *batch) {
      const TimeMs start = store::IncidentSortKey(m);
      if (start < month->start - kMonthLookbackMs) more = false;
      q.after_key = start;
      q.after_id = m.id;
      if (m.scheduled_until.value_or(start) > month->start) windows.push_back(std::move(m));
    }
  }
  std::reverse(windows.begin(), windows.end());  // earliest first within a day
  mu::data weeks{mu::data::type::list};
  int days_with_windows = 0;
  for (const auto& week : month->weeks) {
    mu::data days{mu::data::type::list};
    for (const auto& day : week) {
      mu::data cell;
      cell.set("day", std::to_string(day.day));
      cell.set("full", std::string(kWeekdays[day.weekday]) + " " + std::to_string(day.day) + " " +
                           kMonths[day.month - 1] + " " + std::to_string(day.year));
      cell.set("in_month", day.in_month);
      mu::data items{mu::data::type::list};
      for (const auto& m : windows) {
        const TimeMs from = m.scheduled_for.value_or(0), to = m.scheduled_until.value_or(from);
        if (!day.in_month || to <= day.start || from >= day.end) continue;
        mu::data item = Row(m, page, components);
        item.set("from", from >= day.start ? FormatInZone(from, page.time_zone, "%H:%M") : std::string("…"));
        item.set("to", to <= day.end ? FormatInZone(to, page.time_zone, "%H:%M") : std::string("…"));
        items.push_back(item);
      }
      const bool any = !items.is_empty_list();
      days_with_windows += any;
      cell.set("windows", items);
      cell.set("has_windows", any);
      days.push_back(cell);
    }
    mu::data w;
    w.set("days", days);
    weeks.push_back(w);
  }
  d.set("month_view", true);
  d.set("month_name", MonthName(month->key));
  d.set("weeks", weeks);
  d.set("no_windows", days_with_windows == 0);
  d.set("prev_name", MonthName(month->prev));
  d.set("next_name", MonthName(month->next));
  d.set("prev_href", Base(page) + "&view=month&month=" + month->prev);
  d.set("next_href", Base(page) + "&view=month&month=" + month->next);
  mu::data weekdays{mu::data::type::list};
  for (const char* name : kWeekdays) {
    mu::data wd;
    wd.set("name", std::string(name));
    wd.set("short", std::string(name).substr(0, 3));
    weekdays.push_back(wd);
  }
  d.set("weekdays", weekdays);
  return ctx.Page(200, "Maintenance: " + MonthName(month->key), "maintenance", d);
}

http::Response GetList(const ScreenContext& ctx) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Maintenance", page.error().message);
  auto components = ctx.deps.store.ListComponents(page->id);
  if (!components) return Unavailable(ctx);
  mu::data d;
  d.set("page_id", page->id);
  d.set("time_zone", page->time_zone);
  d.set("can_schedule", ctx.Can(Permission::kScheduleMaintenance));
  d.set("new_href", "/admin/maintenance/new?page=" + QueryEscape(page->id));
  d.set("list_href", Base(*page));
  d.set("month_href", Base(*page) + "&view=month");
  const std::string done = Field(ctx.query, "done");
  if (done == "cancelled") d.set("notice", "Cancelled " + Field(ctx.query, "name") + ".");
  if (Field(ctx.query, "view") == "month") return ShowMonth(ctx, *page, *components, d);
  return ShowList(ctx, *page, *components, d);
}

// --- the form: /admin/maintenance/new and /admin/maintenance/{id} --------------------------------

struct FormState {
  int status = 200;
  std::vector<FieldError> errors;
  std::string confirm;  // "cancel" or "complete": the confirmation step
};

// The form's fields: what was typed (after an error) or the maintenance's values.
void FillForm(const ScreenContext& ctx, mu::data& d, const model::Page& page,
              const std::vector<model::Component>& components, const model::Incident* m, bool retry) {
  auto typed = [&](const char* name, std::string fallback) { return retry ? Field(ctx.form, name) : fallback; };
  d.set("name", typed("name", m ? m->name : ""));
  d.set("body", typed("body", ""));
  d.set("start", typed("start", m ? FormatLocalDateTime(*m->scheduled_for, page.time_zone) : ""));
  d.set("end", typed("end", m ? FormatLocalDateTime(*m->scheduled_until, page.time_zone) : ""));
  d.set("auto", retry ? !Field(ctx.form, "auto").empty() : !m || m->scheduled_auto_transition);
  d.set("notify", retry ? !Field(ctx.form, "notify").empty() : true);
  mu::data boxes{mu::data::type::list}, affected{mu::data::type::list};
  for (const auto& c : components) {
    if (c.is_group) continue;
    const bool already = m && std::any_of(m->components.begin(), m->components.end(),
                                          [&](const auto& a) { return a.component_id == c.id; });
    mu::data box;
    box.set("id", c.id);
    box.set("name", c.name);
    for (const auto& g : components)
      if (g.is_group && g.id == c.group_id) box.set("group", g.name);
    if (already) {
      affected.push_back(box);
      continue;
    }
    if (retry && !Field(ctx.form, "component_" + c.id).empty()) box.set("checked", true);
    boxes.push_back(box);
  }
  d.set("component_boxes", boxes);
  d.set("has_component_boxes", !boxes.is_empty_list());
  d.set("affected", affected);
  d.set("has_affected", !affected.is_empty_list());
}

http::Response ShowForm(const ScreenContext& ctx, const model::Page& page,
                        const std::vector<model::Component>& components, const model::Incident* m,
                        const FormState& state) {
  mu::data d;
  d.set("page_id", page.id);
  d.set("time_zone", page.time_zone);
  d.set("list_href", Base(page));
  d.set("can_schedule", ctx.Can(Permission::kScheduleMaintenance));
  d.set("action_path", m ? "/admin/maintenance/" + m->id : std::string("/admin/maintenance/new"));
  d.set("creating", m == nullptr);
  const bool retry = !state.errors.empty();
  FillForm(ctx, d, page, components, m, retry && state.confirm.empty());
  if (m) {
    d.set("id", m->id);
    d.set("current_name", m->name);
    d.set("status", StatusLabel(*m));
    d.set("status_value", std::string(model::ToString(m->status)));
    d.set("window", When(*m->scheduled_for, page) + " to " + When(*m->scheduled_until, page));
    d.set("open", IsOpen(*m));
    d.set("can_cancel", CanCancel(*m));
    d.set("can_complete", CanComplete(*m));
    d.set("components_text", ComponentNames(*m, components));
    d.set("self_href", "/admin/maintenance/" + m->id + "?page=" + QueryEscape(page.id));
    mu::data updates{mu::data::type::list};
    for (const auto& u : m->updates) {
      mu::data row;
      row.set("status", m->status == IncidentStatus::kResolved && u.status == IncidentStatus::kResolved
                            ? std::string("Cancelled")
                            : std::string(model::Label(u.status)));
      row.set("when", When(u.display_at, page));
      row.set("when_iso", FormatIso8601(u.display_at));
      row.set("body", u.body);
      row.set("internal", u.internal);
      updates.push_back(row);
    }
    d.set("updates", updates);
    const std::string done = Field(ctx.query, "done");
    if (done == "scheduled") d.set("notice", "Scheduled " + m->name + ".");
    if (done == "saved") d.set("notice", "Saved " + m->name + ".");
    if (done == "completed") d.set("notice", m->name + " is completed.");
    std::string confirm = state.confirm.empty() ? Field(ctx.query, "confirm") : state.confirm;
    if (ctx.Can(Permission::kScheduleMaintenance) &&
        ((confirm == "cancel" && CanCancel(*m)) || (confirm == "complete" && CanComplete(*m)))) {
      d.set("confirm", true);
      d.set("confirm_cancel", confirm == "cancel");
      d.set("confirm_action", confirm);
      d.set("confirm_text", retry ? Field(ctx.form, "body") : confirm == "cancel" ? kCancelText : kCompleteText);
    }
  }
  const bool confirming = m && d.get("confirm") != nullptr;
  d.set("show_form", ctx.Can(Permission::kScheduleMaintenance) && !confirming && (!m || IsOpen(*m)));
  SetFieldErrors(d, state.errors, "m-");
  const std::string title = m ? "Maintenance: " + m->name : std::string("Schedule maintenance");
  return ctx.Page(state.status, title, "maintenance_form", d);
}

// The form's fields as IncidentInput; errors name the form's fields.
std::vector<FieldError> ReadForm(const ScreenContext& ctx, const model::Page& page,
                                 const std::vector<model::Component>& components, const model::Incident* m,
                                 service::IncidentInput& in) {
  std::vector<FieldError> errors;
  in.name = Field(ctx.form, "name");
  if (Trim(*in.name).empty()) errors.push_back({"name", "Give the maintenance a title."});
  const std::string body = Field(ctx.form, "body");
  if (!m || !Trim(body).empty()) in.body = body;
  in.deliver_notifications = !Field(ctx.form, "notify").empty();
  in.scheduled_auto_transition = !Field(ctx.form, "auto").empty();
  const std::string example = "like " + FormatLocalDateTime(ctx.deps.clock.Now() + 24 * 3600 * 1000, page.time_zone);
  in.scheduled_for = ParseLocalDateTime(Trim(Field(ctx.form, "start")), page.time_zone);
  if (!in.scheduled_for) errors.push_back({"start", "Give the start as a date and time, " + example + "."});
  in.scheduled_until = ParseLocalDateTime(Trim(Field(ctx.form, "end")), page.time_zone);
  if (!in.scheduled_until) {
    errors.push_back({"end", "Give the end as a date and time, " + example + "."});
  } else if (in.scheduled_for && *in.scheduled_until <= *in.scheduled_for) {
    errors.push_back({"end", "The end must be after the start."});
  } else if (!m && *in.scheduled_until <= ctx.deps.clock.Now()) {
    errors.push_back({"end", "The end is in the past: a maintenance window must end in the future."});
  }
  std::vector<std::string> ids;
  for (const auto& c : components)
    if (!c.is_group && !Field(ctx.form, "component_" + c.id).empty()) ids.push_back(c.id);
  if (!ids.empty()) in.component_ids = ids;
  return errors;
}

// The service's field names as the form's.
const std::vector<std::pair<std::string, std::string>> kFormFields = {
    {"scheduled_for", "start"}, {"scheduled_until", "end"}, {"component_ids", "components"}};

struct Loaded {
  model::Page page;
  std::vector<model::Component> components;
  std::optional<model::Incident> maintenance;  // for /admin/maintenance/{id}
};

std::variant<Loaded, http::Response> Load(const ScreenContext& ctx, bool one) {
  auto page = ctx.CurrentPage();
  if (!page) return ctx.Message(404, "Maintenance", page.error().message);
  auto components = ctx.deps.store.ListComponents(page->id);
  if (!components) return Unavailable(ctx);
  Loaded l{*page, *components, std::nullopt};
  if (!one) return l;
  auto m = ctx.deps.store.GetIncident(page->id, ctx.Param("id"));
  if (!m && m.error().code != ErrorCode::kNotFound) return Unavailable(ctx);
  if (!m || !m->is_maintenance())
    return ctx.Message(404, "Not found", "There is no maintenance " + ctx.Param("id") + " on " + page->name + ".");
  l.maintenance = *m;
  return l;
}

http::Response GetNew(const ScreenContext& ctx) {
  auto loaded = Load(ctx, false);
  if (auto* r = std::get_if<http::Response>(&loaded)) return *r;
  const auto& l = std::get<Loaded>(loaded);
  return ShowForm(ctx, l.page, l.components, nullptr, {});
}

http::Response PostNew(const ScreenContext& ctx) {
  auto loaded = Load(ctx, false);
  if (auto* r = std::get_if<http::Response>(&loaded)) return *r;
  const auto& l = std::get<Loaded>(loaded);
  service::IncidentInput in;
  in.type = model::NoticeType::kMaintenance;
  auto errors = ReadForm(ctx, l.page, l.components, nullptr, in);
  if (!errors.empty()) return ShowForm(ctx, l.page, l.components, nullptr, {422, errors, ""});
  auto made = Service(ctx).Create(l.page.id, in);
  if (!made) {
    if (!IsInputError(made.error())) return Unavailable(ctx);
    return ShowForm(ctx, l.page, l.components, nullptr, {422, {FromError(made.error(), kFormFields)}, ""});
  }
  ctx.write = {"incident.create", "incident", made->id, l.page.id, ""};
  return Redirect("/admin/maintenance/" + made->id + "?page=" + QueryEscape(l.page.id) + "&done=scheduled");
}

http::Response GetOne(const ScreenContext& ctx) {
  auto loaded = Load(ctx, true);
  if (auto* r = std::get_if<http::Response>(&loaded)) return *r;
  const auto& l = std::get<Loaded>(loaded);
  return ShowForm(ctx, l.page, l.components, &*l.maintenance, {});
}

http::Response PostOne(const ScreenContext& ctx) {
  auto loaded = Load(ctx, true);
  if (auto* r = std::get_if<http::Response>(&loaded)) return *r;
  const auto& [page, components, found] = std::get<Loaded>(loaded);
  const model::Incident& m = *found;
  const std::string action = Field(ctx.form, "action");
  const std::string self = "/admin/maintenance/" + m.id + "?page=" + QueryEscape(page.id);
  service::IncidentInput in;
  if (action == "cancel" || action == "complete") {
    const bool cancel = action == "cancel";
    if (cancel ? !CanCancel(m) : !CanComplete(m))
      return ShowForm(
          ctx, page, components, &m,
          {409,
           {{"", cancel ? "Only maintenance that has not started can be cancelled; it is " + StatusLabel(m) + "."
                        : "Only maintenance in progress can be completed early; it is " + StatusLabel(m) + "."}},
           ""});
    in.status = cancel ? IncidentStatus::kResolved : IncidentStatus::kCompleted;
    in.body = Field(ctx.form, "body");
    in.deliver_notifications = !Field(ctx.form, "notify").empty();
    if (Trim(*in.body).empty())
      return ShowForm(ctx, page, components, &m, {422, {{"body", "Say what happened in a short message."}}, action});
  } else if (action == "save") {
    auto errors = ReadForm(ctx, page, components, &m, in);
    if (!errors.empty()) return ShowForm(ctx, page, components, &m, {422, errors, ""});
  } else {
    return ShowForm(ctx, page, components, &m, {422, {{"", "Unknown action."}}, ""});
  }
  auto saved = Service(ctx).Update(page.id, m.id, in);
  if (!saved) {
    if (!IsInputError(saved.error())) return Unavailable(ctx);
    return ShowForm(ctx, page, components, &m,
                    {422, {FromError(saved.error(), kFormFields)}, action == "save" ? "" : action});
  }
  ctx.write = {
      "incident.update", "incident", m.id, page.id,
      ChangesJson(m.id,
                  {{"name", m.name, saved->name},
                   {"status", std::string(model::ToString(m.status)), std::string(model::ToString(saved->status))},
                   {"scheduled_for", FormatIso8601(*m.scheduled_for), FormatIso8601(*saved->scheduled_for)},
                   {"scheduled_until", FormatIso8601(*m.scheduled_until), FormatIso8601(*saved->scheduled_until)}})};
  if (action == "cancel") return Redirect(Base(page) + "&done=cancelled&name=" + QueryEscape(m.name));
  return Redirect(self + (action == "complete" ? "&done=completed" : "&done=saved"));
}

}  // namespace

ScreenDescriptor MaintenanceScreen() {
  return {"/admin/maintenance", "Maintenance", Permission::kReadPublic, GetList, nullptr, std::nullopt};
}

ScreenDescriptor MaintenanceNewScreen() {
  return {"/admin/maintenance/new", "", Permission::kScheduleMaintenance, GetNew, PostNew, std::nullopt};
}

ScreenDescriptor MaintenanceOneScreen() {
  return {"/admin/maintenance/{id}", "", Permission::kReadPublic, GetOne, PostOne, Permission::kScheduleMaintenance};
}

}  // namespace herald::console

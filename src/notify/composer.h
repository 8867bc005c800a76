// Composer: from an outbox event to the Message each subscriber receives. An EventContext is
// loaded once per event (page, incident and the update announced, components, the Statuspage
// webhook document); Compose then renders the templates for one subscriber: their language, time
// zone, detail level, segment variant and channel. Matches decides who hears about an event at
// all (components followed, event types wanted).
//
// Thread safety: EventContext is immutable once loaded; the functions are pure apart from
// LoadEventContext, which reads the store (blocking: call it on a worker thread).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/model.h"
#include "model/subscriber.h"
#include "notify/links.h"
#include "notify/message.h"
#include "notify/templates.h"
#include "store/status_store.h"

namespace herald::notify {

struct EventContext {
  model::OutboxEvent event;
  model::Page page;
  std::string page_url;  // absolute, ends with '/'
  // Template family: "incident", "maintenance", "notice" (security, policy, product) or
  // "component" (a component's status changed outside an incident).
  std::string family;
  std::string message_kind;  // Message::kind: "incident.updated", "maintenance.scheduled", ...
  std::optional<model::Incident> incident;
  std::optional<model::IncidentUpdate> update;  // the update this event announced
  std::optional<model::Component> component;    // component events
  model::ComponentStatus old_status = model::ComponentStatus::kOperational;
  std::map<std::string, model::Component> components;  // the page's components by id
  std::set<std::string> affected_ids;                  // affected components and their groups
  unsigned want_bit = model::kWantIncidents;           // the Subscriber::event_types bit
  bool critical = false;                               // ignores quiet hours
  std::string webhook_json;                            // Statuspage webhook document, without meta
};

// The context for `event`, or nullopt when the event notifies nobody (internal notes, updates
// posted without notifications, page edits, ...).
Result<std::optional<EventContext>> LoadEventContext(store::StatusStore& store, const model::OutboxEvent& event,
                                                     const std::string& public_url);

// The context of an incident event from what LoadEventContext reads: the page, its components and
// its unresolved incidents as of the event, the incident (with every update) and the update the
// event announces. Pure: LoadEventContext uses it, and so does the composer's preview of an
// incident that is not written yet (service/preview.h), so that both say the same.
EventContext IncidentEventContext(const model::OutboxEvent& event, const model::Page& page,
                                  const std::string& public_url, const std::vector<model::Component>& components,
                                  std::vector<model::Incident> unresolved, model::Incident incident,
                                  const model::IncidentUpdate& update);

// The public page's absolute URL, ending with '/': "/" for the default page, "/pages/{slug}/".
std::string PageUrl(const std::string& public_url, const model::Page& page);

// Whether this subscriber should hear about the event: active, wants this event type, follows
// an affected component (or the whole page), and, for component-only events, uses a machine
// channel (webhook, chat) as Statuspage does.
bool Matches(const EventContext& ctx, const model::Subscriber& subscriber);

// The update text this subscriber gets: the variant for their segment, else for their detail
// level, else the body.
std::string ChooseBody(const model::IncidentUpdate& update, const model::Subscriber& subscriber);

// Renders the message. `message_id` is the delivery's idempotency key.
Result<Message> Compose(const EventContext& ctx, const model::Subscriber& subscriber,
                        const TemplateOverrides& overrides, const LinkSigner& links, const std::string& message_id);

// The variables Compose gives templates (for previews and the docs).
TemplateVars EventVars(const EventContext& ctx, const model::Subscriber& subscriber);

// A message that is not about an event: "confirm" (double opt-in, with `extra` holding
// confirm_url or code), "test" (chat and webhook subscriptions), "disabled" (owner notice).
Result<Message> ComposeSystemMessage(std::string_view family, const model::Page& page, const std::string& page_url,
                                     const model::Subscriber& subscriber, const TemplateOverrides& overrides,
                                     const TemplateVars& extra, const std::string& message_id, TimeMs now);

// The delivery id (idempotency key) of an event's message to a subscriber.
std::string DeliveryId(std::int64_t event_id, const std::string& subscriber_id);

}  // namespace herald::notify

#include "service/preview.h"

#include <algorithm>
#include <map>

#include "notify/composer.h"
#include "notify/discord/discord_channel.h"
#include "notify/email/body.h"
#include "notify/links.h"
#include "notify/mattermost/mattermost_channel.h"
#include "notify/slack/slack_channel.h"
#include "notify/sms/sms_channel.h"
#include "notify/teams/teams_channel.h"
#include "notify/templates.h"
#include "notify/webhook/webhook_channel.h"
#include "page/render.h"

namespace herald::service {
namespace {

using model::ChannelKind;

// The channels whose messages the composer shows (web push is a notification the browser draws
// from the subject and short text, which the other channels already show).
constexpr ChannelKind kPreviewed[] = {ChannelKind::kEmail,     ChannelKind::kSms,   ChannelKind::kWebhook,
                                      ChannelKind::kSlack,     ChannelKind::kTeams, ChannelKind::kDiscord,
                                      ChannelKind::kMattermost};

// The channel's wire form of `m`, by the channel's own builder.
Result<ChannelPreview> WireForm(ChannelKind kind, notify::Message m, const std::string& language, TimeMs now) {
  ChannelPreview p;
  p.channel = kind;
  switch (kind) {
    case ChannelKind::kEmail:
      p.email_text = notify::email::RenderTextBody(m);
      p.email_html = notify::email::RenderHtmlBody(m, language);
      break;
    case ChannelKind::kSms:
      p.sms_text = notify::SmsMessageText(m, notify::SmsOptions{}.max_segments);
      p.sms_length = notify::MeasureSms(p.sms_text);
      break;
    case ChannelKind::kWebhook: {
      auto body = notify::BuildWebhookBody(m, now);
      if (!body) return body.error();
      p.payload_json = std::move(*body);
      break;
    }
    case ChannelKind::kSlack: p.payload_json = notify::BuildSlackPayload(m); break;
    case ChannelKind::kTeams: p.payload_json = notify::BuildTeamsPayload(m); break;
    case ChannelKind::kDiscord: p.payload_json = notify::BuildDiscordPayload(m); break;
    case ChannelKind::kMattermost: p.payload_json = notify::BuildMattermostPayload(m); break;
    case ChannelKind::kWebPush: break;
  }
  p.message = std::move(m);
  return p;
}

}  // namespace

Result<IncidentPreview> PreviewIncident(const PreviewDeps& deps, const std::string& page_id,
                                        const std::optional<std::string>& incident_id, const IncidentInput& in) {
  IncidentService incidents(Deps{deps.store, deps.clock, [] {}});
  auto planned = incident_id ? incidents.PlanUpdate(page_id, *incident_id, in) : incidents.PlanCreate(page_id, in);
  if (!planned) return planned.error();
  const store::IncidentWrite& write = planned->write;
  if (write.new_updates.empty())
    return Error::Invalid("body", "this change adds no update to announce; give a body or a status");
  const model::IncidentUpdate& update = write.new_updates.front();
  auto page = deps.store.GetPage(page_id);
  if (!page) return page.error();
  const TimeMs now = deps.clock.Now();

  // The page as the event would leave it: the planned status changes applied, the other open
  // incidents as they are.
  auto components = deps.store.ListComponents(page->id);
  if (!components) return components.error();
  for (const auto& change : write.status_changes)
    for (auto& c : *components)
      if (c.id == change.component_id) c.status = change.status;
  store::IncidentFilter open;
  open.unresolved_only = true;
  open.include_internal_updates = false;
  auto unresolved = deps.store.ListIncidents(page->id, open);
  if (!unresolved) return unresolved.error();

  IncidentPreview out;
  out.incident = planned->incident;
  out.notifies = update.deliver_notifications && !update.internal;
  const auto ctx = notify::IncidentEventContext(write.event, *page, deps.public_url, *components, *unresolved,
                                                planned->incident, update);
  out.message_kind = ctx.message_kind;

  page::SiteInput site;
  site.page = *page;
  site.components = *components;
  site.now = now;
  site.base_path = page->is_default ? "/" : "/pages/" + page->slug + "/";
  site.public_url = deps.public_url;
  model::Incident shown = planned->incident;
  std::erase_if(shown.updates, [](const model::IncidentUpdate& u) { return u.internal; });
  out.card_html = page::RenderIncidentCard(site, shown);

  auto languages = deps.store.ListSubscriberLanguages(page->id);
  if (!languages) return languages.error();
  out.languages_in_use = *languages;
  std::vector<std::string> shown_languages = *languages;
  if (shown_languages.empty()) shown_languages.emplace_back(notify::kDefaultLanguage);

  auto stored = deps.store.ListTemplates(page->id);
  if (!stored) return stored.error();
  notify::TemplateOverrides overrides;
  for (const auto& t : *stored) overrides[t.key] = t.body;
  const auto links = notify::LinkSigner::Placeholder(deps.public_url);
  for (const auto& language : shown_languages) {
    LanguagePreview lp;
    lp.language = language;
    for (ChannelKind kind : kPreviewed) {
      model::Subscriber s;
      s.id = "preview";
      s.page_id = page->id;
      s.channel = kind;
      s.language = language;
      s.state = model::SubscriberState::kActive;
      auto m = notify::Compose(ctx, s, overrides, links, "preview");
      if (!m) return m.error();
      auto wire = WireForm(kind, std::move(*m), language, now);
      if (!wire) return wire.error();
      lp.channels.push_back(std::move(*wire));
    }
    out.languages.push_back(std::move(lp));
  }
  return out;
}

}  // namespace herald::service

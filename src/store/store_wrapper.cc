#include "store/store_wrapper.h"

namespace herald::store {

// The method's name comes from the call itself, so OnCall's name and the forwarded method agree.
#define HERALD_FORWARD(method, ...) Forward(#method, [&] { return target_.method(__VA_ARGS__); })

Status StoreWrapper::OnCall(std::string_view) { return {}; }

std::string StoreWrapper::BackendName() const { return target_.BackendName(); }
Result<std::vector<model::Page>> StoreWrapper::ListPages() { return HERALD_FORWARD(ListPages); }
Result<model::Page> StoreWrapper::GetPage(const std::string& id_or_slug) { return HERALD_FORWARD(GetPage, id_or_slug); }
Status StoreWrapper::SavePage(const model::Page& page, const model::OutboxEvent& event) {
  return HERALD_FORWARD(SavePage, page, event);
}
Result<std::vector<model::Component>> StoreWrapper::ListComponents(const std::string& page_id) {
  return HERALD_FORWARD(ListComponents, page_id);
}
Result<model::Component> StoreWrapper::GetComponent(const std::string& page_id, const std::string& id) {
  return HERALD_FORWARD(GetComponent, page_id, id);
}
Status StoreWrapper::SaveComponent(const model::Component& component, const std::optional<model::StatusChange>& change,
                                   const model::OutboxEvent& event) {
  return HERALD_FORWARD(SaveComponent, component, change, event);
}
Status StoreWrapper::DeleteComponent(const std::string& page_id, const std::string& id,
                                     const model::OutboxEvent& event) {
  return HERALD_FORWARD(DeleteComponent, page_id, id, event);
}
Result<std::vector<model::StatusChange>> StoreWrapper::StatusHistory(const std::string& page_id, TimeMs since) {
  return HERALD_FORWARD(StatusHistory, page_id, since);
}
Result<std::vector<model::Incident>> StoreWrapper::ListIncidents(const std::string& page_id,
                                                                 const IncidentFilter& filter) {
  return HERALD_FORWARD(ListIncidents, page_id, filter);
}
Result<model::Incident> StoreWrapper::GetIncident(const std::string& page_id, const std::string& id) {
  return HERALD_FORWARD(GetIncident, page_id, id);
}
Status StoreWrapper::SaveIncident(const IncidentWrite& write) { return HERALD_FORWARD(SaveIncident, write); }
Status StoreWrapper::DeleteIncident(const std::string& page_id, const std::string& id,
                                    const model::OutboxEvent& event) {
  return HERALD_FORWARD(DeleteIncident, page_id, id, event);
}
Status StoreWrapper::SaveIncidentUpdate(const model::IncidentUpdate& update, const model::OutboxEvent& event) {
  return HERALD_FORWARD(SaveIncidentUpdate, update, event);
}
Result<std::vector<model::OutboxEvent>> StoreWrapper::ReadOutbox(std::int64_t after_id, int limit) {
  return HERALD_FORWARD(ReadOutbox, after_id, limit);
}
Result<std::int64_t> StoreWrapper::LastOutboxId() { return HERALD_FORWARD(LastOutboxId); }
Result<model::OutboxEvent> StoreWrapper::GetOutboxEvent(std::int64_t id) { return HERALD_FORWARD(GetOutboxEvent, id); }
Status StoreWrapper::SaveSubscriber(const model::Subscriber& subscriber) {
  return HERALD_FORWARD(SaveSubscriber, subscriber);
}
Result<model::Subscriber> StoreWrapper::GetSubscriber(const std::string& page_id, const std::string& id) {
  return HERALD_FORWARD(GetSubscriber, page_id, id);
}
Result<std::optional<model::Subscriber>> StoreWrapper::FindSubscriber(const std::string& page_id,
                                                                      model::ChannelKind channel,
                                                                      const std::string& address) {
  return HERALD_FORWARD(FindSubscriber, page_id, channel, address);
}
Result<std::vector<model::Subscriber>> StoreWrapper::ListSubscribers(const std::string& page_id,
                                                                     const SubscriberFilter& filter) {
  return HERALD_FORWARD(ListSubscribers, page_id, filter);
}
Result<std::int64_t> StoreWrapper::CountSubscribers(const std::string& page_id) {
  return HERALD_FORWARD(CountSubscribers, page_id);
}
Status StoreWrapper::DeleteSubscriber(const std::string& page_id, const std::string& id) {
  return HERALD_FORWARD(DeleteSubscriber, page_id, id);
}
Result<std::int64_t> StoreWrapper::ImportSubscribers(const std::vector<model::Subscriber>& subscribers) {
  return HERALD_FORWARD(ImportSubscribers, subscribers);
}
Result<std::int64_t> StoreWrapper::PurgePendingSubscribers(TimeMs created_before) {
  return HERALD_FORWARD(PurgePendingSubscribers, created_before);
}
Result<std::vector<model::Subscriber>> StoreWrapper::StreamSubscribers(const std::string& page_id, bool has_cursor,
                                                                       int cursor_priority,
                                                                       const std::string& cursor_id, int limit) {
  return HERALD_FORWARD(StreamSubscribers, page_id, has_cursor, cursor_priority, cursor_id, limit);
}
Status StoreWrapper::CreateDispatchJobs(const std::vector<model::DispatchJob>& jobs, const std::string& cursor_key,
                                        std::int64_t outbox_cursor) {
  return HERALD_FORWARD(CreateDispatchJobs, jobs, cursor_key, outbox_cursor);
}
Result<std::optional<model::DispatchJob>> StoreWrapper::ClaimDispatchJob(const std::string& owner, TimeMs now,
                                                                         TimeMs lease_until) {
  return HERALD_FORWARD(ClaimDispatchJob, owner, now, lease_until);
}
Status StoreWrapper::CommitDispatchBatch(const DispatchBatch& batch) {
  return HERALD_FORWARD(CommitDispatchBatch, batch);
}
Result<std::vector<model::Delivery>> StoreWrapper::ClaimDueDeliveries(TimeMs now, TimeMs lease_until, int limit) {
  return HERALD_FORWARD(ClaimDueDeliveries, now, lease_until, limit);
}
Status StoreWrapper::FinishAttempts(const std::vector<AttemptRecord>& records) {
  return HERALD_FORWARD(FinishAttempts, records);
}
Result<std::vector<DeliveryCount>> StoreWrapper::CountDeliveries(const std::string& page_id,
                                                                 const std::string& incident_id) {
  return HERALD_FORWARD(CountDeliveries, page_id, incident_id);
}
Result<std::vector<model::Delivery>> StoreWrapper::ListDeliveries(const std::string& page_id,
                                                                  const std::string& subscriber_id, int limit) {
  return HERALD_FORWARD(ListDeliveries, page_id, subscriber_id, limit);
}
Result<std::vector<model::TemplateOverride>> StoreWrapper::ListTemplates(const std::string& page_id) {
  return HERALD_FORWARD(ListTemplates, page_id);
}
Status StoreWrapper::SaveTemplate(const model::TemplateOverride& t) { return HERALD_FORWARD(SaveTemplate, t); }
Status StoreWrapper::DeleteTemplate(const std::string& page_id, const std::string& key) {
  return HERALD_FORWARD(DeleteTemplate, page_id, key);
}
Status StoreWrapper::SaveMonitor(const model::Monitor& monitor) { return HERALD_FORWARD(SaveMonitor, monitor); }
Result<model::Monitor> StoreWrapper::GetMonitor(const std::string& page_id, const std::string& id) {
  return HERALD_FORWARD(GetMonitor, page_id, id);
}
Result<std::vector<model::Monitor>> StoreWrapper::ListMonitors(const std::string& page_id) {
  return HERALD_FORWARD(ListMonitors, page_id);
}
Status StoreWrapper::DeleteMonitor(const std::string& page_id, const std::string& id) {
  return HERALD_FORWARD(DeleteMonitor, page_id, id);
}
Result<std::optional<model::Monitor>> StoreWrapper::FindMonitorByHeartbeat(const std::string& token_hash) {
  return HERALD_FORWARD(FindMonitorByHeartbeat, token_hash);
}
Status StoreWrapper::RecordHeartbeat(const std::string& monitor_id, TimeMs at) {
  return HERALD_FORWARD(RecordHeartbeat, monitor_id, at);
}
Status StoreWrapper::RecordMonitorResults(const MonitorResultsWrite& write) {
  return HERALD_FORWARD(RecordMonitorResults, write);
}
Result<std::vector<model::MonitorSample>> StoreWrapper::ListMonitorSamples(const std::string& monitor_id, TimeMs since,
                                                                           int limit) {
  return HERALD_FORWARD(ListMonitorSamples, monitor_id, since, limit);
}
Result<std::vector<model::MonitorRollup>> StoreWrapper::ListMonitorRollups(const std::string& page_id,
                                                                           const std::string& monitor_id,
                                                                           char granularity, TimeMs since) {
  return HERALD_FORWARD(ListMonitorRollups, page_id, monitor_id, granularity, since);
}
Result<std::int64_t> StoreWrapper::PruneMonitorData(TimeMs samples_before, TimeMs minutes_before, TimeMs days_before) {
  return HERALD_FORWARD(PruneMonitorData, samples_before, minutes_before, days_before);
}
Result<std::vector<model::AutomationRule>> StoreWrapper::ListAutomationRules(const std::string& page_id) {
  return HERALD_FORWARD(ListAutomationRules, page_id);
}
Status StoreWrapper::SaveAutomationRule(const model::AutomationRule& rule) {
  return HERALD_FORWARD(SaveAutomationRule, rule);
}
Status StoreWrapper::DeleteAutomationRule(const std::string& page_id, const std::string& component_id) {
  return HERALD_FORWARD(DeleteAutomationRule, page_id, component_id);
}
Status StoreWrapper::SaveIncidentDraft(const model::IncidentDraft& draft) {
  return HERALD_FORWARD(SaveIncidentDraft, draft);
}
Result<model::IncidentDraft> StoreWrapper::GetIncidentDraft(const std::string& page_id, const std::string& id) {
  return HERALD_FORWARD(GetIncidentDraft, page_id, id);
}
Result<std::vector<model::IncidentDraft>> StoreWrapper::ListIncidentDrafts(const std::string& page_id,
                                                                           bool waiting_only) {
  return HERALD_FORWARD(ListIncidentDrafts, page_id, waiting_only);
}
Status StoreWrapper::SaveAlertTarget(const model::AlertTarget& target) {
  return HERALD_FORWARD(SaveAlertTarget, target);
}
Result<std::vector<model::AlertTarget>> StoreWrapper::ListAlertTargets(const std::string& page_id) {
  return HERALD_FORWARD(ListAlertTargets, page_id);
}
Status StoreWrapper::DeleteAlertTarget(const std::string& page_id, const std::string& id) {
  return HERALD_FORWARD(DeleteAlertTarget, page_id, id);
}
Status StoreWrapper::AddStaffAlerts(const std::vector<model::StaffAlert>& alerts) {
  return HERALD_FORWARD(AddStaffAlerts, alerts);
}
Result<std::vector<model::StaffAlert>> StoreWrapper::ClaimDueStaffAlerts(TimeMs now, TimeMs lease_until, int limit) {
  return HERALD_FORWARD(ClaimDueStaffAlerts, now, lease_until, limit);
}
Status StoreWrapper::FinishStaffAlerts(const std::vector<model::StaffAlert>& alerts) {
  return HERALD_FORWARD(FinishStaffAlerts, alerts);
}
Result<std::vector<model::StaffAlert>> StoreWrapper::ListStaffAlerts(const std::string& page_id, int limit) {
  return HERALD_FORWARD(ListStaffAlerts, page_id, limit);
}
Result<std::optional<std::string>> StoreWrapper::GetSetting(const std::string& key) {
  return HERALD_FORWARD(GetSetting, key);
}
Result<std::string> StoreWrapper::InitSetting(const std::string& key, const std::string& value, TimeMs now) {
  return HERALD_FORWARD(InitSetting, key, value, now);
}
Status StoreWrapper::PutSetting(const std::string& key, const std::string& value, TimeMs now) {
  return HERALD_FORWARD(PutSetting, key, value, now);
}
Status StoreWrapper::SaveApiKey(const model::ApiKey& key) { return HERALD_FORWARD(SaveApiKey, key); }
Result<model::ApiKey> StoreWrapper::FindApiKeyByHash(const std::string& key_hash) {
  return HERALD_FORWARD(FindApiKeyByHash, key_hash);
}
Result<std::vector<model::ApiKey>> StoreWrapper::ListApiKeys() { return HERALD_FORWARD(ListApiKeys); }
Status StoreWrapper::DeleteApiKey(const std::string& id) { return HERALD_FORWARD(DeleteApiKey, id); }
Result<std::optional<model::IdempotencyRecord>> StoreWrapper::GetIdempotency(const std::string& key) {
  return HERALD_FORWARD(GetIdempotency, key);
}
Status StoreWrapper::PutIdempotency(const model::IdempotencyRecord& record) {
  return HERALD_FORWARD(PutIdempotency, record);
}
Status StoreWrapper::PurgeIdempotency(TimeMs older_than) { return HERALD_FORWARD(PurgeIdempotency, older_than); }
Status StoreWrapper::Migrate() { return HERALD_FORWARD(Migrate); }
Status StoreWrapper::Ping() { return HERALD_FORWARD(Ping); }

// ConsoleStore.
Result<std::vector<model::Subscriber>> StoreWrapper::PageSubscribers(const std::string& page_id,
                                                                     const SubscriberPageQuery& query) {
  return HERALD_FORWARD(PageSubscribers, page_id, query);
}
Result<std::vector<model::Incident>> StoreWrapper::PageIncidents(const std::string& page_id,
                                                                 const IncidentPageQuery& query) {
  return HERALD_FORWARD(PageIncidents, page_id, query);
}
Result<DeliveryHealth> StoreWrapper::CountDeliveryHealth(const std::string& page_id, TimeMs failed_since) {
  return HERALD_FORWARD(CountDeliveryHealth, page_id, failed_since);
}
Result<std::vector<MonitorFlips>> StoreWrapper::ListMonitorFlips(const std::string& page_id, TimeMs since,
                                                                 int min_flips) {
  return HERALD_FORWARD(ListMonitorFlips, page_id, since, min_flips);
}
Result<std::vector<std::string>> StoreWrapper::ListSubscriberLanguages(const std::string& page_id) {
  return HERALD_FORWARD(ListSubscriberLanguages, page_id);
}

// AuditStore.
Result<std::int64_t> StoreWrapper::AppendAudit(const model::AuditEntry& entry) {
  return HERALD_FORWARD(AppendAudit, entry);
}
Result<std::vector<model::AuditEntry>> StoreWrapper::ListAudit(const AuditFilter& filter) {
  return HERALD_FORWARD(ListAudit, filter);
}
Result<std::int64_t> StoreWrapper::PurgeAudit(TimeMs before, int max_rows) {
  return HERALD_FORWARD(PurgeAudit, before, max_rows);
}

// StaffStore.
Status StoreWrapper::SaveStaffUser(const model::StaffUser& user) { return HERALD_FORWARD(SaveStaffUser, user); }
Result<model::StaffUser> StoreWrapper::GetStaffUser(const std::string& id) { return HERALD_FORWARD(GetStaffUser, id); }
Result<std::optional<model::StaffUser>> StoreWrapper::FindStaffUserByEmail(const std::string& email) {
  return HERALD_FORWARD(FindStaffUserByEmail, email);
}
Result<std::vector<model::StaffUser>> StoreWrapper::ListStaffUsers() { return HERALD_FORWARD(ListStaffUsers); }
Status StoreWrapper::CreateStaffSession(const model::StaffSession& session) {
  return HERALD_FORWARD(CreateStaffSession, session);
}
Result<std::optional<model::StaffSession>> StoreWrapper::FindStaffSession(const std::string& id_hash) {
  return HERALD_FORWARD(FindStaffSession, id_hash);
}
Status StoreWrapper::TouchStaffSession(const std::string& id_hash, TimeMs last_seen_at) {
  return HERALD_FORWARD(TouchStaffSession, id_hash, last_seen_at);
}
Status StoreWrapper::DeleteStaffSession(const std::string& id_hash) {
  return HERALD_FORWARD(DeleteStaffSession, id_hash);
}
Result<std::int64_t> StoreWrapper::DeleteStaffSessionsOfUser(const std::string& user_id) {
  return HERALD_FORWARD(DeleteStaffSessionsOfUser, user_id);
}
Result<std::int64_t> StoreWrapper::PurgeStaffSessions(TimeMs idle_before, TimeMs created_before) {
  return HERALD_FORWARD(PurgeStaffSessions, idle_before, created_before);
}
Status StoreWrapper::SaveStaffInvite(const model::StaffInvite& invite) {
  return HERALD_FORWARD(SaveStaffInvite, invite);
}
Result<std::optional<model::StaffInvite>> StoreWrapper::FindStaffInvite(const std::string& token_hash) {
  return HERALD_FORWARD(FindStaffInvite, token_hash);
}
Result<model::StaffUser> StoreWrapper::AcceptStaffInvite(const std::string& token_hash, TimeMs now,
                                                         const std::string& password_hash) {
  return HERALD_FORWARD(AcceptStaffInvite, token_hash, now, password_hash);
}
Result<model::SignInFailures> StoreWrapper::RecordSignInFailure(const std::string& key, TimeMs now, TimeMs window_ms) {
  return HERALD_FORWARD(RecordSignInFailure, key, now, window_ms);
}
Result<std::optional<model::SignInFailures>> StoreWrapper::GetSignInFailures(const std::string& key) {
  return HERALD_FORWARD(GetSignInFailures, key);
}
Status StoreWrapper::ClearSignInFailures(const std::string& key) { return HERALD_FORWARD(ClearSignInFailures, key); }
Status StoreWrapper::SaveStaffSecondFactor(const model::StaffSecondFactor& factor,
                                           const std::optional<std::vector<std::string>>& recovery_hashes) {
  return HERALD_FORWARD(SaveStaffSecondFactor, factor, recovery_hashes);
}
Result<std::optional<model::StaffSecondFactor>> StoreWrapper::GetStaffSecondFactor(const std::string& user_id) {
  return HERALD_FORWARD(GetStaffSecondFactor, user_id);
}
Status StoreWrapper::DeleteStaffSecondFactor(const std::string& user_id) {
  return HERALD_FORWARD(DeleteStaffSecondFactor, user_id);
}
Result<bool> StoreWrapper::UseStaffTotpStep(const std::string& user_id, std::int64_t step) {
  return HERALD_FORWARD(UseStaffTotpStep, user_id, step);
}
Result<bool> StoreWrapper::UseStaffRecoveryCode(const std::string& user_id, const std::string& code_hash) {
  return HERALD_FORWARD(UseStaffRecoveryCode, user_id, code_hash);
}
Result<std::int64_t> StoreWrapper::CountStaffRecoveryCodes(const std::string& user_id) {
  return HERALD_FORWARD(CountStaffRecoveryCodes, user_id);
}

// IncidentTemplateStore.
Result<std::vector<model::IncidentTemplate>> StoreWrapper::ListIncidentTemplates(const std::string& page_id) {
  return HERALD_FORWARD(ListIncidentTemplates, page_id);
}
Result<model::IncidentTemplate> StoreWrapper::GetIncidentTemplate(const std::string& page_id, const std::string& id) {
  return HERALD_FORWARD(GetIncidentTemplate, page_id, id);
}
Status StoreWrapper::SaveIncidentTemplate(const model::IncidentTemplate& t) {
  return HERALD_FORWARD(SaveIncidentTemplate, t);
}
Status StoreWrapper::DeleteIncidentTemplate(const std::string& page_id, const std::string& id) {
  return HERALD_FORWARD(DeleteIncidentTemplate, page_id, id);
}

#undef HERALD_FORWARD

}  // namespace herald::store

// SqlStore: the one implementation of Store, on top of sql::Database, so both backends run the
// same queries and differ only in their driver (sqlite/, postgres/) and a small Dialect. Every
// Store method is one transaction: writes on the writer pool, multi-query reads in a read-only
// snapshot so that an incident and its updates are seen at one instant.
//
// Choices within Store's contracts, the same on both backends:
// - A foreign key pointing nowhere (a component of a missing page or group, an incident naming a
//   missing component) is kNotFound; other constraint violations (e.g. an empty outbox kind) are
//   kInvalid; duplicates are kConflict, as is re-using an id that belongs to another page.
// - SaveIncidentUpdate corrects body, display_at, updated_at, next_update_at and
//   deliver_notifications; status, visibility and affected components are history and stay.
// - Text is compared bytewise where order matters (component names), never by the database's
//   collation, which differs between engines and PostgreSQL clusters.
//
// Thread safety: thread-safe, as Store requires; the Database serialises or pools connections.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sql/database.h"
#include "store/sql/query.h"
#include "store/store.h"

namespace herald::store {

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<sql::Database> db) : db_(std::move(db)) {}

  Status Migrate() override;
  Status Ping() override;
  std::string BackendName() const override { return std::string(db_->dialect().name); }

  Result<std::vector<model::Page>> ListPages() override;
  Result<model::Page> GetPage(const std::string& id_or_slug) override;
  Status SavePage(const model::Page& page, const model::OutboxEvent& event) override;

  Result<std::vector<model::Component>> ListComponents(const std::string& page_id) override;
  Result<model::Component> GetComponent(const std::string& page_id, const std::string& id) override;
  Status SaveComponent(const model::Component& component, const std::optional<model::StatusChange>& change,
                       const model::OutboxEvent& event) override;
  Status DeleteComponent(const std::string& page_id, const std::string& id, const model::OutboxEvent& event) override;
  Result<std::vector<model::StatusChange>> StatusHistory(const std::string& page_id, TimeMs since) override;

  Result<std::vector<model::Incident>> ListIncidents(const std::string& page_id, const IncidentFilter& filter) override;
  Result<model::Incident> GetIncident(const std::string& page_id, const std::string& id) override;
  Status SaveIncident(const IncidentWrite& write) override;
  Status DeleteIncident(const std::string& page_id, const std::string& id, const model::OutboxEvent& event) override;
  Status SaveIncidentUpdate(const model::IncidentUpdate& update, const model::OutboxEvent& event) override;

  Result<std::vector<model::OutboxEvent>> ReadOutbox(std::int64_t after_id, int limit) override;
  Result<std::int64_t> LastOutboxId() override;

  Status SaveApiKey(const model::ApiKey& key) override;
  Result<model::ApiKey> FindApiKeyByHash(const std::string& key_hash) override;
  Result<std::vector<model::ApiKey>> ListApiKeys() override;
  Status DeleteApiKey(const std::string& id) override;

  Result<std::optional<std::string>> GetSetting(const std::string& key) override;
  Result<std::string> InitSetting(const std::string& key, const std::string& value, TimeMs now) override;
  Status PutSetting(const std::string& key, const std::string& value, TimeMs now) override;
  Status SaveSubscriber(const model::Subscriber& subscriber) override;
  Result<model::Subscriber> GetSubscriber(const std::string& page_id, const std::string& id) override;
  Result<std::optional<model::Subscriber>> FindSubscriber(const std::string& page_id, model::ChannelKind channel,
                                                          const std::string& address) override;
  Result<std::vector<model::Subscriber>> ListSubscribers(const std::string& page_id,
                                                         const SubscriberFilter& filter) override;
  Result<std::int64_t> CountSubscribers(const std::string& page_id) override;
  Status DeleteSubscriber(const std::string& page_id, const std::string& id) override;
  Result<std::int64_t> ImportSubscribers(const std::vector<model::Subscriber>& subscribers) override;
  Result<std::int64_t> PurgePendingSubscribers(TimeMs created_before) override;
  Result<std::vector<model::Subscriber>> StreamSubscribers(const std::string& page_id, bool has_cursor,
                                                           int cursor_priority, const std::string& cursor_id,
                                                           int limit) override;
  Status CreateDispatchJobs(const std::vector<model::DispatchJob>& jobs, const std::string& cursor_key,
                            std::int64_t outbox_cursor) override;
  Result<std::optional<model::DispatchJob>> ClaimDispatchJob(const std::string& owner, TimeMs now,
                                                             TimeMs lease_until) override;
  Status CommitDispatchBatch(const DispatchBatch& batch) override;
  Result<std::vector<model::Delivery>> ClaimDueDeliveries(TimeMs now, TimeMs lease_until, int limit) override;
  Status FinishAttempts(const std::vector<AttemptRecord>& records) override;
  Result<std::vector<DeliveryCount>> CountDeliveries(const std::string& page_id,
                                                     const std::string& incident_id) override;
  Result<std::vector<model::Delivery>> ListDeliveries(const std::string& page_id, const std::string& subscriber_id,
                                                      int limit) override;
  Result<model::OutboxEvent> GetOutboxEvent(std::int64_t id) override;
  Result<std::vector<model::TemplateOverride>> ListTemplates(const std::string& page_id) override;
  Status SaveTemplate(const model::TemplateOverride& t) override;
  Status DeleteTemplate(const std::string& page_id, const std::string& key) override;

  Result<std::optional<model::IdempotencyRecord>> GetIdempotency(const std::string& key) override;
  Status PutIdempotency(const model::IdempotencyRecord& record) override;
  Status PurgeIdempotency(TimeMs older_than) override;

  Status SaveMonitor(const model::Monitor& monitor) override;
  Result<model::Monitor> GetMonitor(const std::string& page_id, const std::string& id) override;
  Result<std::vector<model::Monitor>> ListMonitors(const std::string& page_id) override;
  Status DeleteMonitor(const std::string& page_id, const std::string& id) override;
  Result<std::optional<model::Monitor>> FindMonitorByHeartbeat(const std::string& token_hash) override;
  Status RecordHeartbeat(const std::string& monitor_id, TimeMs at) override;
  Status RecordMonitorResults(const MonitorResultsWrite& write) override;
  Result<std::vector<model::MonitorSample>> ListMonitorSamples(const std::string& monitor_id, TimeMs since,
                                                               int limit) override;
  Result<std::vector<model::MonitorRollup>> ListMonitorRollups(const std::string& page_id,
                                                               const std::string& monitor_id, char granularity,
                                                               TimeMs since) override;
  Result<std::int64_t> PruneMonitorData(TimeMs samples_before, TimeMs minutes_before, TimeMs days_before) override;
  Result<std::vector<model::AutomationRule>> ListAutomationRules(const std::string& page_id) override;
  Status SaveAutomationRule(const model::AutomationRule& rule) override;
  Status DeleteAutomationRule(const std::string& page_id, const std::string& component_id) override;
  Status SaveIncidentDraft(const model::IncidentDraft& draft) override;
  Result<model::IncidentDraft> GetIncidentDraft(const std::string& page_id, const std::string& id) override;
  Result<std::vector<model::IncidentDraft>> ListIncidentDrafts(const std::string& page_id, bool waiting_only) override;
  Status SaveAlertTarget(const model::AlertTarget& target) override;
  Result<std::vector<model::AlertTarget>> ListAlertTargets(const std::string& page_id) override;
  Status DeleteAlertTarget(const std::string& page_id, const std::string& id) override;
  Status AddStaffAlerts(const std::vector<model::StaffAlert>& alerts) override;
  Result<std::vector<model::StaffAlert>> ClaimDueStaffAlerts(TimeMs now, TimeMs lease_until, int limit) override;
  Status FinishStaffAlerts(const std::vector<model::StaffAlert>& alerts) override;
  Result<std::vector<model::StaffAlert>> ListStaffAlerts(const std::string& page_id, int limit) override;

  // ConsoleStore (sql_store_console.cc).
  Result<std::vector<model::Subscriber>> PageSubscribers(const std::string& page_id,
                                                         const SubscriberPageQuery& query) override;
  Result<std::vector<model::Incident>> PageIncidents(const std::string& page_id,
                                                     const IncidentPageQuery& query) override;
  Result<DeliveryHealth> CountDeliveryHealth(const std::string& page_id, TimeMs failed_since) override;
  Result<std::vector<MonitorFlips>> ListMonitorFlips(const std::string& page_id, TimeMs since, int min_flips) override;
  Result<std::vector<std::string>> ListSubscriberLanguages(const std::string& page_id) override;
  // AuditStore (sql_store_audit.cc).
  Result<std::int64_t> AppendAudit(const model::AuditEntry& entry) override;
  Result<std::vector<model::AuditEntry>> ListAudit(const AuditFilter& filter) override;
  Result<std::int64_t> PurgeAudit(TimeMs before, int max_rows) override;
  // StaffStore (staff_store.h).
  Status SaveStaffUser(const model::StaffUser& user) override;
  Result<model::StaffUser> GetStaffUser(const std::string& id) override;
  Result<std::optional<model::StaffUser>> FindStaffUserByEmail(const std::string& email) override;
  Result<std::vector<model::StaffUser>> ListStaffUsers() override;
  Status CreateStaffSession(const model::StaffSession& session) override;
  Result<std::optional<model::StaffSession>> FindStaffSession(const std::string& id_hash) override;
  Status TouchStaffSession(const std::string& id_hash, TimeMs last_seen_at) override;
  Status DeleteStaffSession(const std::string& id_hash) override;
  Result<std::int64_t> DeleteStaffSessionsOfUser(const std::string& user_id) override;
  Result<std::int64_t> PurgeStaffSessions(TimeMs idle_before, TimeMs created_before) override;
  Status SaveStaffInvite(const model::StaffInvite& invite) override;
  Result<std::optional<model::StaffInvite>> FindStaffInvite(const std::string& token_hash) override;
  Result<model::StaffUser> AcceptStaffInvite(const std::string& token_hash, TimeMs now,
                                             const std::string& password_hash) override;
  Result<model::SignInFailures> RecordSignInFailure(const std::string& key, TimeMs now, TimeMs window_ms) override;
  Result<std::optional<model::SignInFailures>> GetSignInFailures(const std::string& key) override;
  Status ClearSignInFailures(const std::string& key) override;
  Status SaveStaffSecondFactor(const model::StaffSecondFactor& factor,
                               const std::optional<std::vector<std::string>>& recovery_hashes) override;
  Result<std::optional<model::StaffSecondFactor>> GetStaffSecondFactor(const std::string& user_id) override;
  Status DeleteStaffSecondFactor(const std::string& user_id) override;
  Result<bool> UseStaffTotpStep(const std::string& user_id, std::int64_t step) override;
  Result<bool> UseStaffRecoveryCode(const std::string& user_id, const std::string& code_hash) override;
  Result<std::int64_t> CountStaffRecoveryCodes(const std::string& user_id) override;
  // IncidentTemplateStore (sql_store_incident_templates.cc).
  Result<std::vector<model::IncidentTemplate>> ListIncidentTemplates(const std::string& page_id) override;
  Result<model::IncidentTemplate> GetIncidentTemplate(const std::string& page_id, const std::string& id) override;
  Status SaveIncidentTemplate(const model::IncidentTemplate& t) override;
  Status DeleteIncidentTemplate(const std::string& page_id, const std::string& id) override;

 private:
  using Mode = sql::Database::Mode;

  Status Write(const sql::Database::Body& body) { return db_->Transact(Mode::kWrite, body); }
  Status Read(const sql::Database::Body& body) { return db_->Transact(Mode::kRead, body); }

  // Runs `body` (a function of sql::Connection& returning Result<T>) in one transaction and
  // returns its result: commits when it is a value, rolls back when it is an error.
  template <typename T, typename Body>
  Result<T> Transact(Mode mode, Body&& body) {
    std::optional<Result<T>> out;
    auto st = db_->Transact(mode, [&](sql::Connection& conn) -> Status {
      out.emplace(body(conn));
      if (!out->ok()) return out->error();
      return {};
    });
    if (!st.ok()) return st.error();
    return std::move(*out);
  }
  // One query in a read transaction of its own, every row mapped (sql/query.h describes row
  // mappers): a list method is this one call.
  template <typename FromRow>
  Result<std::vector<sql::RowValue<FromRow>>> ReadAll(std::string_view query, const sql::Params& params,
                                                      FromRow from_row) {
    return Transact<std::vector<sql::RowValue<FromRow>>>(
        Mode::kRead, [&](sql::Connection& conn) { return sql::QueryAll(conn, query, params, from_row); });
  }
  // The first row of one query, mapped; nullopt when there is none.
  template <typename FromRow>
  Result<std::optional<sql::RowValue<FromRow>>> ReadFirst(std::string_view query, const sql::Params& params,
                                                          FromRow from_row) {
    return Transact<std::optional<sql::RowValue<FromRow>>>(
        Mode::kRead, [&](sql::Connection& conn) { return sql::QueryFirst(conn, query, params, from_row); });
  }
  // The first row of one query, mapped; kNotFound ("<what> not found") when there is none.
  template <typename FromRow>
  Result<sql::RowValue<FromRow>> ReadOne(std::string_view query, const sql::Params& params, FromRow from_row,
                                         const std::string& what) {
    auto found = ReadFirst(query, params, std::move(from_row));
    if (!found.ok()) return found.error();
    if (!*found) return Error::NotFound(what + " not found");
    return std::move(**found);
  }
  // One statement in a write transaction of its own; the number of rows it changed.
  Result<std::int64_t> WriteOne(std::string_view query, const sql::Params& params) {
    return Transact<std::int64_t>(Mode::kWrite, [&](sql::Connection& conn) { return conn.Exec(query, params); });
  }
  Status AppendOutbox(sql::Connection& conn, const model::OutboxEvent& event);
  // Loads incidents matching `where` (a condition on alias i, with params) plus their components
  // and updates: three queries for any number of incidents.
  Result<std::vector<model::Incident>> LoadIncidents(sql::Connection& conn, const std::string& where,
                                                     const std::string& order_limit, const sql::Params& params,
                                                     bool include_internal_updates);

  std::unique_ptr<sql::Database> db_;
};

}  // namespace herald::store

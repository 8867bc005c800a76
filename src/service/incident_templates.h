// IncidentTemplateService: the only writer of incident templates (model/incident_template.h). It
// validates a template completely (a bad field is an Error naming it, and nothing is written) and
// saves it; the API (/v1/pages/{page_id}/incident_templates) and the console's templates screen
// both write through it. Templates are staff-only: nothing public changes, so there is no outbox
// event and no new snapshot.
//
// Thread safety: as the other services (services.h): no state besides references; blocks on the
// store.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/result.h"
#include "model/incident_template.h"
#include "service/services.h"

namespace herald::service {

// Unset fields: the default on create, unchanged on update (PATCH semantics).
struct IncidentTemplateInput {
  std::optional<std::string> name, title, body, group;
  std::optional<model::IncidentStatus> update_status;
  std::optional<model::NoticeType> type;
  std::optional<bool> deliver_notifications;
  std::optional<std::map<std::string, model::ComponentStatus>> components;  // replaces them all when set
};

inline constexpr size_t kMaxIncidentTemplatesPerPage = 200;
inline constexpr size_t kMaxTemplateGroupLength = 100;

class IncidentTemplateService {
 public:
  explicit IncidentTemplateService(Deps deps) : deps_(std::move(deps)) {}
  // Needs name and title; kConflict naming "name" when the page has a template of that name.
  Result<model::IncidentTemplate> Create(const std::string& page_id, const IncidentTemplateInput& in);
  Result<model::IncidentTemplate> Update(const std::string& page_id, const std::string& id,
                                         const IncidentTemplateInput& in);
  Status Delete(const std::string& page_id, const std::string& id);

 private:
  Result<model::IncidentTemplate> Save(model::IncidentTemplate t, const IncidentTemplateInput& in, bool creating);
  Deps deps_;
};

}  // namespace herald::service

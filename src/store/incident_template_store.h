// IncidentTemplateStore: the Store role that keeps incident templates (model/incident_template.h),
// a few per page. A template's components are rows of their own that go with the component: a
// component deleted from the page leaves the templates that named it.
//
// Thread safety, blocking and errors: as Store (store.h).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "model/incident_template.h"

namespace herald::store {

class IncidentTemplateStore {
 public:
  virtual ~IncidentTemplateStore() = default;

  // The page's templates by group, then name (bytewise), each with its components.
  virtual Result<std::vector<model::IncidentTemplate>> ListIncidentTemplates(const std::string& page_id) = 0;
  // kNotFound when the page has no template with this id.
  virtual Result<model::IncidentTemplate> GetIncidentTemplate(const std::string& page_id, const std::string& id) = 0;
  // Inserts or replaces by id, its components included, in one transaction. kConflict when another
  // template of the page has the name (or the id belongs to another page); kNotFound when the page
  // or a component does not exist.
  virtual Status SaveIncidentTemplate(const model::IncidentTemplate& t) = 0;
  // kNotFound when the page has no template with this id.
  virtual Status DeleteIncidentTemplate(const std::string& page_id, const std::string& id) = 0;
};

}  // namespace herald::store

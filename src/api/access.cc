#include "api/access.h"

#include <string>

namespace herald::api {

Status Require(const model::ApiKey& key, model::Permission permission) {
  if (model::Allows(key.role, permission)) return {};
  return Error{ErrorCode::kForbidden,
               "this API key's role may not do this (" + std::string(model::ToString(permission)) + "); it needs the " +
                   model::RolesAllowed(permission) + " role",
               {}};
}

}  // namespace herald::api

// The management API's one authorization check: whether an API key's role may do an action, by
// model/permissions.h's table (the same table the console and the CLI consult).
#pragma once

#include "core/result.h"
#include "model/model.h"
#include "model/permissions.h"

namespace herald::api {

// OK when `key`'s role allows `permission`; otherwise kForbidden naming the action and the roles
// that may do it ("... (publish_incident); it needs the responder or admin role").
Status Require(const model::ApiKey& key, model::Permission permission);

}  // namespace herald::api

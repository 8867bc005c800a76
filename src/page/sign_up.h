// What the public sign-up forms list: the page's components as checkboxes, groups holding their
// members. Used by the status page's own form (render.cc) and by the sign-up and preference pages
// (api/subscribe_public.cc), so both list the same components the same way. Pure; thread-safe.
#pragma once

#include <kainjow/mustache.hpp>
#include <set>
#include <string>
#include <vector>

#include "model/model.h"

namespace herald::page {

// The visible components of `components` (in their order) for the templates' `components` list:
// each {id, name, is_group, checked}; a group with {members} (its visible members; a group without
// any is left out), its members not listed again; a component of a hidden group on its own.
kainjow::mustache::data SignUpComponents(const std::vector<model::Component>& components,
                                         const std::set<std::string>& checked);

}  // namespace herald::page

// The sign-up form's channel choices (templates/_subscribe_form.mustache). The facts about each
// channel come from notify's channel registry (notify::SignupChannels), handed down by the app:
// page sits below notify, so it renders what it is given and keeps no list of its own.
//
// Thread safety: pure functions.
#pragma once

#include <kainjow/mustache.hpp>
#include <optional>
#include <string>
#include <vector>

#include "page/render.h"

namespace herald::page {

// `catalogue` with `offered` set from the "notify.channels" setting (the wire names of the
// channels the running server built, each followed by ','); no setting (notifications never
// started): everything is offered.
std::vector<SignupChannel> MarkOffered(std::vector<SignupChannel> catalogue, const std::optional<std::string>& setting);

// Sets what the form's template reads: "channels" (value, label, offered, checked),
// "address_label" (the offered kinds' address labels: "Email address or webhook URL"),
// "input_mode" and "autocomplete" (of the preselectable choice). `chosen` is the channel a visitor
// chose (a form shown again after an error); null checks the first offered preselectable one.
void SetSignupChoices(kainjow::mustache::data& d, const std::vector<SignupChannel>& channels,
                      const std::string* chosen);

}  // namespace herald::page

#include "page/signup_form.h"

#include <algorithm>

namespace herald::page {

namespace mu = kainjow::mustache;

std::vector<SignupChannel> MarkOffered(std::vector<SignupChannel> catalogue,
                                       const std::optional<std::string>& setting) {
  if (!setting) return catalogue;
  for (auto& c : catalogue) c.offered = setting->find(c.value + ",") != std::string::npos;
  return catalogue;
}

void SetSignupChoices(mu::data& d, const std::vector<SignupChannel>& channels, const std::string* chosen) {
  const SignupChannel* preselected = nullptr;
  std::vector<std::string> address_labels;
  for (const auto& c : channels) {
    if (!c.offered) continue;
    if (!preselected && c.preselectable) preselected = &c;
    if (std::find(address_labels.begin(), address_labels.end(), c.address_label) == address_labels.end())
      address_labels.push_back(c.address_label);
  }
  mu::data list{mu::data::type::list};
  for (const auto& c : channels) {
    mu::data item;
    item.set("value", c.value);
    item.set("label", c.label);
    item.set("offered", c.offered);
    item.set("checked", c.offered && (chosen ? *chosen == c.value : &c == preselected));
    // One line per choice, empty for one not offered: the form's bytes stay those of the
    // template that listed each channel on its own line. A newline in the template would be
    // dropped by the Mustache library after an empty section.
    item.set("end_of_line", std::string("\n"));
    list.push_back(item);
  }
  d.set("channels", list);
  // "Email address, phone number (with country code) or webhook URL": only what is offered.
  std::string label;
  for (size_t i = 0; i < address_labels.size(); ++i) {
    if (i > 0) label += i + 1 == address_labels.size() ? " or " : ", ";
    label += address_labels[i];
  }
  if (!label.empty() && label[0] >= 'a' && label[0] <= 'z') label[0] = static_cast<char>(label[0] - 'a' + 'A');
  d.set("address_label", label);
  const std::string mode = preselected ? preselected->input_mode : "url";
  d.set("input_mode", mode);
  // Browsers fill in the visitor's own address or number; a URL is never theirs to remember.
  if (mode == "email" || mode == "tel") d.set("autocomplete", mode);
}

}  // namespace herald::page

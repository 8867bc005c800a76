#include "model/subscriber.h"

#include "model/enum_table.h"

namespace herald::model {
namespace {

using detail::Find;
using detail::Name;

constexpr std::array<std::pair<ChannelKind, std::string_view>, 8> kChannel{{
    {ChannelKind::kEmail, "email"},
    {ChannelKind::kSms, "sms"},
    {ChannelKind::kWebhook, "webhook"},
    {ChannelKind::kSlack, "slack"},
    {ChannelKind::kTeams, "teams"},
    {ChannelKind::kDiscord, "discord"},
    {ChannelKind::kMattermost, "mattermost"},
    {ChannelKind::kWebPush, "webpush"},
}};
constexpr std::array<std::pair<SubscriberState, std::string_view>, 4> kState{{
    {SubscriberState::kPending, "pending"},
    {SubscriberState::kActive, "active"},
    {SubscriberState::kQuarantined, "quarantined"},
    {SubscriberState::kUnsubscribed, "unsubscribed"},
}};
constexpr std::array<std::pair<DetailLevel, std::string_view>, 3> kDetail{{
    {DetailLevel::kBrief, "brief"},
    {DetailLevel::kStandard, "standard"},
    {DetailLevel::kTechnical, "technical"},
}};
constexpr std::array<std::pair<DeliveryState, std::string_view>, 4> kDelivery{{
    {DeliveryState::kPending, "pending"},
    {DeliveryState::kDelivered, "delivered"},
    {DeliveryState::kRetrying, "retrying"},
    {DeliveryState::kFailed, "failed"},
}};

}  // namespace

std::string_view ToString(ChannelKind c) { return Name(kChannel, c); }
std::string_view ToString(SubscriberState s) { return Name(kState, s); }
std::string_view ToString(DetailLevel d) { return Name(kDetail, d); }
std::string_view ToString(DeliveryState d) { return Name(kDelivery, d); }
std::optional<ChannelKind> ParseChannelKind(std::string_view s) { return Find(kChannel, s); }
std::optional<SubscriberState> ParseSubscriberState(std::string_view s) { return Find(kState, s); }
std::optional<DetailLevel> ParseDetailLevel(std::string_view s) { return Find(kDetail, s); }
std::optional<DeliveryState> ParseDeliveryState(std::string_view s) { return Find(kDelivery, s); }

}  // namespace herald::model

// contact_json.h: the protocol's wire forms (docs/protocol.md, "Contacts: chat, SMS and voice") of the
// contact store's records.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/presence.h"
#include "server/store/contact_store.h"

namespace sbd {

nlohmann::json message_json(const MessageRecord& m);
nlohmann::json queue_json(const QueueRecord& q);
// An agent as a transfer picker and a transcript's names need it: {username, display_name, state}.
nlohmann::json agent_summary_json(const sb::agent::AgentSnapshot& a);
nlohmann::json interaction_json(const InteractionRecord& i);
nlohmann::json customer_json(const CustomerRecord& c, const std::vector<InteractionRecord>& history);
// How many SMS `text` takes (core/contact/sms.h); at least 1.
int64_t sms_segment_count(std::string_view text);

}  // namespace sbd

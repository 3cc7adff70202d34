// shell/panels/contact_view.h: what several panels say about a contact, so that they say it alike.
//
// Wording (channel, queue, agent and disposition names), the server's clock, and the waiting
// time with its SLA colours. Pure reading of DeskState; nothing here draws.
#pragma once

#include <cstdint>
#include <string>

#include <imgui.h>

#include "desk/desk_state.h"

namespace sb::shell::view {

// The customer waits this long before the wait turns amber, then red (the SLA).
inline constexpr int64_t kWaitWarnMs = 60'000;
inline constexpr int64_t kWaitBreachMs = 120'000;

// Contact times are on the server's clock; this is "now" on that clock.
inline int64_t server_now(const desk::DeskState& s, int64_t now_ms) { return now_ms + s.clock_offset_ms; }

const char* channel_name(contact::Channel c);  // "Chat", "SMS", "Call"
std::string queue_name(const desk::DeskState& s, const std::string& code);
// An agent's display name (this agent's own, or from the agents list); the username if unknown.
std::string agent_name(const desk::DeskState& s, const std::string& username);
std::string disposition_label(const desk::DeskState& s, const std::string& queue, const std::string& code);

// When the customer started waiting for an answer: their first message after the agent's (or
// the desk's) last one. -1 when nothing is unanswered.
int64_t waiting_since_ms(const contact::Contact& c);
// Muted while within the SLA, amber past the warning mark, red once it is breached.
ImU32 wait_color(int64_t waited_ms);

// The last message in one line, "You: …" for the agent's own; empty if there are none.
std::string preview(const contact::Contact& c);

}  // namespace sb::shell::view

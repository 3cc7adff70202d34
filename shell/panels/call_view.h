// shell/panels/call_view.h: what several panels say about a call, so that they say it alike.
//
// Who is on the other end, what the phone is doing ("On call", "On hold", "Held by caller"),
// the call timer, and the live quality line with its MOS colour. Pure reading of DeskState;
// nothing here draws. (Calls run on this desk's clock: since_ms and connected_ms are local.)
#pragma once

#include <cstdint>
#include <string>

#include <imgui.h>

#include "desk/desk_state.h"

namespace sb::shell::view {

// The workspace shows a call that has no contact (agent to agent, a direct call) under this
// selection key: "call:<desk call id>".
std::string call_selection(const desk::Call& c);
const desk::Call* selected_call(const desk::DeskState& s, const std::string& selection);

// The contact of a call, if the desk has it.
const contact::Contact* call_contact(const desk::DeskState& s, const desk::Call& c);

// The other party: the customer's name when the contact knows it, else the caller's display
// name, else the number. call_number() is the number (or SIP user) when it says something more.
std::string call_party(const desk::DeskState& s, const desk::Call& c);
std::string call_number(const desk::DeskState& s, const desk::Call& c);

// "Ringing", "Calling…", "Connecting…", "On call", "On hold", "Held by caller", "Resuming…"
std::string call_phase_label(const desk::Call& c);
// The colour of that label: green on call, amber held, muted otherwise.
ImU32 call_phase_color(const desk::Call& c);
bool call_is_up(const desk::Call& c);  // answered (active or held): the timer runs

// The call timer ("04:12") from connected_ms, or the ringing time before that.
int64_t call_elapsed_ms(const desk::Call& c, int64_t now_ms);

// Live quality from Call::stats: has_figures is false before the first figures.
struct CallQuality {
    bool has_figures = false;
    double mos = 0.0;  // 0: unknown yet
    std::string line;  // "RTT 42 ms · jitter 3.1 ms · loss 0 % · opus"
    std::string mos_words;  // "Excellent", "Good", "Fair", "Poor"
    ImU32 mos_color = 0;
};
CallQuality call_quality(const desk::Call& c);

}  // namespace sb::shell::view

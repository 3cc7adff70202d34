// shell/panels/workspace.h: the parts of the workspace panel, one file each; workspace.cpp lays
// them out. Only the workspace's own files include this.
//
//   transcript.cpp   the conversation: bubbles, times, senders, delivery, typing, transfer note
//   composer.cpp     the reply field, counts, Send, canned responses; typing and draft intents
//   wrap_up.cpp      after-contact work: disposition, notes, tags, the ACW countdown, Submit
//   transfer.cpp     the Transfer popup: a queue or an available agent, and a note
//   call_panel.cpp   a call: who, state, timer, quality; mute, hold, keypad, transfer, hang up
#pragma once

#include <imgui.h>

#include "desk/desk_state.h"
#include "panels.h"

namespace sb::shell::workspace {

void draw_transcript(const desk::DeskState& s, const contact::Contact& c, PanelContext& ctx, ImVec2 size);

// The composer's height at the bottom of the workspace.
float composer_height();
void draw_composer(const desk::DeskState& s, const contact::Contact& c, IntentSink& sink, PanelContext& ctx);
// Every frame, whatever is selected: ends "typing" after a pause, forgets contacts that left.
void composer_tick(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx);

void draw_wrap_up(const desk::DeskState& s, const contact::Contact& c, IntentSink& sink, PanelContext& ctx);

// A voice contact's call, or (k null) a call without a contact. `call` null: the contact has no
// call on this desk (a callback to make, or a call that is gone).
void draw_call_panel(const desk::DeskState& s, const contact::Contact* k, const desk::Call* call, IntentSink& sink,
                     PanelContext& ctx);

// Opened with ImGui::OpenPopup(kTransferPopup) from the same window; drawn each frame.
inline constexpr const char* kTransferPopup = "##transfer";
void draw_transfer_popup(const desk::DeskState& s, const contact::Contact& c, IntentSink& sink, PanelContext& ctx,
                         ImVec2 anchor_top_right);

}  // namespace sb::shell::workspace

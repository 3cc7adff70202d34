// shell/panels/mfa_panel.h: the second step of sign-in, drawn inside the sign-in card
// (login_panel.cpp): the code prompt, the enrollment (QR code, secret, code), and the recovery
// codes shown once after an enrollment. Also the two pieces of the card both files use.
#pragma once

#include <cstddef>
#include <string>

#include <imgui.h>

#include "panels.h"

namespace sb::shell {

// True while the sign-in card shows a second step rather than the password form.
bool mfa_step_showing(const desk::DeskState& s);
// The card's width for the step (the enrollment's QR code wants room).
float mfa_card_width(const desk::DeskState& s);
// Draws the step at the cursor, in the card's content width.
void draw_mfa_step(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx);

// ---- shared with login_panel.cpp ----------------------------------------------------------------
// A red box with a "!" badge and a wrapped message.
void sign_in_error_box(const std::string& message);
// A labelled text field with a focus ring; true when Enter was pressed in it.
bool sign_in_field(const char* label, const char* id, char* buf, size_t size, ImGuiInputTextFlags flags, bool focus,
                   PanelContext& ctx);

}  // namespace sb::shell

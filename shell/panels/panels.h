// shell/panels/panels.h: the panels of the desk, one file each, and what they share.
//
// A panel draws into the current ImGui window (app.cpp places it: a card, the top bar, the whole
// screen), reads `const DeskState&`, and turns clicks and keys into intents through the sink. A
// panel never changes DeskState and never reaches into another panel. What a panel must remember
// between frames (text being typed, when a notice appeared) is its member of PanelMemory
// (memory.h), which App owns and hands over in the PanelContext; panels hold no globals.
#pragma once

#include <cstdint>
#include <string>

#include <imgui.h>

#include "../app.h"
#include "desk/desk_state.h"

namespace sb::shell {

struct PanelMemory;  // memory.h

// What every panel gets besides the state: the time of this frame, a way to ask for the next,
// and the memory that outlives frames.
struct PanelContext {
    explicit PanelContext(PanelMemory& m) : memory(m) {}

    PanelMemory& memory;  // App's; each panel uses its own members only
    int64_t now_ms = 0;
    int64_t redraw_in_ms = -1;  // earliest redraw any panel asked for; -1: none

    // The contact the workspace and the customer card show (empty: none). UI state, not desk
    // state: app.cpp keeps it between frames and picks a default; the contact list and the offer
    // card change it when the agent clicks.
    std::string selected_contact;

    // "Draw me again within `ms`" (a ticking timer, a blinking caret, a countdown).
    void redraw_within(int64_t ms) {
        if (ms < 0) return;
        if (redraw_in_ms < 0 || ms < redraw_in_ms) redraw_in_ms = ms;
    }
};

// The whole screen before sign-in: the sign-in card, or "Restoring your session…".
void draw_login_panel(const desk::DeskState& state, IntentSink& sink, PanelContext& ctx);

// The top bar: product mark, presence selector with state timer, connection, agent, sign out.
void draw_agent_bar(const desk::DeskState& state, IntentSink& sink, PanelContext& ctx);

// A strip under the bar while the connection is down (the desk keeps the agent's state).
void draw_connection_banner(const desk::DeskState& state, PanelContext& ctx);

// Left column, on top while something rings: offered contacts with Accept / Reject and the
// offer's countdown. offers_height() is the height they need at `width` (0: nothing rings).
float offers_height(const desk::DeskState& state, float width);
void draw_offers(const desk::DeskState& state, IntentSink& sink, PanelContext& ctx);

// Left column, above everything while a call rings on this desk: caller, queue, ringing time,
// Answer / Decline (and their shortcuts). incoming_calls_height(): 0 when nothing rings.
float incoming_calls_height(const desk::DeskState& s, float width);
void draw_incoming_calls(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx);

// The dial pad (a popup under the agent bar's Call button): a number, a keypad, the queue
// whose number the customer sees, Call. The bar opens it with ImGui::OpenPopup(kDialPadPopup).
inline constexpr const char* kDialPadPopup = "##dial_pad";
void draw_dial_pad(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx, ImVec2 anchor_top_right);

// The Audio settings (a popup under the agent bar's Audio button): microphone, speaker and
// ringer (with Test ringer), and a plain word when the browser refused the microphone. Opening it
// lists the devices again. The bar opens it with ImGui::OpenPopup(kAudioSettingsPopup).
inline constexpr const char* kAudioSettingsPopup = "##audio_settings";
void draw_audio_settings(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx, ImVec2 anchor_top_right);

// Left column: the agent's contacts (calls, chats, SMS) with waiting time and unread counts.
void draw_contact_list(const desk::DeskState& state, IntentSink& sink, PanelContext& ctx);

// Centre: the selected contact's conversation and tools, or its wrap-up form.
void draw_workspace(const desk::DeskState& state, IntentSink& sink, PanelContext& ctx);

// Right column: who the customer is.
void draw_customer_card(const desk::DeskState& state, IntentSink& sink, PanelContext& ctx);

// In the customer card: the contact's verification checklist (verification.cpp; docs/
// verification.md): state, steps with question, answer field, Check and attempts left, the
// caller-number hint, Send code, the lock. `width` wide, at the cursor.
void draw_verification(const desk::DeskState& state, const contact::Contact& c, IntentSink& sink, PanelContext& ctx,
                       float width);
// In the customer card, under the sensitive section: Take payment on a verified, active contact
// (payment.cpp; docs/payments.md): the amount, then the recording's state and the masked card
// fields, then the outcome (Refund). `width` wide, at the cursor.
void draw_payment(const desk::DeskState& state, const contact::Contact& c, IntentSink& sink, PanelContext& ctx,
                  float width);
// A small padlock glyph, closed or open (the card's sensitive section, the lock notice).
void draw_padlock(ImDrawList* dl, ImVec2 center, float size, ImU32 color, bool open);

}  // namespace sb::shell

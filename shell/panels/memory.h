// shell/panels/memory.h: what the panels remember between frames, in one struct that App owns.
//
// ImGui redraws everything each frame from DeskState; a few things are the shell's own and must
// outlive a frame: text being typed, which tab of a popup is open, when a notice first showed.
// Each panel's share is a member of PanelMemory, reached through PanelContext::memory; a panel
// touches only its own members. What is kept per contact or per call is a PerKey, and
// forget_gone() (called once per frame by App::frame, after the panels drew) drops the entries
// whose contact or call has left the desk, each by the liveness it needs.
//
// Sections: sign-in · agent bar · popups of the bar · customer card · workspace · PanelMemory
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "../per_key.h"
#include "desk/desk_state.h"
#include "desk/intent.h"
#include "util/result.h"
#include "verify/verification.h"

namespace sb::shell {

// ---- sign-in ------------------------------------------------------------------------------------
// What the agent is typing on the sign-in card (login_panel.cpp). One per App, like the ImGui
// context itself.
struct LoginForm {
    char username[128] = "";
    char password[256] = "";
    int last_drawn_frame = -10;         // ImGui frame count: tells "just appeared" from "still here"
    bool signing_in_last_frame = false;
    enum class Focus { None, Username, Password } focus_next = Focus::None;
    std::string local_error;            // checks done here, before anything is sent
    std::optional<Error> seen_error;    // the login_error we last saw, to time rate limits
    int64_t seen_error_at_ms = 0;
    float card_height = 0.0f;           // measured last frame, so the card hugs its content
};

// The second step (mfa_panel.cpp): reset whenever a new challenge arrives.
struct MfaForm {
    char code[16] = "";
    char recovery[32] = "";
    bool use_recovery = false;
    std::string challenge_expiry_seen;  // step + expiry of the challenge the form was reset for
    std::optional<Error> seen_error;
    bool focus = true;
    std::string local_error;
    bool copied = false;
    int64_t copied_at_ms = 0;
};

// ---- agent bar ----------------------------------------------------------------------------------
// A refused presence change: DeskState holds the words, the bar decides how long to show them.
struct NoticeMemory {
    std::string text;
    int64_t since_ms = 0;
};

// ---- popups of the bar --------------------------------------------------------------------------
struct AudioMemory {
    bool open = false;            // the popup was open last frame: a new opening lists devices again
    int64_t ringer_until_ms = 0;  // "Ringing…" on the test button until then
};

struct DialMemory {
    std::string number;
    std::string queue;  // "" until chosen: the first queue with a number
    bool focus = false;
};

// ---- customer card ------------------------------------------------------------------------------
// What the agent is editing for the customer on screen. `*_base` is the desk's value the edit
// started from: when the desk's value changes and the agent has not touched the field, the field
// follows; once the desk shows what was sent, it reads "Saved".
struct CustomerEdit {
    std::string customer;
    std::string notes, notes_base;
    std::string first, last, email;
    bool details_sent = false;
};

// How much of the selected customer's history is shown (newest first); a new customer starts at
// one page.
struct HistoryPage {
    static constexpr size_t kPage = 50;
    std::string customer;
    size_t shown = kPage;
};

// What the agent typed into the payment form, per contact (payment.cpp). The card fields are
// overwritten before they are let go: wipe_card() here, and on_drop when the contact leaves.
struct PaymentDraft {
    std::string amount = "";
    std::string number, expiry, cvc;
    std::string problem;  // the desk's own check, before sending
    std::string shown;    // the payment (id and state) last drawn, to bring a new capture into view
    void wipe_card();
};
// Overwrites a string's bytes, then empties it (card data must not linger in freed memory).
void wipe_secret(std::string& s);

// ---- workspace ----------------------------------------------------------------------------------
// The text being written for each contact (composer.cpp): started from the desk's saved draft the
// first time the contact is shown (also after a reload), then the shell's own until sent.
struct Compose {
    std::string text;
    bool typing_sent = false;  // TypingIntent{true} went out and {false} has not yet
    int64_t last_edit_ms = 0;
};

// What the transcript showed last frame, per contact, to follow new content.
struct Follow {
    size_t messages = 0;
    bool typing = false;
    bool seen = false;
};

// The wrap-up form of a contact in after-contact work (wrap_up.cpp).
struct WrapUpMemory {
    desk::WrapUpDraft form;        // started from the desk's draft the first time it is shown
    std::string tag_input;         // a tag being typed
    int64_t acw_total_ms = 0;      // the whole ACW period, for the bar (remembered at first sight)
    int64_t submitted_at_ms = -1;  // Submit pressed; the contact closes when the backend agrees
};

// The Transfer popup (transfer.cpp): one at a time, started afresh each time it opens.
struct TransferForm {
    bool to_agent = false;
    std::string target;  // queue code or username
    std::string note;
    std::string agent_query;              // "To an agent": the name typed into the search
    std::optional<std::string> searched;  // the query last asked of the backend (none yet)
};

// The controls of one call (call_panel.cpp).
struct CallMemory {
    bool keypad = false;
    std::string sent;          // the digits sent on this call, as the agent pressed them
    std::string transfer_to;   // a queue code, or "" with a typed number
    std::string transfer_number;
};

// What was last marked read (workspace.cpp), so the intent goes once per new message, not once
// per frame.
struct MarkedRead {
    std::string contact;
    size_t count = 0;
};

// ---- PanelMemory --------------------------------------------------------------------------------
struct PanelMemory {
    // sign-in (login_panel.cpp, mfa_panel.cpp)
    LoginForm login;
    MfaForm mfa;
    // the bar (agent_bar.cpp, audio_settings.cpp, dial_pad.cpp)
    NoticeMemory notice;
    AudioMemory audio;
    DialMemory dial;
    // the left column (offer.cpp): how long each offer rings in all, for its countdown bar,
    // remembered from when it first showed. Kept while the contact is offered.
    PerKey<std::string, int64_t> offer_total_ms;
    // the customer card (customer_card.cpp, verification.cpp, payment.cpp)
    CustomerEdit customer_edit;
    HistoryPage history;
    PerKey<std::string, std::map<verify::StepKind, std::string>> answers;  // typed, not yet checked
    PerKey<std::string, PaymentDraft> payment;
    // the workspace (workspace.cpp and the files of workspace.h)
    MarkedRead marked_read;
    PerKey<std::string, Compose> compose;   // kept while the contact is on the desk
    std::string canned_query;               // the canned responses popup's search
    PerKey<std::string, Follow> follow;
    PerKey<std::string, WrapUpMemory> wrap_up;  // kept while the contact is in wrap-up
    TransferForm transfer;
    PerKey<uint32_t, CallMemory> calls;     // by the desk's call id, kept while the call lasts

    // Drops what is kept for contacts and calls that are gone. Once per frame, after the panels
    // drew (the composer still ends "typing" for a contact that has just left).
    void forget_gone(const desk::DeskState& s);
};

}  // namespace sb::shell

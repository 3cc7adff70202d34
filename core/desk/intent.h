// desk/intent.h: what the agent (through the UI or the JS API) asks the desk to do.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/presence.h"
#include "util/result.h"

namespace sb::desk {

struct LoginIntent {
    std::string username;
    std::string password;
};
struct SetStateIntent {
    agent::Presence state = agent::Presence::Offline;
    std::optional<std::string> reason;
};
struct LogoutIntent {};

// ---- contacts (chat and SMS): each names the contact by its id --------------------------------
struct AcceptIntent {
    std::string contact;
};
struct RejectIntent {
    std::string contact;
};
struct SendMessageIntent {
    std::string contact;
    std::string text;
};
struct TypingIntent {
    std::string contact;
    bool typing = false;
};
struct TransferIntent {  // chat, SMS: exactly one of queue and agent
    std::string contact;
    std::string queue, agent, note;
    // voice: `target` is a number, a queue's code or number, or an agent's username; `mode`
    // "blind" (REFER at once) or "attended" (the desk calls the target first; a second
    // transfer with mode "complete" joins the caller to them).
    std::string target, mode;
    uint32_t call = 0;  // voice: a call with no contact (a colleague's), by its id
};
struct EndIntent {
    std::string contact;
};
struct WrapUpIntent {
    std::string contact;
    std::string disposition, notes;
    std::vector<std::string> tags;
};
struct UpdateCustomerIntent {
    std::string customer;
    std::optional<std::string> first_name, last_name, email, notes;
};

// Local to the desk (no request): what the agent has typed and not sent, kept across a reload;
// and "I have seen this contact's messages" for unread counts.
struct WrapUpDraft {
    std::string disposition, notes;
    std::vector<std::string> tags;
    friend bool operator==(const WrapUpDraft&, const WrapUpDraft&) = default;
};
struct SaveDraftIntent {
    std::string contact;
    std::optional<std::string> text;
    std::optional<WrapUpDraft> wrap_up;
};
struct MarkReadIntent {
    std::string contact;
};

// ---- calls: a voice contact by its id, or (agent to agent, no contact) the desk's call id ----
struct CallRef {
    std::string contact;
    uint32_t call = 0;
};
struct TakePhoneIntent {};  // the phone is open in another tab: take it over here
struct DialIntent {        // a number; or `contact`: call back that callback contact; or
    std::string number, queue, contact;  // `agent`: call a colleague (no contact)
    std::string agent;
};
struct AnswerIntent {
    CallRef ref;
};
struct HangupIntent {      // also declines a ringing call
    CallRef ref;
};
struct HoldIntent {        // hold (on) or resume (off)
    CallRef ref;
    bool on = true;
};
struct MuteIntent {
    CallRef ref;
    bool on = true;
};
struct DtmfIntent {
    CallRef ref;
    std::string digits;    // 0-9 * # A-D, up to 32
};

using Intent = std::variant<LoginIntent, SetStateIntent, LogoutIntent, AcceptIntent, RejectIntent, SendMessageIntent,
                            TypingIntent, TransferIntent, EndIntent, WrapUpIntent, UpdateCustomerIntent,
                            SaveDraftIntent, MarkReadIntent, DialIntent, AnswerIntent, HangupIntent, HoldIntent,
                            MuteIntent, DtmfIntent, TakePhoneIntent>;

// The JS API's form (docs/js-api.md): {type: "login", username, password},
// {type: "set_state", state, reason?}, {type: "logout"}, {type: "accept", contact}, ...
// Errors: bad_intent (with the field named), unknown_intent, invalid_state.
Result<Intent> intent_from_json(const nlohmann::json& j);
Result<Intent> contact_intent_from_json(const std::string& type, const nlohmann::json& j);
Result<Intent> call_intent_from_json(const std::string& type, const nlohmann::json& j);

}  // namespace sb::desk

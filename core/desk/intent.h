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
    // Sensitive (like email): only on a verified contact, the one named by `contact`.
    std::optional<std::string> address = std::nullopt, postcode = std::nullopt, phone = std::nullopt;
    // The contact the change is made on; unset: the desk's contact with this customer, if only one.
    std::optional<std::string> contact = std::nullopt;
};

// ---- customer verification (docs/verification.md): the server compares, the desk shows ----------
struct VerifyAnswerIntent {  // what the customer said to one step of the checklist
    std::string contact, step, answer;
};
struct VerifySendCodeIntent {  // a one-time code by SMS to the number on file
    std::string contact;
};

// ---- payments (docs/payments.md): a verified contact; the server pauses the call recording --------
struct PaymentStartIntent {  // open a card capture for `amount` minor units
    std::string contact;
    int64_t amount = 0;
    std::string currency;    // "" = the server's default (USD)
};
struct PaymentSubmitIntent {  // the card as the customer read it out; never kept by the desk
    std::string contact, payment;
    std::string card_number, expiry, cvc;
};
struct PaymentCancelIntent {
    std::string contact, payment;
};
struct RefundIntent {         // an approved payment, whole (amount 0) or in part
    std::string contact, payment;
    int64_t amount = 0;
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

// ---- audio devices: local to this browser (no request) ------------------------------------------
struct SetDeviceIntent {   // kind: "input" (microphone), "output" (speaker) or "ringer"; id "" = default
    std::string kind, id;
};
struct RefreshDevicesIntent {  // list the devices again; `probe`: ask for the microphone (labels)
    bool probe = false;
};
struct TestRingerIntent {};    // ring briefly on the ringer device

// ---- sign-in's second factor and the agent's sessions ----------------------------------------
struct MfaIntent {          // exactly one: the authenticator app's code, or a recovery code
    std::string code, recovery_code;
};
struct MfaDoneIntent {};    // "I have saved these": the recovery codes leave the state
struct SessionsIntent {};   // list the agent's sessions
struct RevokeSessionIntent {
    std::string session;    // one session by id, or
    bool all_others = false;  // every session but this one
};

// ---- colleagues: found by name for a transfer or a call (the `agents` request) -----------------
struct FindAgentsIntent {
    std::string query;  // "" lists the first ones, the available first
};

using Intent = std::variant<LoginIntent, SetStateIntent, LogoutIntent, AcceptIntent, RejectIntent, SendMessageIntent,
                            TypingIntent, TransferIntent, EndIntent, WrapUpIntent, UpdateCustomerIntent,
                            SaveDraftIntent, MarkReadIntent, DialIntent, AnswerIntent, HangupIntent, HoldIntent,
                            MuteIntent, DtmfIntent, TakePhoneIntent, SetDeviceIntent, RefreshDevicesIntent,
                            TestRingerIntent, VerifyAnswerIntent, VerifySendCodeIntent, MfaIntent,
                            MfaDoneIntent, SessionsIntent, RevokeSessionIntent, PaymentStartIntent,
                            PaymentSubmitIntent, PaymentCancelIntent, RefundIntent, FindAgentsIntent>;

// The JS API's form (docs/js-api.md): {type: "login", username, password},
// {type: "set_state", state, reason?}, {type: "logout"}, {type: "accept", contact}, ...
// Errors: bad_intent (with the field named), unknown_intent, invalid_state.
Result<Intent> intent_from_json(const nlohmann::json& j);
// The inverse (desk/intent_to_json.cpp): the same JSON form, so that intent_from_json of it gives
// the intent back. Used to record a session (platform/recording.h); says nothing about redaction.
nlohmann::json intent_to_json(const Intent& intent);
Result<Intent> contact_intent_from_json(const std::string& type, const nlohmann::json& j);
Result<Intent> call_intent_from_json(const std::string& type, const nlohmann::json& j);
Result<Intent> session_intent_from_json(const std::string& type, const nlohmann::json& j);  // mfa, mfa_done, sessions, revoke_session, find_agents
Result<Intent> device_intent_from_json(const std::string& type, const nlohmann::json& j);
Result<Intent> payment_intent_from_json(const std::string& type, const nlohmann::json& j);  // payment_*, refund

}  // namespace sb::desk

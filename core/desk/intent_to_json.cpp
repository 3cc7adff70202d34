// desk/intent_to_json.cpp: an intent in the JS API's JSON form (docs/js-api.md), the inverse of
// intent_from_json (desk/intent.cpp), so that a recorded session can replay the agent's intents.
// It writes what it is given: an intent intent_from_json would refuse (a dial with no number)
// comes out as JSON that intent_from_json refuses again.
#include "desk/intent.h"

#include <string>
#include <type_traits>

namespace sb::desk {

namespace {
template <class>
inline constexpr bool to_json_unhandled_intent = false;

void to_json_call_ref(nlohmann::json& j, const CallRef& ref) {
    if (!ref.contact.empty()) j["contact"] = ref.contact;
    if (ref.call != 0) j["call"] = ref.call;
}

void to_json_if_set(nlohmann::json& j, const char* name, const std::optional<std::string>& v) {
    if (v) j[name] = *v;
}

void to_json_if_nonempty(nlohmann::json& j, const char* name, const std::string& v) {
    if (!v.empty()) j[name] = v;
}
}  // namespace

nlohmann::json intent_to_json(const Intent& intent) {
    return std::visit(
        [](const auto& in) -> nlohmann::json {
            using T = std::decay_t<decltype(in)>;
            nlohmann::json j;  // every branch makes it an object (assigning over a json::object() leaked it under clang)
            if constexpr (std::is_same_v<T, LoginIntent>) {
                j = {{"type", "login"}, {"username", in.username}, {"password", in.password}};
            } else if constexpr (std::is_same_v<T, SetStateIntent>) {
                j = {{"type", "set_state"}, {"state", std::string(agent::to_string(in.state))}};
                to_json_if_set(j, "reason", in.reason);
            } else if constexpr (std::is_same_v<T, LogoutIntent>) {
                j = {{"type", "logout"}};
            } else if constexpr (std::is_same_v<T, AcceptIntent>) {
                j = {{"type", "accept"}, {"contact", in.contact}};
            } else if constexpr (std::is_same_v<T, RejectIntent>) {
                j = {{"type", "reject"}, {"contact", in.contact}};
            } else if constexpr (std::is_same_v<T, SendMessageIntent>) {
                j = {{"type", "send_message"}, {"contact", in.contact}, {"text", in.text}};
            } else if constexpr (std::is_same_v<T, TypingIntent>) {
                j = {{"type", "typing"}, {"contact", in.contact}, {"typing", in.typing}};
            } else if constexpr (std::is_same_v<T, TransferIntent>) {
                j = {{"type", "transfer"}};
                // A call with no contact (a colleague's) goes by its id, with no "contact" key:
                // that is how intent_from_json tells the two forms apart.
                if (in.contact.empty() && in.call != 0)
                    j["call"] = in.call;
                else
                    j["contact"] = in.contact;
                to_json_if_nonempty(j, "queue", in.queue);
                to_json_if_nonempty(j, "agent", in.agent);
                to_json_if_nonempty(j, "note", in.note);
                to_json_if_nonempty(j, "target", in.target);
                to_json_if_nonempty(j, "mode", in.mode);
            } else if constexpr (std::is_same_v<T, EndIntent>) {
                j = {{"type", "end"}, {"contact", in.contact}};
            } else if constexpr (std::is_same_v<T, WrapUpIntent>) {
                j = {{"type", "wrap_up"}, {"contact", in.contact}, {"disposition", in.disposition},
                     {"notes", in.notes}, {"tags", in.tags}};
            } else if constexpr (std::is_same_v<T, UpdateCustomerIntent>) {
                j = {{"type", "update_customer"}, {"customer", in.customer}};
                to_json_if_set(j, "first_name", in.first_name);
                to_json_if_set(j, "last_name", in.last_name);
                to_json_if_set(j, "email", in.email);
                to_json_if_set(j, "notes", in.notes);
                to_json_if_set(j, "address", in.address);
                to_json_if_set(j, "postcode", in.postcode);
                to_json_if_set(j, "phone", in.phone);
                to_json_if_set(j, "contact", in.contact);
            } else if constexpr (std::is_same_v<T, SaveDraftIntent>) {
                j = {{"type", "save_draft"}, {"contact", in.contact}};
                to_json_if_set(j, "text", in.text);
                if (in.wrap_up)
                    j["wrap_up"] = {{"disposition", in.wrap_up->disposition},
                                    {"notes", in.wrap_up->notes},
                                    {"tags", in.wrap_up->tags}};
            } else if constexpr (std::is_same_v<T, MarkReadIntent>) {
                j = {{"type", "mark_read"}, {"contact", in.contact}};
            } else if constexpr (std::is_same_v<T, DialIntent>) {
                j = {{"type", "dial"}};
                to_json_if_nonempty(j, "number", in.number);
                to_json_if_nonempty(j, "queue", in.queue);
                to_json_if_nonempty(j, "contact", in.contact);
                to_json_if_nonempty(j, "agent", in.agent);
            } else if constexpr (std::is_same_v<T, AnswerIntent>) {
                j = {{"type", "answer"}};
                to_json_call_ref(j, in.ref);
            } else if constexpr (std::is_same_v<T, HangupIntent>) {
                j = {{"type", "hangup"}};
                to_json_call_ref(j, in.ref);
            } else if constexpr (std::is_same_v<T, HoldIntent>) {
                j = {{"type", in.on ? "hold" : "resume"}};
                to_json_call_ref(j, in.ref);
            } else if constexpr (std::is_same_v<T, MuteIntent>) {
                j = {{"type", "mute"}, {"on", in.on}};
                to_json_call_ref(j, in.ref);
            } else if constexpr (std::is_same_v<T, DtmfIntent>) {
                j = {{"type", "dtmf"}, {"digits", in.digits}};
                to_json_call_ref(j, in.ref);
            } else if constexpr (std::is_same_v<T, TakePhoneIntent>) {
                j = {{"type", "take_phone"}};
            } else if constexpr (std::is_same_v<T, SetDeviceIntent>) {
                j = {{"type", "set_device"}, {"kind", in.kind}, {"id", in.id}};
            } else if constexpr (std::is_same_v<T, RefreshDevicesIntent>) {
                j = {{"type", "refresh_devices"}, {"probe", in.probe}};
            } else if constexpr (std::is_same_v<T, TestRingerIntent>) {
                j = {{"type", "test_ringer"}};
            } else if constexpr (std::is_same_v<T, VerifyAnswerIntent>) {
                j = {{"type", "verify_answer"}, {"contact", in.contact}, {"step", in.step}, {"answer", in.answer}};
            } else if constexpr (std::is_same_v<T, VerifySendCodeIntent>) {
                j = {{"type", "verify_send_code"}, {"contact", in.contact}};
            } else if constexpr (std::is_same_v<T, MfaIntent>) {
                j = {{"type", "mfa"}};
                to_json_if_nonempty(j, "code", in.code);
                to_json_if_nonempty(j, "recovery_code", in.recovery_code);
            } else if constexpr (std::is_same_v<T, MfaDoneIntent>) {
                j = {{"type", "mfa_done"}};
            } else if constexpr (std::is_same_v<T, SessionsIntent>) {
                j = {{"type", "sessions"}};
            } else if constexpr (std::is_same_v<T, FindAgentsIntent>) {
                j = {{"type", "find_agents"}};
                to_json_if_nonempty(j, "query", in.query);
            } else if constexpr (std::is_same_v<T, RevokeSessionIntent>) {
                j = {{"type", "revoke_session"}};
                to_json_if_nonempty(j, "session", in.session);
                if (in.all_others) j["all_others"] = true;
            } else if constexpr (std::is_same_v<T, PaymentStartIntent>) {
                j = {{"type", "payment_start"}, {"contact", in.contact}, {"amount", in.amount}};
                to_json_if_nonempty(j, "currency", in.currency);
            } else if constexpr (std::is_same_v<T, PaymentSubmitIntent>) {
                j = {{"type", "payment_submit"}, {"contact", in.contact},   {"payment", in.payment},
                     {"card_number", in.card_number}, {"expiry", in.expiry}, {"cvc", in.cvc}};
            } else if constexpr (std::is_same_v<T, PaymentCancelIntent>) {
                j = {{"type", "payment_cancel"}, {"contact", in.contact}, {"payment", in.payment}};
            } else if constexpr (std::is_same_v<T, RefundIntent>) {
                j = {{"type", "refund"}, {"contact", in.contact}, {"payment", in.payment}};
                if (in.amount != 0) j["amount"] = in.amount;  // 0: the whole payment
            } else {
                static_assert(to_json_unhandled_intent<T>, "intent_to_json: an Intent alternative has no case");
            }
            return j;
        },
        intent);
}

}  // namespace sb::desk

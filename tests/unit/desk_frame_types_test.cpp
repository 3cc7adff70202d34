// Backend frames whose fields have the wrong JSON type (issue 14). A buggy or hostile backend, or
// a proxy rewriting frames, must not kill the desk: in wasm an exception aborts the app.
//
// Every event and reply the desk reads is built valid here; then each of its fields in turn (at
// any depth) is replaced by a value of each other JSON type. For every such frame the desk must
//   - not throw (nor lean on Desk::handle's last-resort catch, which would log kHandlerFailed);
//   - refuse it with a log, and end in exactly the state that refusing leaves: the state before
//     (an event, or a frame it cannot match), or the state an unreadable reply leaves (its
//     request fails), or, for the parts of a session the desk can do without (one contact, the
//     queues, the SIP credentials...), the state that session leaves without that part;
//   - except where the protocol allows the value (null for a nullable field) or the desk does
//     not read the field at all: the small schema below says which.
#include <functional>
#include <map>

#include "desk_voice_harness.h"

using namespace sb::test;

namespace {

constexpr int64_t kNow = 1'700'000'000'000;

// ---- the valid frames' parts (no nulls: a null leaf could not be tested for its type) ---------
json customer_full(const std::string& id = "cu1") {
    return {{"id", id}, {"first_name", "Dana"}, {"last_name", "Whitfield"}, {"phone", "+15550100001"},
            {"chat_identity", "dana@example.com"}, {"email", "dana@example.com"}, {"notes", "prefers SMS"},
            {"history", json::array({{{"contact", "old1"}, {"channel", "sms"}, {"at", kNow - 86'400'000},
                                      {"queue", "support"}, {"disposition", "resolved"}, {"notes", "billing"},
                                      {"agent", "bob"}}})},
            {"sensitive", {{"unlocked", true},
                           {"accounts", json::array({{{"id", "a1"}, {"number", "12345678"}, {"plan", "Gold"},
                                                      {"status", "open"}, {"balance_cents", 1200}}})},
                           {"date_of_birth", "1980-01-02"}, {"address", "1 Main St"}, {"postcode", "AB1 2CD"},
                           {"payment_methods", json::array({{{"brand", "visa"}, {"last4", "1111"}, {"expiry", "12/30"}}})}}}};
}

json message_full(const std::string& id, const std::string& client_id = "m-elsewhere", int64_t seq = 1) {
    return {{"id", id}, {"seq", seq}, {"from", "agent"}, {"text", "Hello"}, {"at", kNow - 1000}, {"agent", "alice"},
            {"status", "delivered"}, {"segments", 1}, {"client_id", client_id}};
}

json verification_full() {
    return {{"state", "in_progress"}, {"required", 2},
            {"steps", json::array({{{"step", "dob"}, {"question", "Date of birth?"}, {"state", "passed"}, {"attempts_left", 3}},
                                   {{"step", "sms_code"}, {"question", "The code?"}, {"state", "pending"},
                                    {"attempts_left", 3}, {"code_expires_at", kNow + 300'000}}})},
            {"caller_number", "match"}, {"locked_until", kNow + 1}};
}

json payment_full(const std::string& state = "approved") {
    return {{"id", "p1"}, {"contact", "c1"}, {"state", state}, {"amount", 4599}, {"currency", "USD"}, {"recording", "on"},
            {"card", {{"brand", "visa"}, {"last4", "1111"}, {"expiry", "12/30"}}},
            {"error", {{"code", "payment_declined"}, {"message", "Declined."}}},
            {"created_at", kNow - 5000}, {"updated_at", kNow + 5000}};
}

json contact_full(const std::string& id, const std::string& state, const std::string& channel = "chat") {
    return {{"id", id}, {"channel", channel}, {"state", state}, {"queue", "support"}, {"customer", customer_full()},
            {"message_count", 1}, {"last_message", {{"id", "k-" + id}, {"seq", 1}}}, {"created_at", kNow - 60'000},
            {"offer_expires_at", kNow + 20'000}, {"accepted_at", kNow - 30'000}, {"ended_at", kNow - 1},
            {"ended_by", "customer"}, {"acw_expires_at", kNow + 60'000}, {"transfer", {{"from", "bob"}, {"note", "VIP"}}},
            {"customer_typing", true}, {"call", {{"direction", "inbound"}, {"number", "+15550100001"}, {"callback", true}}},
            {"verification", verification_full()}, {"payment", payment_full()}, {"recording", "on"}};
}

// A plain contact for the desk to hold (the frames under test change it).
json contact_plain(const std::string& id, const std::string& state, const std::string& channel = "chat") {
    json c = contact_full(id, state, channel);
    for (const char* k : {"offer_expires_at", "ended_at", "ended_by", "acw_expires_at", "transfer", "call", "payment"})
        c[k] = nullptr;
    c["customer_typing"] = false;
    c["recording"] = "off";
    c["message_count"] = 0;  // nothing to fetch: the frames under test bring the messages
    c["last_message"] = nullptr;
    return c;
}

json session_full(bool with_sip) {
    json s = {{"token", "tok-0123456789abcdef"}, {"session_id", "s-mine"}, {"expires_at", kNow + 3'600'000}, {"seq", 3},
              {"agent", DeskHarness::agent("available", nullptr, kNow)},
              {"reason_codes", json::array({{{"code", "break"}, {"label", "Break"}}})},
              {"contacts", json::array({contact_plain("c1", "active"), contact_plain("c2", "active", "sms"),
                                        contact_plain("c4", "offered")})},
              {"queues", json::array({{{"code", "support"}, {"name", "Support"}, {"number", "7001"},
                                       {"dispositions", json::array({{{"code", "resolved"}, {"label", "Resolved"}}})}}})},
              {"canned_responses", json::array({{{"id", "greet"}, {"title", "Greeting"}, {"text", "Hi!"}}})},
              {"agents", json::array({{{"username", "bob"}, {"display_name", "Bob"}, {"state", "available"}}})},
              {"recovery_codes", json::array({"abcde-fghij"})}, {"role", "agent"}};
    s["agent"]["reason"] = "none";  // not null, so that its type is tested too (the state is not not_ready: no check)
    if (with_sip) s["sip"] = kSip;
    return s;
}

json mfa_full() {
    return {{"mfa", {{"step", "enroll"}, {"challenge", "ch-1"}, {"expires_at", kNow + 300'000}, {"secret", "JBSWY3DP"},
                     {"otpauth", "otpauth://totp/x"}, {"qr", {{"size", 2}, {"modules", "1001"}}}}}};
}

// ---- a small schema of what the desk reads (docs/protocol.md) ---------------------------------
// For each kind of object: its fields, the kind of their value (an object's, or an array's
// elements'; "" for a leaf), whether null is allowed, and whether the desk reads it at all
// ("lenient": read, but any value has a default, like a reply's error object).
struct Field {
    std::string kind;
    bool nullable = false;
    bool lenient = false;
};
using Schema = std::map<std::string, std::map<std::string, Field>>;

const Schema& schema() {
    const Field leaf{}, null_leaf{"", true}, unread{"", false, true};
    static const Schema s = {
        {"agent", {{"username", leaf}, {"display_name", leaf}, {"state", leaf}, {"reason", null_leaf}, {"state_since", leaf}}},
        {"reason_code", {{"code", leaf}, {"label", leaf}}},
        {"session", {{"token", leaf}, {"session_id", leaf}, {"expires_at", leaf}, {"agent", {"agent"}},
                     {"reason_codes", {"reason_code"}}, {"seq", leaf}, {"contacts", {"contact"}}, {"queues", {"queue"}},
                     {"canned_responses", {"canned"}}, {"agents", {"agent_summary"}}, {"sip", {"sip", true}},
                     {"recovery_codes", leaf}, {"role", unread}}},
        {"sip", {{"uri", leaf}, {"username", leaf}, {"password", leaf}, {"realm", leaf}, {"ws_url", leaf}}},
        {"mfa_result", {{"mfa", {"mfa"}}}},
        {"mfa", {{"step", leaf}, {"challenge", leaf}, {"expires_at", leaf}, {"secret", leaf}, {"otpauth", leaf}, {"qr", {"qr"}}}},
        {"qr", {{"size", leaf}, {"modules", leaf}}},
        {"hello", {{"version", leaf}, {"server", unread}, {"now", leaf}, {"max_frame", unread}}},
        {"queue", {{"code", leaf}, {"name", leaf}, {"number", null_leaf}, {"dispositions", {"disposition"}}}},
        {"disposition", {{"code", leaf}, {"label", leaf}}},
        {"canned", {{"id", leaf}, {"title", leaf}, {"text", leaf}}},
        {"agent_summary", {{"username", leaf}, {"display_name", leaf}, {"state", leaf}}},
        {"contact", {{"id", leaf}, {"channel", leaf}, {"state", leaf}, {"queue", leaf}, {"customer", {"customer"}},
                     {"message_count", leaf}, {"last_message", {"last_message", true, true}}, {"created_at", leaf},
                     {"offer_expires_at", null_leaf},
                     {"accepted_at", null_leaf}, {"ended_at", null_leaf}, {"ended_by", null_leaf},
                     {"acw_expires_at", null_leaf}, {"transfer", {"transfer", true}}, {"customer_typing", leaf},
                     {"call", {"call", true}}, {"verification", {"verification", true}}, {"payment", {"payment", true}},
                     {"recording", null_leaf}}},
        {"last_message", {{"id", leaf}, {"seq", leaf}}},  // not read: the desk counts (message_count)
        {"transfer", {{"from", leaf}, {"note", leaf}}},
        {"call", {{"direction", leaf}, {"number", null_leaf}, {"callback", leaf}}},
        {"message", {{"id", leaf}, {"seq", leaf}, {"from", leaf}, {"text", leaf}, {"at", leaf}, {"agent", null_leaf},
                     {"status", null_leaf}, {"segments", null_leaf}, {"client_id", null_leaf}}},
        {"customer", {{"id", leaf}, {"first_name", null_leaf}, {"last_name", null_leaf}, {"phone", null_leaf},
                      {"chat_identity", null_leaf}, {"email", null_leaf}, {"notes", null_leaf},
                      {"history", {"interaction"}}, {"sensitive", {"sensitive", true}}}},
        {"interaction", {{"contact", leaf}, {"channel", leaf}, {"at", leaf}, {"queue", null_leaf},
                         {"disposition", null_leaf}, {"notes", null_leaf}, {"agent", null_leaf}}},
        {"sensitive", {{"unlocked", leaf}, {"accounts", {"account"}}, {"date_of_birth", null_leaf}, {"address", null_leaf},
                       {"postcode", null_leaf}, {"payment_methods", {"card", true}}}},
        {"account", {{"id", leaf}, {"number", null_leaf}, {"plan", null_leaf}, {"status", null_leaf},
                     {"balance_cents", null_leaf}}},
        {"card", {{"brand", leaf}, {"last4", leaf}, {"expiry", leaf}}},
        {"verification", {{"state", leaf}, {"required", leaf}, {"steps", {"step"}}, {"caller_number", null_leaf},
                          {"locked_until", null_leaf}}},
        {"step", {{"step", leaf}, {"question", unread}, {"state", leaf}, {"attempts_left", leaf},
                  {"code_expires_at", null_leaf}}},
        {"payment", {{"id", leaf}, {"contact", unread}, {"state", leaf}, {"amount", leaf}, {"currency", leaf},
                     {"recording", null_leaf}, {"card", {"card", true}}, {"error", {"payment_error", true}},
                     {"created_at", leaf}, {"updated_at", leaf}}},
        {"payment_error", {{"code", leaf}, {"message", null_leaf}}},
        {"error", {{"code", unread}, {"message", unread}, {"retry_after_ms", unread}, {"attempts_left", unread},
                   {"locked_until", unread}}},
        // replies' results and events' data
        {"set_state_result", {{"agent", {"agent"}}}},
        {"contact_result", {{"contact", {"contact"}}}},
        {"customer_result", {{"customer", {"customer"}}}},
        {"payment_result", {{"payment", {"payment"}}}},
        {"verify_answer_result", {{"passed", unread}, {"attempts_left", unread}, {"state", unread},
                                  {"verification", {"verification"}}}},
        {"message_result", {{"message", {"message"}}}},
        {"messages_result", {{"messages", {"message"}}, {"more", leaf}}},
        {"dial_result", {{"contact", {"contact"}}, {"dial", leaf}}},
        {"sessions_result", {{"sessions", {"session_info"}}}},
        {"session_info", {{"id", leaf}, {"address", leaf}, {"created_at", leaf}, {"last_seen", leaf},
                          {"expires_at", leaf}, {"current", leaf}}},
        {"revoke_result", {{"revoked", leaf}}},
        {"ping_result", {{"now", unread}}},
        {"empty", {}},
        {"session_revoked", {{"session", leaf}, {"reason", unread}}},
        {"contact_message", {{"contact", leaf}, {"message", {"message"}}}},
        {"contact_typing", {{"contact", leaf}, {"typing", leaf}}},
        {"contact_ended", {{"contact", leaf}, {"reason", leaf}}},
        {"contact_verification", {{"contact", leaf}, {"verification", {"verification"}}, {"customer", {"customer", true}}}},
        {"contact_recording", {{"contact", leaf}, {"recording", leaf}}},
        {"contact_payment", {{"contact", leaf}, {"payment", {"payment"}}}},
    };
    return s;
}

// ---- the mutations -------------------------------------------------------------------------------
enum class T { Null, Bool, Int, Float, String, Object, Array };
const T kTypes[] = {T::Null, T::Bool, T::Int, T::Float, T::String, T::Object, T::Array};

T type_of(const json& v) {
    if (v.is_null()) return T::Null;
    if (v.is_boolean()) return T::Bool;
    if (v.is_number_integer()) return T::Int;
    if (v.is_number_float()) return T::Float;
    if (v.is_string()) return T::String;
    if (v.is_object()) return T::Object;
    return T::Array;
}

json value_of(T t) {
    switch (t) {
        case T::Null: return nullptr;
        case T::Bool: return true;
        case T::Int: return 7;
        case T::Float: return 1.5;
        case T::String: return "7";
        case T::Object: return json::object({{"k", 1}});
        case T::Array: return json::array({1});
    }
    return nullptr;
}

struct Mutation {
    json::json_pointer where;
    std::string path;  // for people: result.contacts[0].customer.phone
    json value;
    bool tolerated;    // the protocol allows this value there, or the desk does not read the field
};

void mutations_of(const json& v, const json::json_pointer& where, const std::string& path, const Field& field,
                  bool lenient, std::vector<Mutation>& out) {
    lenient = lenient || field.lenient;
    if (v.is_null()) return;  // its intended type is unknown: the fixtures avoid nulls where they can
    if (!where.empty())
        for (T t : kTypes)
            if (t != type_of(v)) out.push_back({where, path, value_of(t), lenient || (t == T::Null && field.nullable)});
    if (v.is_array()) {
        Field element{field.kind};  // elements are never null
        for (size_t i = 0; i < v.size(); ++i)
            mutations_of(v[i], where / i, path + "[" + std::to_string(i) + "]", element, lenient, out);
    } else if (v.is_object()) {
        auto kind = schema().find(field.kind);
        REQUIRE_MESSAGE(kind != schema().end(), "no schema for " << path << " (" << field.kind << ")");
        for (auto it = v.begin(); it != v.end(); ++it) {
            auto f = kind->second.find(it.key());
            REQUIRE_MESSAGE(f != kind->second.end(), "the schema has no " << field.kind << "." << it.key());
            mutations_of(*it, where / it.key(), path.empty() ? it.key() : path + "." + it.key(), f->second, lenient, out);
        }
    }
}

// ---- the cases -----------------------------------------------------------------------------------
struct Case {
    std::string name;
    std::function<void(DeskHarness&)> setup;      // the desk just before the frame (a request waiting, if a reply)
    std::function<json(DeskHarness&)> frame;      // the valid frame
    std::string root_kind;                        // the kind of `data` (events) or `result`/`error` (replies)
    std::vector<std::string> parts;               // JSON pointers of the parts the desk may refuse alone
    bool is_event() const { return name.rfind("event ", 0) == 0; }
};

json snapshot(const DeskHarness& h, bool with_seq) {
    json j = sb::desk::state_to_json(h.s(), h.now);
    if (!with_seq) j.erase("last_seq");
    json agents = json::array();
    for (const auto& a : h.s().agents) agents.push_back({a.username, a.display_name, sb::agent::to_string(a.state)});
    j["agents"] = std::move(agents);
    j["token"] = h.s().token;
    j["pending"] = h.s().pending.size();
    j["outbox"] = h.s().outbox.size();
    return j;
}

bool logged_refusal(const DeskHarness& h) {
    for (const auto& e : h.effects)
        if (auto* l = std::get_if<Log>(&e); l && (l->level == LogLevel::Warn || l->level == LogLevel::Error)) return true;
    return false;
}

// Steps the desk; an exception escaping handle() fails the check instead of the test case, so
// that every mutation is tried.
bool step_caught(DeskHarness& h, const Event& e, const std::string& what) {
    try {
        h.step(e);
    } catch (const std::exception& x) {
        FAIL_CHECK("handle() threw on " << what << ": " << std::string(x.what()));
        return false;
    }
    for (const auto& eff : h.effects)
        if (auto* l = std::get_if<Log>(&eff); l && l->message.find(sb::desk::kHandlerFailed) != std::string::npos) {
            FAIL_CHECK("the last-resort catch caught " << what << ": " << l->message);
            return false;
        }
    return true;
}

void login_plain(DeskHarness& h) {
    h.now = kNow;
    h.connect();
    h.intent(LoginIntent{"alice", "switchboard"});
    h.reply_ok(session_full(false));
    REQUIRE(h.s().session == SessionState::LoggedIn);
    REQUIRE(h.s().contacts.size() == 3);
}

void registered_phone(DeskHarness& h) {
    h.now = kNow;
    login_with_sip(h);
    h.step(SipTransportOpened{});
    auto reg = parsed(sip_sent(h.effects).at(0));
    h.step(SipReceived{answer(reg, 200, "OK", {{"Contact", std::string(reg.find("Contact")->value) + ";expires=600"}})});
    REQUIRE(h.s().voice.registration == sb::sip::RegistrationState::registered);
}

json reply_to(DeskHarness& h, json result) {
    return protocol::reply_ok(h.last_sent()["id"].get<std::string>(), std::move(result));
}

Case event_case(const std::string& name, std::string kind, json data) {
    return {"event " + name, login_plain,
            [name, data](DeskHarness&) { return protocol::event_frame(4, name, data); }, std::move(kind), {}};
}

Case reply_case(const std::string& name, std::function<void(DeskHarness&)> setup, std::string kind, json result,
                std::vector<std::string> parts = {}) {
    return {"reply to " + name, std::move(setup), [result](DeskHarness& h) { return reply_to(h, result); },
            std::move(kind), std::move(parts)};
}

std::vector<Case> cases() {
    auto connected = [](DeskHarness& h) { h.now = kNow; h.step(Start{"ws://backend/desk", 42, std::nullopt}); h.step(TransportOpened{}); };
    auto logging_in = [](DeskHarness& h) { h.now = kNow; h.connect(); h.intent(LoginIntent{"alice", "switchboard"}); };
    auto resuming = [](DeskHarness& h) { h.now = kNow; h.connect(StoredSession{"tok-0123456789abcdef", 2, "alice"}); };
    auto on_c1 = [](Intent in) { return [in](DeskHarness& h) { login_plain(h); h.intent(in); }; };
    std::vector<Case> out = {
        event_case("agent.state", "agent", DeskHarness::agent("not_ready", "break", kNow + 1)),
        event_case("session.revoked", "session_revoked", {{"session", "s-other"}, {"reason", "revoked"}}),
        event_case("contact.offered", "contact", contact_full("c3", "offered")),
        event_case("contact.updated", "contact", contact_full("c1", "active")),
        event_case("contact.message", "contact_message", {{"contact", "c1"}, {"message", message_full("k9")}}),
        event_case("contact.typing", "contact_typing", {{"contact", "c1"}, {"typing", true}}),
        event_case("contact.ended", "contact_ended", {{"contact", "c2"}, {"reason", "transferred"}}),
        event_case("contact.verification", "contact_verification",
                   {{"contact", "c1"}, {"verification", verification_full()}, {"customer", customer_full()}}),
        event_case("contact.recording", "contact_recording", {{"contact", "c1"}, {"recording", "paused"}}),
        event_case("contact.payment", "contact_payment", {{"contact", "c1"}, {"payment", payment_full()}}),

        reply_case("hello", connected, "hello", {{"version", 3}, {"server", "test"}, {"now", kNow + 5}, {"max_frame", 65536}}),
        reply_case("login (a session)", logging_in, "session", session_full(true),
                   {"/result/contacts/0", "/result/contacts/1", "/result/contacts/2", "/result/contacts", "/result/queues",
                    "/result/canned_responses", "/result/agents", "/result/sip", "/result/recovery_codes"}),
        reply_case("login (a second factor)", logging_in, "mfa_result", mfa_full(), {"/result/mfa/qr"}),
        reply_case("resume", resuming, "session", session_full(false),
                   {"/result/contacts/0", "/result/contacts/1", "/result/contacts/2", "/result/contacts", "/result/queues",
                    "/result/canned_responses", "/result/agents", "/result/recovery_codes"}),
        reply_case("set_state", on_c1(SetStateIntent{sb::agent::Presence::NotReady, "break"}), "set_state_result",
                   {{"agent", DeskHarness::agent("not_ready", "break", kNow)}}),
        reply_case("accept", on_c1(AcceptIntent{"c4"}), "contact_result", {{"contact", contact_full("c4", "active")}}),
        reply_case("update_customer", on_c1(UpdateCustomerIntent{"cu1", "Dee", {}, {}, {}}), "customer_result",
                   {{"customer", customer_full()}}),
        reply_case("verify_answer", on_c1(VerifyAnswerIntent{"c1", "dob", "1980-01-02"}), "verify_answer_result",
                   {{"passed", true}, {"attempts_left", 2}, {"state", "in_progress"}, {"verification", verification_full()}}),
        reply_case("payment_start", on_c1(PaymentStartIntent{"c1", 4599, "USD"}), "payment_result",
                   {{"payment", payment_full("capturing")}}),
        reply_case("sessions", on_c1(SessionsIntent{}), "sessions_result",
                   {{"sessions", json::array({{{"id", "s-mine"}, {"address", "127.0.0.1"}, {"created_at", 1},
                                               {"last_seen", 2}, {"expires_at", 3}, {"current", true}}})}}),
        reply_case("revoke_session", on_c1(RevokeSessionIntent{"s-other", false}), "revoke_result",
                   {{"revoked", json::array({"s-other"})}}),
        reply_case("logout", on_c1(LogoutIntent{}), "empty", json::object()),
        reply_case("ping", [](DeskHarness& h) { login_plain(h); h.step(TimerFired{TimerId::Heartbeat}); }, "ping_result",
                   {{"now", kNow}}),
        reply_case("dial", [](DeskHarness& h) { registered_phone(h); h.intent(DialIntent{"+15550100002", "", ""}); }, "dial_result",
                   {{"contact", contact_full("c-out", "active", "voice")}, {"dial", "+15550100002"}}),
    };
    // send_message: the reply carries the message back with the client_id the desk chose.
    out.push_back({"reply to send_message", on_c1(SendMessageIntent{"c1", "Hello"}),
                   [](DeskHarness& h) {
                       return reply_to(h, {{"message", message_full("k10", h.last_sent()["client_id"].get<std::string>())}});
                   },
                   "message_result", {}});
    // get_messages: a page of a transcript the desk asked for (a contact.updated said it has two).
    out.push_back({"reply to get_messages",
                   [](DeskHarness& h) {
                       login_plain(h);
                       json c1 = contact_plain("c1", "active");
                       c1["message_count"] = 2;
                       h.event(4, "contact.updated", c1);
                       REQUIRE(h.last_sent()["type"] == "get_messages");
                   },
                   [](DeskHarness& h) {
                       return reply_to(h, {{"messages", json::array({message_full("k1", "m-a", 1), message_full("k2", "m-b", 2)})},
                                           {"more", true}});
                   },
                   "messages_result", {}});
    // Errors: any error object is an error (the code and message have defaults).
    out.push_back({"error reply to login", logging_in,
                   [](DeskHarness& h) {
                       json e = protocol::reply_error(h.last_sent()["id"], make_error("account_locked", "Locked."));
                       e["error"]["retry_after_ms"] = 1000;
                       e["error"]["locked_until"] = kNow + 1000;
                       e["error"]["attempts_left"] = 2;
                       return e;
                   },
                   "error", {}});
    return out;
}

// Runs `c` to just before its frame; returns the desk.
std::unique_ptr<DeskHarness> prepared(const Case& c) {
    auto h = std::make_unique<DeskHarness>();
    c.setup(*h);
    return h;
}

}  // namespace

TEST_CASE("every field of every backend frame, in every wrong JSON type: no throw, refused whole, nothing half-applied") {
    int refused = 0;
    for (const Case& c : cases()) {
        INFO(c.name);
        // The valid frame is read without complaint.
        auto valid = prepared(c);
        json frame = c.frame(*valid);
        REQUIRE(step_caught(*valid, FrameReceived{frame.dump()}, "the valid frame"));
        REQUIRE_MESSAGE(!logged_refusal(*valid), "the valid frame was refused: " << frame.dump());

        // What refusing leaves: nothing changed (an event; a frame matched to no request) or
        // the request failed (a reply it cannot read), or the session without one of its parts.
        auto unreadable = prepared(c);
        json garbled = c.frame(*unreadable);
        garbled["ok"] = "garbage";
        REQUIRE(step_caught(*unreadable, FrameReceived{garbled.dump()}, "an unreadable reply"));
        json after_unreadable = snapshot(*unreadable, false);
        std::map<std::string, json> after_part;
        for (const std::string& part : c.parts) {
            auto h = prepared(c);
            json f = c.frame(*h);
            f[json::json_pointer(part)] = "garbage";
            REQUIRE(step_caught(*h, FrameReceived{f.dump()}, "a frame without " + part));
            CHECK_MESSAGE(logged_refusal(*h), "no log for the unreadable part " << part);
            after_part[part] = snapshot(*h, false);
        }
        if (!c.is_event()) CHECK(logged_refusal(*unreadable));

        // The frame's envelope, then everything inside.
        std::vector<Mutation> ms;
        Field data{c.root_kind, false, c.root_kind == "error"};  // any error object is an error
        json envelope_kinds = c.is_event() ? json{"type", "seq", "event"} : json{"type", "id", "ok"};
        for (const auto& k : envelope_kinds) {
            std::string key = k.get<std::string>();
            for (T t : kTypes)
                if (t != type_of(frame[key])) ms.push_back({json::json_pointer("/" + key), key, value_of(t), false});
        }
        const char* body = c.is_event() ? "data" : c.root_kind == "error" ? "error" : "result";
        mutations_of(frame[body], json::json_pointer("/" + std::string(body)), body, data, false, ms);

        for (const Mutation& m : ms) {
            std::string what = m.path + " = " + m.value.dump();
            INFO(what);
            auto h = prepared(c);
            json f = c.frame(*h);
            json before = snapshot(*h, false);
            f[m.where] = m.value;
            if (!step_caught(*h, FrameReceived{f.dump()}, what)) continue;
            json after = snapshot(*h, false);
            (void)sb::desk::state_to_json(h->s(), h->now).dump();  // still serialisable for the JS API
            if (m.tolerated) continue;
            ++refused;
            CHECK_MESSAGE(logged_refusal(*h), "accepted without a word: " << what);
            // The innermost part the desk may refuse alone, else the whole frame.
            std::string pointer = m.where.to_string(), unit;
            for (const std::string& part : c.parts)
                if ((pointer == part || pointer.rfind(part + "/", 0) == 0) && part.size() > unit.size()) unit = part;
            if (!unit.empty()) {
                CHECK_MESSAGE(after == after_part[unit], "refusing " << what << " changed more than dropping " << unit);
            } else if (c.is_event() || m.path == "type" || m.path == "id") {
                CHECK_MESSAGE(after == before, "refusing " << what << " changed the desk");
                if (c.is_event())
                    for (const auto& e : h->effects) CHECK_FALSE_MESSAGE(std::holds_alternative<Notify>(e), what);
            } else {
                CHECK_MESSAGE(after == after_unreadable, "refusing " << what << " is not refusing the reply");
            }
        }
    }
    CHECK(refused > 5000);  // the sweep really reaches every frame's fields
}

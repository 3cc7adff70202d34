// protocol/frames.cpp: the envelope of a backend frame (decode_frame) and the events' data
// (decode_event). Replies' results are in frames_replies.cpp.
#include <string>

#include "protocol/frames.h"
#include "protocol/depth.h"
#include "protocol/reader.h"
#include "protocol/schema.h"

namespace sb::protocol {

Error unreadable_reply() { return make_error(kUnreadableReplyCode, kUnreadableReplyMessage); }

// Arrays and objects nested deeper than the limit, outside strings. Counted before parsing, so
// that nothing recursive (destroying, copying, serializing for the JS API) ever sees such a tree.
bool nested_too_deep(std::string_view text) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > kMaxFrameDepth) return true;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

namespace {

// An error reply's error: whatever it lacks gets a default (it is an error either way).
void read_error(const JsonValue& frame, ReplyFrame& r) {
    const JsonValue* e = frame.find("error");
    if (!e || !e->is_object()) {
        r.error = make_error(code::internal, "The backend sent an unreadable error.");
        return;
    }
    Fields f(*e, "error");
    r.error = make_error(f.str_or("code", code::internal), f.str_or("message", "Unknown error."));
    if (r.error.code.empty()) r.error.code = code::internal;
    if (auto retry = f.integer_or_null("retry_after_ms")) r.error.retry_after_ms = *retry;
    r.attempts_left = f.integer_or_null("attempts_left");
    r.locked_until_ms = f.integer_or_null("locked_until").value_or(0);
}

std::string problem_of(const Fields& f) { return f.done(0).error().message; }

}  // namespace

Result<Frame> decode_frame(std::string_view text) {
    // Too deep is refused before anything recurses over it: the parser stops at the limit. Text
    // that nests too deep past where the parser stopped (at an error, or at a NUL after the
    // value) is refused as too deep all the same, as it was when the depth was counted first.
    auto parsed = JsonDoc::parse(text, kMaxFrameDepth);
    bool unread = parsed.status == JsonDoc::Status::Invalid || (parsed.status == JsonDoc::Status::Ok && parsed.length < text.size());
    if (parsed.status == JsonDoc::Status::TooDeep || (unread && nested_too_deep(text)))
        return make_error(code::bad_json, "The frame nests deeper than " + std::to_string(kMaxFrameDepth) + " levels.");
    if (parsed.status != JsonDoc::Status::Ok || !parsed.doc.root().is_object())
        return make_error(code::bad_json, "The frame is not a JSON object.");
    JsonDoc& frame = parsed.doc;
    const JsonValue& doc = frame.root();

    Fields f(doc, "frame");
    std::string type = f.str("type");
    if (!f.ok()) return f.done(Frame{});
    if (type == "event") {
        EventFrame e;
        e.seq = f.integer("seq");
        e.name = f.str("event");
        const JsonValue* data = f.object("data");
        if (!f.ok()) return f.done(Frame{});
        frame.set_root(*data);  // the frame's document, read from its data
        e.data = std::move(frame);
        return Frame{std::move(e)};
    }
    if (type != "reply") return make_error(code::bad_message, "frame.type must be \"reply\" or \"event\"");

    // Without its id a reply cannot be matched to its request: refused whole. With it, a reply
    // that cannot be read otherwise still answers its request (with an error).
    ReplyFrame r;
    r.id = f.str("id");
    if (!f.ok()) {
        // How a backend answers a request it could not read at all (id null): its error says
        // what this desk sent wrong, which is worth the log.
        ReplyFrame unmatched;
        if (const JsonValue* e = doc.find("error"); e && e->is_object()) {
            read_error(doc, unmatched);
            return make_error(code::bad_message, "a reply without a request id, error " + unmatched.error.code.substr(0, 64) +
                                                     ": " + unmatched.error.message.substr(0, 200));
        }
        return f.done(Frame{});
    }
    Fields body(doc, "reply");
    bool ok = body.boolean("ok");
    if (body.ok() && ok) {
        if (const JsonValue* result = body.object("result")) {
            frame.set_root(*result);  // the frame's document, read from its result
            r.result = std::move(frame);
        }
        r.ok = body.ok();
    } else if (body.ok()) {
        read_error(doc, r);
    }
    if (!body.ok()) {
        r.ok = false;
        r.result = JsonDoc();
        r.error = unreadable_reply();
        r.refused = problem_of(body);
    }
    return Frame{std::move(r)};
}

// ---- events ---------------------------------------------------------------------------------------------

Result<Event> decode_event(const EventFrame& frame) {
    std::string_view name = frame.name;  // compared by length first, with no strlen
    const JsonValue& data = frame.data.root();
    if (name == "agent.state") {
        auto a = agent::agent_from_json(data, frame.name);
        if (!a) return a.error();
        return Event{AgentChanged{std::move(a.value())}};
    }
    if (name == "session.revoked") {
        Fields f(data, frame.name);
        SessionRevoked s{f.str("session"), f.str_or("reason", "")};
        return f.done(Event{std::move(s)});
    }
    if (name == "contact.offered" || name == "contact.updated") {
        auto c = contact::contact_from_json(data, frame.name);
        if (!c) return c.error();
        return Event{ContactChanged{name == "contact.offered", std::move(c.value())}};
    }
    Fields f(data, frame.name);
    if (name == "contact.message") {
        ContactMessage m;
        m.contact = f.str("contact");
        if (const JsonValue* v = f.object("message")) {
            auto decoded = contact::message_from_json(*v, f.path("message"));
            if (!decoded) f.fail_with(decoded.error());
            else m.message = std::move(decoded.value());
        }
        return f.done(Event{std::move(m)});
    }
    if (name == "contact.typing") {
        ContactTyping t;
        t.contact = f.str("contact");
        t.typing = f.boolean("typing");
        return f.done(Event{std::move(t)});
    }
    if (name == "contact.ended") {
        ContactEnded x;
        x.contact = f.str("contact");
        x.reason = f.str_or("reason", "closed");
        return f.done(Event{std::move(x)});
    }
    if (name == "contact.verification") {
        ContactVerification v;
        v.contact = f.str("contact");
        if (const JsonValue* flow = f.object("verification")) {
            auto decoded = verify::flow_from_json(*flow, f.path("verification"));
            if (!decoded) f.fail_with(decoded.error());
            else v.verification = std::move(decoded.value());
        }
        if (const JsonValue* cu = f.object_or_null("customer")) {
            auto decoded = contact::customer_from_json(*cu, f.path("customer"));
            if (!decoded) f.fail_with(decoded.error());
            else v.customer = std::move(decoded.value());
        }
        return f.done(Event{std::move(v)});
    }
    if (name == "contact.recording") {
        ContactRecording r;
        r.contact = f.str("contact");
        auto recording = contact::parse_recording_state(f.str("recording"));
        if (recording) r.recording = *recording;
        else if (f.ok()) f.fail("recording", "a recording state");
        return f.done(Event{std::move(r)});
    }
    if (name == "contact.payment") {
        ContactPayment p;
        p.contact = f.str("contact");
        if (const JsonValue* v = f.object("payment")) {
            auto decoded = contact::payment_from_json(*v, f.path("payment"));
            if (!decoded) f.fail_with(decoded.error());
            else p.payment = std::move(decoded.value());
        }
        return f.done(Event{std::move(p)});
    }
    return Event{OtherEvent{frame.name}};
}

}  // namespace sb::protocol

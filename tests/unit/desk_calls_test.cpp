// The desk's calls (core/desk/calls.cpp): an INVITE rings, answer asks the media for an answer
// and sends it in the 200 and tells the backend (accept); hold and resume re-INVITE with our
// SDP's direction changed; DTMF goes in-band or by INFO when the media cannot; a BYE ends the
// call and the contact (end, by customer); decline sends 486 and reject; dial asks the backend
// for the contact, then the media for an offer, then INVITEs with X-Switchboard-Contact.
#include "desk_voice_harness.h"
#include "sip/sdp.h"

#include <set>
#include <utility>

using namespace sb::test;

namespace {

const std::string kOffer =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";
const std::string kLocal =
    "v=0\r\no=browser 77 2 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
    "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\na=sendrecv\r\n";

json voice_contact(const std::string& id, const std::string& state, const std::string& direction = "inbound") {
    return {{"id", id}, {"channel", "voice"}, {"state", state}, {"queue", "support"},
            {"customer", {{"id", "cu1"}, {"first_name", "Dana"}, {"last_name", "Whitfield"}, {"phone", "+15550100001"},
                          {"chat_identity", nullptr}, {"email", nullptr}, {"notes", ""}, {"history", json::array()}}},
            {"message_count", 0}, {"last_message", nullptr}, {"created_at", 1'700'000'000'000},
            {"offer_expires_at", state == "offered" ? json(1'700'000'020'000) : json(nullptr)},
            {"accepted_at", state == "active" ? json(1'700'000'001'000) : json(nullptr)}, {"ended_at", nullptr},
            {"ended_by", nullptr}, {"acw_expires_at", nullptr}, {"transfer", nullptr}, {"customer_typing", false},
            {"call", {{"direction", direction}, {"number", "+15550100001"}, {"callback", false}}}};
}

// A logged-in desk whose phone is registered.
void registered(DeskHarness& h) {
    login_with_sip(h);
    h.step(SipTransportOpened{});
    auto reg = parsed(sip_sent(h.effects).at(0));
    h.step(SipReceived{answer(reg, 200, "OK", {{"Contact", std::string(reg.find("Contact")->value) + ";expires=600"}})});
    REQUIRE(h.s().voice.registration == sb::sip::RegistrationState::registered);
}

std::string invite(const std::string& call_id, const std::string& sdp, const std::string& extra) {
    return "INVITE sip:alice@df7jal23ls0d.invalid;transport=ws SIP/2.0\r\n"
           "Via: SIP/2.0/WS proxy.test;branch=z9hG4bK" + call_id + "\r\n"
           "From: \"Dana Whitfield\" <sip:+15550100001@switchboard.test>;tag=caller1\r\n"
           "To: <sip:alice@switchboard.test>\r\n"
           "Call-ID: " + call_id + "\r\nCSeq: 1 INVITE\r\nMax-Forwards: 69\r\n"
           "Contact: <sip:dana@proxy.test;transport=ws>\r\n" + extra +
           "Content-Type: application/sdp\r\nContent-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
}

template <class F>
std::vector<Media> media_of(const DeskHarness& h, F&& pred) {
    std::vector<Media> out;
    for (const auto& e : h.effects)
        if (auto* m = std::get_if<Media>(&e); m && pred(*m)) out.push_back(*m);
    return out;
}
std::vector<Media> media_op(const DeskHarness& h, MediaOp op) {
    return media_of(h, [&](const Media& m) { return m.op == op; });
}

std::optional<sb::sip::Message> sent_starting(const DeskHarness& h, const std::string& prefix) {
    for (auto& t : sip_sent(h.effects))
        if (t.rfind(prefix, 0) == 0) return parsed(t);
    return std::nullopt;
}

// The desk rings with a call for contact c-v1 (offered to it by the backend too).
sb::sip::Message ring(DeskHarness& h, const std::string& contact = "c-v1") {
    h.event(4, "contact.offered", voice_contact(contact, "offered"));
    std::string text = invite("call-" + contact, kOffer, "X-Switchboard-Contact: " + contact + "\r\n");
    h.step(SipReceived{text});
    return parsed(text);
}

// Answers the ringing call: the media makes the answer, the 200 carries it.
sb::sip::Message answer_call(DeskHarness& h, const std::string& contact = "c-v1") {
    uint64_t id = h.intent(AnswerIntent{CallRef{contact, 0}});
    auto start = media_op(h, MediaOp::Start);
    REQUIRE(start.size() == 1);
    CHECK(start[0].sdp == kOffer);  // answer the caller's offer
    CHECK_FALSE(h.completion(id));  // not before the media has answered
    h.step(MediaEvent{MediaEvent::Kind::LocalSdp, start[0].call, kLocal, {}, nullptr, {}});
    auto ok = sent_starting(h, "SIP/2.0 200");
    REQUIRE(ok);
    CHECK(std::string(ok->body()) == kLocal);
    REQUIRE(h.completion(id));
    CHECK_FALSE(h.completion(id)->error);
    return *ok;
}

// A request from the caller inside the dialog the desk's 200 made.
std::string in_dialog(const sb::sip::Message& ok, const std::string& method, int cseq, const std::string& branch,
                      const std::string& content_type = {}, const std::string& body = {}, const std::string& extra = {}) {
    std::string m = method + " sip:alice@df7jal23ls0d.invalid;transport=ws SIP/2.0\r\n"
                    "Via: SIP/2.0/WS proxy.test;branch=z9hG4bK" + branch + "\r\n"
                    "From: " + std::string(ok.find("From")->value) + "\r\n"
                    "To: " + std::string(ok.find("To")->value) + "\r\n"
                    "Call-ID: " + std::string(ok.find("Call-ID")->value) + "\r\n"
                    "CSeq: " + std::to_string(cseq) + " " + method + "\r\nMax-Forwards: 69\r\n"
                    "Contact: <sip:dana@proxy.test;transport=ws>\r\n" + extra;
    if (!content_type.empty()) m += "Content-Type: " + content_type + "\r\n";
    return m + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The desk's in-dialog request answered by the caller.
std::string reply_to(const sb::sip::Message& request, int status, const std::string& body = {}) {
    auto r = sb::sip::make_response(request, status, status == 200 ? "OK" : "Error", "caller1");
    REQUIRE(r.ok());
    sb::sip::Message m = r.value();
    if (!body.empty()) {
        REQUIRE(m.add_header("Content-Type", "application/sdp").ok());
        REQUIRE(m.add_header("Contact", "<sip:dana@proxy.test;transport=ws>").ok());
        m.set_body(body);
    }
    return m.serialize();
}

}  // namespace

TEST_CASE("calls: an INVITE rings with its contact, answer sends the media's answer and accepts the contact") {
    DeskHarness h;
    registered(h);
    ring(h);
    REQUIRE(h.s().calls.size() == 1);
    const Call& c = h.s().calls[0];
    CHECK(c.phase == CallPhase::Ringing);
    CHECK(c.contact == "c-v1");
    CHECK(c.number == "+15550100001");
    CHECK(c.name == "Dana Whitfield");
    auto tone = media_op(h, MediaOp::Tone);
    REQUIRE(tone.size() == 1);
    CHECK(tone[0].tone == "ring");
    bool announced = false;
    for (const auto& e : h.effects)
        if (auto* n = std::get_if<Notify>(&e); n && n->event == "call.incoming") announced = n->data["contact"] == "c-v1";
    CHECK(announced);
    json st = sb::desk::state_to_json(h.s(), h.now);
    CHECK(st["calls"][0]["phase"] == "ringing");
    CHECK(st["contacts"][0]["state"] == "offered");
    CHECK(st["contacts"][0]["call"]["number"] == "+15550100001");

    answer_call(h);
    CHECK(h.s().calls[0].phase == CallPhase::Active);
    CHECK(h.s().calls[0].connected_ms == h.now);
    CHECK(h.last_sent()["type"] == "accept");
    CHECK(h.last_sent()["contact"] == "c-v1");
    CHECK(h.s().tone.empty());  // the ringing stopped (at the answer)
    st = sb::desk::state_to_json(h.s(), h.now);
    CHECK(st["contacts"][0]["state"] == "active");
    CHECK(st["contacts"][0]["call"]["live"]["phase"] == "active");
}

TEST_CASE("calls: the caller's BYE ends the call, frees the media and ends the contact as the customer's") {
    DeskHarness h;
    registered(h);
    ring(h);
    auto ok = answer_call(h);
    h.reply_ok({{"contact", voice_contact("c-v1", "active")}});
    uint32_t call = h.s().calls.at(0).id;
    h.step(SipReceived{in_dialog(ok, "BYE", 2, "bye1")});
    CHECK(sent_starting(h, "SIP/2.0 200"));
    CHECK(h.s().calls.empty());
    auto stop = media_op(h, MediaOp::Stop);
    REQUIRE(stop.size() == 1);
    CHECK(stop[0].call == call);
    CHECK(h.last_sent()["type"] == "end");
    CHECK(h.last_sent()["contact"] == "c-v1");
    CHECK(h.last_sent()["by"] == "customer");
}

TEST_CASE("calls: hangup from the desk sends BYE and ends the contact as the agent's") {
    DeskHarness h;
    registered(h);
    ring(h);
    answer_call(h);
    h.reply_ok({{"contact", voice_contact("c-v1", "active")}});
    uint64_t id = h.intent(HangupIntent{CallRef{"c-v1", 0}});
    REQUIRE(h.completion(id));
    CHECK(sent_starting(h, "BYE "));
    CHECK(h.s().calls.empty());
    CHECK(h.last_sent()["type"] == "end");
    CHECK(h.last_sent()["by"] == "agent");
}

TEST_CASE("calls: declining a ringing call sends 486 and rejects the contact; the tone stops") {
    DeskHarness h;
    registered(h);
    ring(h);
    uint64_t id = h.intent(RejectIntent{"c-v1"});  // the contact's reject declines its call
    REQUIRE(h.completion(id));
    CHECK(sent_starting(h, "SIP/2.0 486"));
    CHECK(h.s().calls.empty());
    bool rejected = false;
    for (const auto& f : h.sent) rejected = rejected || (f["type"] == "reject" && f["contact"] == "c-v1");
    CHECK(rejected);
    auto tone = media_op(h, MediaOp::Tone);
    REQUIRE(tone.size() == 1);
    CHECK(tone[0].tone.empty());
}

TEST_CASE("calls: a CANCEL while ringing ends the call quietly: no end request, the backend re-offers") {
    DeskHarness h;
    registered(h);
    auto inv = ring(h);
    size_t requests = h.sent.size();
    std::string cancel = "CANCEL " + std::string(inv.uri()) + " SIP/2.0\r\nVia: " + std::string(inv.find("Via")->value) +
                         "\r\nFrom: " + std::string(inv.find("From")->value) + "\r\nTo: " + std::string(inv.find("To")->value) +
                         "\r\nCall-ID: " + std::string(inv.find("Call-ID")->value) + "\r\nCSeq: 1 CANCEL\r\nMax-Forwards: 69\r\n"
                         "Content-Length: 0\r\n\r\n";
    h.step(SipReceived{cancel});
    CHECK(h.s().calls.empty());
    CHECK(sent_starting(h, "SIP/2.0 487"));
    CHECK(h.sent.size() == requests);
}

TEST_CASE("calls: answering a second call holds the first; resume holds the other again") {
    DeskHarness h;
    registered(h);
    ring(h, "c-v1");
    answer_call(h, "c-v1");
    ring(h, "c-v2");
    uint64_t id = h.intent(AnswerIntent{CallRef{"c-v2", 0}});
    auto start = media_op(h, MediaOp::Start);
    REQUIRE(start.size() == 1);
    auto reinvite = sent_starting(h, "INVITE ");
    REQUIRE(reinvite);  // the first call is put on hold as the second is answered
    auto hold_sdp = sb::sip::sdp::parse(reinvite->body());
    REQUIRE(hold_sdp.ok());
    CHECK(sb::sip::sdp::direction(hold_sdp.value(), 0) == sb::sip::sdp::Direction::sendonly);
    CHECK(std::string(reinvite->body()).find("o=browser 77 3 ") != std::string::npos);  // version bumped
    auto holds = media_op(h, MediaOp::Hold);
    REQUIRE(holds.size() == 1);
    CHECK(holds[0].on);
    CHECK(holds[0].call == h.s().calls[0].id);
    h.step(SipReceived{reply_to(*reinvite, 200, kOffer)});
    CHECK(h.s().calls[0].phase == CallPhase::Held);
    h.step(MediaEvent{MediaEvent::Kind::LocalSdp, start[0].call, kLocal, {}, nullptr, {}});
    REQUIRE(h.completion(id));
    CHECK(h.s().calls[1].phase == CallPhase::Active);

    // Back to the first: the second goes on hold, the first resumes (sendrecv).
    h.intent(HoldIntent{CallRef{"c-v1", 0}, false});
    int invites = 0;
    for (auto& t : sip_sent(h.effects)) invites += t.rfind("INVITE ", 0) == 0;
    CHECK(invites == 2);
    auto hold2 = media_op(h, MediaOp::Hold);
    REQUIRE(hold2.size() == 2);
    CHECK((hold2[0].call == h.s().calls[1].id && hold2[0].on));
    CHECK((hold2[1].call == h.s().calls[0].id && !hold2[1].on));
}

TEST_CASE("calls: DTMF goes to the media; when it cannot, by SIP INFO") {
    DeskHarness h;
    registered(h);
    ring(h);
    answer_call(h);
    uint64_t id = h.intent(DtmfIntent{CallRef{"c-v1", 0}, "12#"});
    REQUIRE(h.completion(id));
    auto d = media_op(h, MediaOp::Dtmf);
    REQUIRE(d.size() == 1);
    CHECK(d[0].digits == "12#");
    h.step(MediaEvent{MediaEvent::Kind::DtmfFallback, d[0].call, {}, {}, nullptr, "12#"});
    auto info = sent_starting(h, "INFO ");
    REQUIRE(info);
    CHECK(std::string(info->body()).find("Signal=1") != std::string::npos);
    id = h.intent(DtmfIntent{CallRef{"c-v1", 0}, "12x"});
    REQUIRE(h.completion(id));
    CHECK(h.completion(id)->error->code == "bad_intent");
}

TEST_CASE("calls: mute is local (no SIP), hold and resume are re-INVITEs") {
    DeskHarness h;
    registered(h);
    ring(h);
    answer_call(h);
    h.intent(MuteIntent{CallRef{"c-v1", 0}, true});
    CHECK(sip_sent(h.effects).empty());
    CHECK(h.s().calls[0].muted);
    REQUIRE(media_op(h, MediaOp::Mute).size() == 1);

    h.intent(HoldIntent{CallRef{"c-v1", 0}, true});
    auto hold = sent_starting(h, "INVITE ");
    REQUIRE(hold);
    h.step(SipReceived{reply_to(*hold, 200, kOffer)});
    CHECK(h.s().calls[0].phase == CallPhase::Held);
    uint64_t again = h.intent(HoldIntent{CallRef{"c-v1", 0}, true});
    CHECK(h.completion(again)->error->code == "wrong_state");

    h.intent(HoldIntent{CallRef{"c-v1", 0}, false});
    auto resume = sent_starting(h, "INVITE ");
    REQUIRE(resume);
    auto sdp = sb::sip::sdp::parse(resume->body());
    REQUIRE(sdp.ok());
    CHECK(sb::sip::sdp::direction(sdp.value(), 0) == sb::sip::sdp::Direction::sendrecv);
    h.step(SipReceived{reply_to(*resume, 200, kOffer)});
    CHECK(h.s().calls[0].phase == CallPhase::Active);
}

TEST_CASE("calls: a hold the other side refuses leaves the call up as it was, and can be asked again") {
    DeskHarness h;
    registered(h);
    ring(h);
    answer_call(h);
    h.intent(HoldIntent{CallRef{"c-v1", 0}, true});
    auto hold = sent_starting(h, "INVITE ");
    REQUIRE(hold);
    CHECK(h.s().calls[0].hold_request == HoldRequest::Holding);
    uint64_t twice = h.intent(HoldIntent{CallRef{"c-v1", 0}, true});
    CHECK(h.completion(twice)->error->code == "wrong_state");  // one re-INVITE at a time

    h.step(SipReceived{reply_to(*hold, 488)});
    const Call& c = h.s().calls[0];
    CHECK(c.phase == CallPhase::Active);
    CHECK(c.hold_request == HoldRequest::None);
    // The media is told to play again, and our SDP is sendrecv again for the next offer.
    auto media = media_op(h, MediaOp::Hold);
    REQUIRE(media.size() == 1);
    CHECK_FALSE(media[0].on);
    auto sdp = sb::sip::sdp::parse(c.local_sdp);
    REQUIRE(sdp.ok());
    CHECK(sb::sip::sdp::direction(sdp.value(), 0) == sb::sip::sdp::Direction::sendrecv);
    CHECK(h.s().notice.find("488") != std::string::npos);

    h.intent(HoldIntent{CallRef{"c-v1", 0}, true});
    auto again = sent_starting(h, "INVITE ");
    REQUIRE(again);
    h.step(SipReceived{reply_to(*again, 200, kOffer)});
    CHECK(h.s().calls[0].phase == CallPhase::Held);
}

TEST_CASE("calls: the caller's re-INVITE (hold) is answered from our SDP with the matching direction") {
    DeskHarness h;
    registered(h);
    ring(h);
    auto ok = answer_call(h);
    std::string held = kOffer;
    held.replace(held.find("a=sendrecv"), 10, "a=sendonly");
    held.replace(held.find("o=- 1 1"), 7, "o=- 1 2");
    h.step(SipReceived{in_dialog(ok, "INVITE", 2, "reinv1", "application/sdp", held)});
    auto reply = sent_starting(h, "SIP/2.0 200");
    REQUIRE(reply);
    auto sdp = sb::sip::sdp::parse(reply->body());
    REQUIRE(sdp.ok());
    CHECK(sb::sip::sdp::direction(sdp.value(), 0) == sb::sip::sdp::Direction::recvonly);
    CHECK(h.s().calls[0].held_by_remote);
}

TEST_CASE("calls: dial asks the backend, then the media for an offer, then INVITEs with the contact") {
    DeskHarness h;
    registered(h);
    uint64_t id = h.intent(DialIntent{"(555) 010-0002", "support", ""});
    CHECK(h.last_sent()["type"] == "dial");
    CHECK(h.last_sent()["number"] == "(555) 010-0002");
    CHECK(h.last_sent()["queue"] == "support");
    h.reply_ok({{"contact", voice_contact("c-out", "active", "outbound")}, {"dial", "+15550100002"}});
    auto start = media_op(h, MediaOp::Start);
    REQUIRE(start.size() == 1);
    CHECK(start[0].sdp.empty());  // make an offer
    CHECK_FALSE(h.completion(id));
    CHECK(h.s().calls.at(0).phase == CallPhase::Dialing);
    h.step(MediaEvent{MediaEvent::Kind::LocalSdp, start[0].call, kLocal, {}, nullptr, {}});
    auto inv = sent_starting(h, "INVITE ");
    REQUIRE(inv);
    CHECK(std::string(inv->uri()).find("+15550100002") != std::string::npos);
    REQUIRE(inv->find("X-Switchboard-Contact"));
    CHECK(inv->find("X-Switchboard-Contact")->value == "c-out");
    CHECK(std::string(inv->body()) == kLocal);
    REQUIRE(h.completion(id));
    CHECK(h.completion(id)->result["contact"] == "c-out");

    // 180 rings back; the 200 answers: the media takes the answer, the call is up.
    auto ringing = sb::sip::make_response(*inv, 180, "Ringing", "far1");
    REQUIRE(ringing.ok());
    h.step(SipReceived{ringing.value().serialize()});
    auto tone = media_op(h, MediaOp::Tone);
    REQUIRE(tone.size() == 1);
    CHECK(tone[0].tone == "ringback");
    auto ok = sb::sip::make_response(*inv, 200, "OK", "far1");
    REQUIRE(ok.ok());
    sb::sip::Message m = ok.value();
    REQUIRE(m.add_header("Contact", "<sip:pstn@127.0.0.1:5070>").ok());
    REQUIRE(m.add_header("Content-Type", "application/sdp").ok());
    m.set_body(kOffer);
    h.step(SipReceived{m.serialize()});
    auto ra = media_op(h, MediaOp::RemoteAnswer);
    REQUIRE(ra.size() == 1);
    CHECK(ra[0].sdp == kOffer);
    CHECK(h.s().calls[0].phase == CallPhase::Active);
    CHECK(sent_starting(h, "ACK "));
}

TEST_CASE("calls: the backend refusing dial fails the intent and places no call") {
    DeskHarness h;
    registered(h);
    uint64_t id = h.intent(DialIntent{"12", "", ""});
    h.reply_error("bad_message", "That is not a phone number.");
    REQUIRE(h.completion(id));
    CHECK(h.completion(id)->error->code == "bad_message");
    CHECK(h.s().calls.empty());
    CHECK(media_op(h, MediaOp::Start).empty());
}

TEST_CASE("calls: a refused microphone ends the ringing call with an error, not a silent answer") {
    DeskHarness h;
    registered(h);
    ring(h);
    uint64_t id = h.intent(AnswerIntent{CallRef{"c-v1", 0}});
    uint32_t call = media_op(h, MediaOp::Start).at(0).call;
    h.step(MediaEvent{MediaEvent::Kind::Failed, call, {}, "Microphone permission was refused.", nullptr, {}});
    REQUIRE(h.completion(id));
    CHECK(h.completion(id)->error->code == "media");
    CHECK_FALSE(sent_starting(h, "SIP/2.0 200"));
    CHECK(h.s().calls.empty());
    CHECK(h.s().notice.find("Microphone") != std::string::npos);
}

TEST_CASE("calls: intents for calls that do not exist, or in the wrong phase, get clear errors") {
    DeskHarness h;
    registered(h);
    uint64_t id = h.intent(AnswerIntent{CallRef{"nope", 0}});
    CHECK(h.completion(id)->error->code == "unknown_call");
    ring(h);
    id = h.intent(HoldIntent{CallRef{"c-v1", 0}, true});
    CHECK(h.completion(id)->error->code == "wrong_state");
    id = h.intent(DtmfIntent{CallRef{"", 99}, "1"});
    CHECK(h.completion(id)->error->code == "unknown_call");
    // Media news for a call that is gone frees what the platform made.
    h.step(MediaEvent{MediaEvent::Kind::LocalSdp, 4242, kLocal, {}, nullptr, {}});
    auto stop = media_op(h, MediaOp::Stop);
    REQUIRE(stop.size() == 1);
    CHECK(stop[0].call == 4242);
}

TEST_CASE("calls: logout stops every call's media and the tone") {
    DeskHarness h;
    registered(h);
    ring(h);
    h.intent(LogoutIntent{});
    h.reply_ok(json::object());
    CHECK(h.s().calls.empty());
    CHECK(media_op(h, MediaOp::Stop).size() == 1);
    auto tone = media_op(h, MediaOp::Tone);
    REQUIRE(tone.size() == 1);
    CHECK(tone[0].tone.empty());
}

TEST_CASE("calls: an INVITE without SDP is declined, not left ringing") {
    DeskHarness h;
    registered(h);
    h.step(SipReceived{invite("nosdp", "", "")});
    CHECK(h.s().calls.empty());
    CHECK(sent_starting(h, "SIP/2.0 603"));
}

TEST_CASE("calls: a call that ends while the backend is away is reported after the resume; the call survives the desk's reconnect") {
    DeskHarness h;
    registered(h);
    ring(h);
    auto ok = answer_call(h);
    h.reply_ok({{"contact", voice_contact("c-v1", "active")}});
    h.step(TransportClosed{"network blip"});
    REQUIRE(h.s().connection == ConnectionState::WaitingToReconnect);
    CHECK(h.s().calls.size() == 1);  // the desk's WebSocket is not the phone's
    h.step(SipReceived{in_dialog(ok, "BYE", 2, "bye-away")});
    CHECK(h.s().calls.empty());
    size_t before = h.sent.size();
    h.step(TimerFired{TimerId::Reconnect});
    h.step(TransportOpened{});
    h.reply_ok({{"version", 3}, {"server", "t"}, {"now", h.now}, {"max_frame", 65536}});
    REQUIRE(h.last_sent()["type"] == "resume");
    json session = DeskHarness::session(5);
    session["sip"] = kSip;
    session["contacts"] = json::array({voice_contact("c-v1", "active")});
    h.reply_ok(session);
    bool ended = false;
    for (size_t i = before; i < h.sent.size(); ++i)
        ended = ended || (h.sent[i]["type"] == "end" && h.sent[i]["contact"] == "c-v1" && h.sent[i]["by"] == "customer");
    CHECK(ended);
    CHECK(h.s().voice.transport == SipTransportState::Open);  // the same phone, not a new one
}

TEST_CASE("calls: attended transfer: consult a colleague with the caller on hold, then REFER the caller to them with Replaces") {
    DeskHarness h;
    registered(h);
    ring(h);
    answer_call(h);
    h.reply_ok({{"contact", voice_contact("c-v1", "active")}});
    uint64_t id = h.intent(TransferIntent{"c-v1", "", "bob", "", "", "attended"});
    auto hold = sent_starting(h, "INVITE ");
    REQUIRE(hold);  // the caller waits on hold
    CHECK(std::string(hold->body()).find("a=sendonly") != std::string::npos);
    h.step(SipReceived{reply_to(*hold, 200, kOffer)});
    auto start = media_op(h, MediaOp::Start);
    REQUIRE(h.s().calls.size() == 2);
    const Call& consult = h.s().calls[1];
    CHECK(consult.consult_for == h.s().calls[0].id);
    CHECK(consult.contact.empty());
    // (the Start came with the intent's step; find it there)
    h.step(MediaEvent{MediaEvent::Kind::LocalSdp, consult.id, kLocal, {}, nullptr, {}});
    auto inv = sent_starting(h, "INVITE ");
    REQUIRE(inv);
    CHECK(std::string(inv->uri()).rfind("sip:bob@", 0) == 0);
    CHECK_FALSE(inv->find("X-Switchboard-Contact"));
    REQUIRE(h.completion(id));

    uint64_t early = h.intent(TransferIntent{"c-v1", "", "", "", "", "complete"});
    CHECK(h.completion(early)->error->code == "wrong_state");  // bob has not answered yet

    auto ok = sb::sip::make_response(*inv, 200, "OK", "bob-tag");
    REQUIRE(ok.ok());
    sb::sip::Message m = ok.value();
    REQUIRE(m.add_header("Contact", "<sip:bob@bobdesk.invalid;transport=ws>").ok());
    REQUIRE(m.add_header("Content-Type", "application/sdp").ok());
    m.set_body(kOffer);
    h.step(SipReceived{m.serialize()});
    REQUIRE(h.s().calls[1].phase == CallPhase::Active);

    uint64_t done = h.intent(TransferIntent{"c-v1", "", "", "", "", "complete"});
    REQUIRE(h.completion(done));
    CHECK_FALSE(h.completion(done)->error);
    auto refer = sent_starting(h, "REFER ");
    REQUIRE(refer);
    std::string refer_to(refer->find("Refer-To")->value);
    INFO(refer_to);
    CHECK(refer_to.find("sip:bob@") != std::string::npos);
    CHECK(refer_to.find("Replaces=") != std::string::npos);
    CHECK(h.s().calls[0].transfer == CallTransfer::Requested);
}

TEST_CASE("calls: a colleague's call by username has no contact and needs no backend request") {
    DeskHarness h;
    registered(h);
    size_t requests = h.sent.size();
    uint64_t id = h.intent(DialIntent{"", "", "", "bob"});
    CHECK(h.sent.size() == requests);
    auto start = media_op(h, MediaOp::Start);
    REQUIRE(start.size() == 1);
    h.step(MediaEvent{MediaEvent::Kind::LocalSdp, start[0].call, kLocal, {}, nullptr, {}});
    auto inv = sent_starting(h, "INVITE ");
    REQUIRE(inv);
    CHECK(std::string(inv->uri()).rfind("sip:bob@switchboard.test", 0) == 0);
    REQUIRE(h.completion(id));
    CHECK(h.intent(DialIntent{"", "", "", "alice"}) > 0);
    CHECK(h.completion(h.next_intent - 1)->error->code == "bad_intent");  // that is you
    CHECK(h.intent(DialIntent{"", "", "", "bob smith"}) > 0);
    CHECK(h.completion(h.next_intent - 1)->error->code == "bad_intent");
}

TEST_CASE("calls: blind transfer REFERs the caller to the queue's number; the 202 is not the end, the NOTIFY 200 is") {
    DeskHarness h;
    registered(h);
    ring(h);
    auto ok = answer_call(h);
    uint64_t id = h.intent(TransferIntent{"c-v1", "", "", "", "7002", "blind"});
    REQUIRE(h.completion(id));
    CHECK_FALSE(h.completion(id)->error);
    auto refer = sent_starting(h, "REFER ");
    REQUIRE(refer);
    CHECK(std::string(refer->find("Refer-To")->value).find("7002") != std::string::npos);
    h.step(SipReceived{reply_to(*refer, 202)});
    CHECK(h.s().calls.at(0).transfer == CallTransfer::Trying);
    CHECK_FALSE(sent_starting(h, "BYE "));  // the caller has not followed yet
    h.step(SipReceived{in_dialog(ok, "NOTIFY", 2, "notify1", "message/sipfrag;version=2.0", "SIP/2.0 200 OK\r\n",
                                 "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n")});
    CHECK(sent_starting(h, "BYE "));  // the caller is with the target: our leg ends
    CHECK(h.s().calls.empty());
}

TEST_CASE("calls: media that fails while answering rejects the INVITE: 488 for the caller's SDP, else 500, never 603") {
    for (const auto& want : {std::pair<std::string, std::string>{"setRemoteDescription failed: bad SDP", "488"},
                             std::pair<std::string, std::string>{"Microphone permission was refused.", "500"}}) {
        const std::string reason = want.first, status = want.second;
        DeskHarness h;
        registered(h);
        ring(h);
        uint64_t id = h.intent(AnswerIntent{CallRef{"c-v1", 0}});
        uint32_t call = media_op(h, MediaOp::Start).at(0).call;
        h.step(MediaEvent{MediaEvent::Kind::Failed, call, {}, reason, nullptr, {}});
        REQUIRE(h.completion(id));
        CHECK(h.completion(id)->error->code == "media");
        auto rejected = sent_starting(h, "SIP/2.0 " + status);
        REQUIRE_MESSAGE(rejected, reason);
        CHECK(std::string(rejected->find("CSeq")->value).find("INVITE") != std::string::npos);
        CHECK_FALSE(sent_starting(h, "SIP/2.0 603"));
        CHECK_FALSE(sent_starting(h, "SIP/2.0 200"));
        CHECK(h.s().calls.empty());
    }
}

namespace {
// A desk whose session knows the queues' numbers and a colleague, with an answered queue call.
sb::sip::Message transfer_setup(DeskHarness& h) {
    h.connect();
    h.intent(LoginIntent{"alice", "switchboard"});
    json s = DeskHarness::session();
    s["sip"] = kSip;
    s["queues"] = json::array({{{"code", "support"}, {"name", "Support"}, {"number", "7001"}, {"dispositions", json::array()}},
                               {{"code", "sales"}, {"name", "Sales"}, {"number", "7002"}, {"dispositions", json::array()}},
                               {{"code", "vip"}, {"name", "VIP"}, {"number", nullptr}, {"dispositions", json::array()}}});
    s["agents"] = json::array({{{"username", "bob"}, {"display_name", "Bob"}, {"state", "available"}}});
    h.reply_ok(s);
    if (h.s().voice.owner == PhoneOwner::Claiming) h.step(PhoneOwnership{PhoneOwnership::Kind::Granted});
    h.step(SipTransportOpened{});
    auto reg = parsed(sip_sent(h.effects).at(0));
    h.step(SipReceived{answer(reg, 200, "OK", {{"Contact", std::string(reg.find("Contact")->value) + ";expires=600"}})});
    REQUIRE(h.s().voice.registration == sb::sip::RegistrationState::registered);
    REQUIRE(h.s().queues.size() == 3);
    ring(h);
    auto ok = answer_call(h);
    h.reply_ok({{"contact", voice_contact("c-v1", "active")}});
    return ok;
}
}  // namespace

TEST_CASE("calls: a queue call's blind transfer to an agent: the backend first, then REFER to the queue's number naming the contact") {
    DeskHarness h;
    auto ok = transfer_setup(h);
    uint64_t id = h.intent(TransferIntent{"c-v1", "", "bob", "wants a refund", "", "blind"});
    CHECK(h.last_sent()["type"] == "transfer");
    CHECK(h.last_sent()["contact"] == "c-v1");
    CHECK(h.last_sent()["agent"] == "bob");
    CHECK(h.last_sent()["note"] == "wants a refund");
    CHECK_FALSE(h.last_sent().contains("queue"));
    CHECK_FALSE(sent_starting(h, "REFER "));  // not before the backend agrees
    CHECK_FALSE(h.completion(id));
    CHECK(h.s().calls.at(0).transfer == CallTransfer::Asking);

    h.reply_ok(json::object());
    auto refer = sent_starting(h, "REFER ");
    REQUIRE(refer);
    CHECK(std::string(refer->find("Refer-To")->value) == "<sip:7001@switchboard.test;sb_contact=c-v1>");
    REQUIRE(h.completion(id));
    CHECK_FALSE(h.completion(id)->error);
    CHECK(h.s().calls.at(0).transfer == CallTransfer::Requested);

    // The caller reaches the target: the backend takes the contact off this desk.
    h.event(5, "contact.ended", {{"contact", "c-v1"}, {"reason", "transferred"}});
    CHECK(h.s().contacts.empty());
    h.step(SipReceived{reply_to(*refer, 202)});
    size_t requests = h.sent.size();
    h.step(SipReceived{in_dialog(ok, "NOTIFY", 2, "notify1", "message/sipfrag;version=2.0", "SIP/2.0 200 OK\r\n",
                                 "Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n")});
    CHECK(sent_starting(h, "BYE "));
    CHECK(h.s().calls.empty());
    CHECK(h.sent.size() == requests);  // no "end": the contact is the colleague's now
}

TEST_CASE("calls: a transfer to a queue by code or number REFERs to that queue's number; a refusal sends no REFER") {
    DeskHarness h;
    transfer_setup(h);
    uint64_t id = h.intent(TransferIntent{"c-v1", "", "", "", "7002", "blind"});  // the sales queue's number
    CHECK(h.last_sent()["type"] == "transfer");
    CHECK(h.last_sent()["queue"] == "sales");
    h.reply_error("wrong_state", "The contact is wrap_up; this needs it active.");
    REQUIRE(h.completion(id));
    CHECK(h.completion(id)->error->code == "wrong_state");
    CHECK_FALSE(sent_starting(h, "REFER "));
    CHECK(h.s().calls.at(0).transfer == CallTransfer::Failed);
    CHECK(h.s().calls.at(0).refer_to.empty());

    id = h.intent(TransferIntent{"c-v1", "sales", "", "", "", "blind"});
    h.reply_ok(json::object());
    auto refer = sent_starting(h, "REFER ");
    REQUIRE(refer);
    CHECK(std::string(refer->find("Refer-To")->value) == "<sip:7002@switchboard.test;sb_contact=c-v1>");

    // A queue without a number cannot take a call; a plain number goes out as before, no backend.
    DeskHarness g;
    transfer_setup(g);
    id = g.intent(TransferIntent{"c-v1", "vip", "", "", "", "blind"});
    CHECK(g.completion(id)->error->code == "no_number");
    size_t requests = g.sent.size();
    id = g.intent(TransferIntent{"c-v1", "", "", "", "+15550100999", "blind"});
    CHECK(g.sent.size() == requests);
    auto out = sent_starting(g, "REFER ");
    REQUIRE(out);
    CHECK(std::string(out->find("Refer-To")->value).find("sb_contact") == std::string::npos);
}

// ---- the call's lifecycles (desk/lifecycles.cpp): every pair against the moves written here ----

namespace {
// allowed(from, to) agrees with `moves` on every pair of `states`, and each state refuses one.
template <class S, size_t N, class Allowed>
void check_table(const S (&states)[N], const std::set<std::pair<S, S>>& moves, Allowed allowed) {
    for (S from : states) {
        bool refused_one = false;
        for (S to : states) {
            CAPTURE(to_string(from));
            CAPTURE(to_string(to));
            CHECK(allowed(from, to) == (moves.count({from, to}) > 0));
            refused_one = refused_one || !allowed(from, to);
        }
        CHECK(refused_one);
    }
}
}  // namespace

TEST_CASE("a call's phase and transfer move only as their tables allow") {
    using P = CallPhase;
    const P phases[] = {P::Ringing, P::Dialing, P::Connecting, P::Active, P::Held};
    check_table(phases,
                {{P::Ringing, P::Connecting}, {P::Connecting, P::Active}, {P::Dialing, P::Active},
                 {P::Active, P::Held}, {P::Held, P::Active}},
                call_transition_allowed);

    using T = CallTransfer;
    const T transfers[] = {T::None, T::Asking, T::Consulting, T::Requested, T::Trying, T::Done, T::Failed, T::Transferred};
    check_table(transfers,
                {{T::None, T::Asking},       {T::None, T::Consulting},  {T::None, T::Requested},  {T::None, T::Transferred},
                 {T::Asking, T::Requested},  {T::Asking, T::Failed},    {T::Consulting, T::Requested},
                 {T::Consulting, T::Asking}, {T::Requested, T::Trying}, {T::Requested, T::Done},  {T::Requested, T::Failed},
                 {T::Trying, T::Done},       {T::Trying, T::Failed},    {T::Failed, T::Asking},   {T::Failed, T::Consulting},
                 {T::Failed, T::Requested}},
                transfer_transition_allowed);
    CHECK(to_string(T::None).empty());  // the JS API's call.transfer is null then
    CHECK(to_string(T::Transferred) == "transferred");

    using G = CallProgress;
    const G progress[] = {G::None, G::Ringing, G::EarlyMedia, G::Answered};
    check_table(progress,
                {{G::None, G::Ringing}, {G::None, G::EarlyMedia}, {G::None, G::Answered}, {G::Ringing, G::EarlyMedia},
                 {G::Ringing, G::Answered}, {G::EarlyMedia, G::Answered}},
                progress_transition_allowed);

    using H = HoldRequest;
    const H holds[] = {H::None, H::Holding, H::Resuming};
    check_table(holds, {{H::None, H::Holding}, {H::None, H::Resuming}, {H::Holding, H::None}, {H::Resuming, H::None}},
                hold_request_transition_allowed);
}

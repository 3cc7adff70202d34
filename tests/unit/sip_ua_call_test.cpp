// The SIP user agent (sip/user_agent.h): two or three core UAs calling each other through the
// proxy/registrar of sip_ua_harness.h, with a hand-held clock.
#include <doctest/doctest.h>

#include "sip_ua_harness.h"

using namespace sb;
using namespace sb::sip;
using namespace sb::test;

namespace {

using Log = std::vector<std::string>;

// Alice and Bob registered; the proxy challenges initial INVITEs with 407 when asked to.
struct Pair {
    UaNet net;
    UaNet::Node& alice;
    UaNet::Node& bob;
    explicit Pair(bool challenge = false)
        : alice(net.add("alice", "Alice Liddell")), bob(net.add("bob", "Bob")) {
        net.challenge_invites = challenge;
        net.reconnect(alice);
        net.reconnect(bob);
        REQUIRE(alice.ua.registration_state() == RegistrationState::registered);
        REQUIRE(bob.ua.registration_state() == RegistrationState::registered);
        net.events(alice);
        net.events(bob);
    }
    // Alice calls Bob and Bob answers; both sides' call ids are 1 for a fresh pair.
    void connect(CallId a = 1, CallId b = 1) {
        net.act(alice, ua_event::Dial{"bob", sdp_offer("sendrecv")});
        net.act(bob, ua_event::Answer{b, sdp_offer("sendrecv", "6000")});
        REQUIRE(alice.ua.call_state(a) == CallState::confirmed);
        REQUIRE(bob.ua.call_state(b) == CallState::confirmed);
        net.events(alice);
        net.events(bob);
    }
};

}  // namespace

TEST_CASE("UA: configure, transport up, register over WS with outbound Contact") {
    UaNet net;
    auto& alice = net.add("alice");
    CHECK(alice.ua.configured());
    CHECK(alice.ua.contact().find(".invalid;transport=ws") != std::string::npos);
    net.act(alice, ua_event::Dial{"bob", sdp_offer("sendrecv")});
    CHECK(net.events(alice) == Log{"refused 0 sip_ua_transport_down"});
    net.reconnect(alice);
    CHECK(net.events(alice) == Log{"registration registering", "registration registered"});
    auto reg = parse_message(alice.sent.at(0)).value();
    CHECK(reg.method() == "REGISTER");
    CHECK(reg.uri() == "sip:example.com");
    CHECK(read_vias(reg).value()[0].transport == "WSS");
    CHECK(reg.find("Contact")->value.find(";+sip.instance=\"<urn:uuid:") != std::string_view::npos);
    CHECK(reg.find("Contact")->value.find(";reg-id=1") != std::string_view::npos);

    UserAgent blank;
    CHECK(describe(blank.handle(0, ua_event::Dial{"bob", ""}).at(0)) == "refused 0 sip_ua_not_configured");
    CHECK(describe(blank.handle(0, ua_event::Received{"garbage"}).at(0)) == "discarded sip_ua_not_configured");
}

TEST_CASE("UA: call out with a 407 challenge: ringing, answer, ACK; Bob hangs up with BYE") {
    Pair p(true);
    auto& net = p.net;
    net.act(p.alice, ua_event::Dial{"bob", sdp_offer("sendrecv")});
    CHECK(net.challenges == 1);
    CHECK(net.invites_seen == 2);  // the challenged one, then with Proxy-Authorization
    CHECK(net.events(p.alice) == Log{"outgoing 1", "ringing 1"});
    CHECK(p.alice.ua.call_state(1) == CallState::early);
    auto invite = net.received(p.bob, "INVITE");
    REQUIRE(invite);
    CHECK(invite->find("Proxy-Authorization"));
    CHECK(invite->find("CSeq")->value == "2 INVITE");
    CHECK(invite->find("Contact")->value.find(";ob>") != std::string_view::npos);
    const auto* incoming = net.last<ua_effect::Incoming>(p.bob);
    REQUIRE(incoming);
    CHECK(incoming->remote.display_name == "Alice Liddell");
    CHECK(incoming->remote.user == "alice");
    CHECK(incoming->sdp_offer == sdp_offer("sendrecv"));
    CHECK(net.events(p.bob) == Log{"incoming 1"});
    CHECK(net.count_sent(p.bob, "SIP/2.0 100") == 1);
    CHECK(net.count_sent(p.bob, "SIP/2.0 180") == 1);

    net.act(p.bob, ua_event::Answer{1, sdp_offer("sendrecv", "6000")});
    const auto* answered = net.last<ua_effect::Answered>(p.alice);
    REQUIRE(answered);
    CHECK(answered->sdp == sdp_offer("sendrecv", "6000"));
    CHECK(net.events(p.alice) == Log{"answered 1"});
    CHECK(net.received(p.bob, "ACK"));
    CHECK(net.events(p.bob).empty());  // the ACK reached a dialog: nothing discarded
    REQUIRE(p.alice.ua.dialog(1));
    CHECK(p.alice.ua.dialog(1)->route_set == std::vector<std::string>{"<sip:proxy.test;lr>"});

    net.act(p.bob, ua_event::Hangup{1});
    CHECK(net.events(p.bob) == Log{"ended 1 local hangup 0"});
    CHECK(net.events(p.alice) == Log{"ended 1 remote hangup 0"});
    CHECK(net.received(p.bob, "200"));
    CHECK(p.alice.ua.calls().empty());
    CHECK(p.bob.ua.calls().empty());
}

TEST_CASE("UA: call in: identity from P-Asserted-Identity, early media (183), answer, caller hangs up") {
    Pair p;
    auto& net = p.net;
    net.pai = "\"Support Line\" <sip:+15550100@example.com>";
    net.early_media = true;
    net.act(p.alice, ua_event::Dial{"sip:bob@example.com", sdp_offer("sendrecv")});
    const auto* incoming = net.last<ua_effect::Incoming>(p.bob);
    REQUIRE(incoming);
    CHECK(incoming->remote.display_name == "Support Line");
    CHECK(incoming->remote.user == "+15550100");
    const auto* early = net.last<ua_effect::EarlyMedia>(p.alice);
    REQUIRE(early);
    CHECK(early->sdp == sdp_offer("sendrecv", "5000"));
    CHECK(net.events(p.alice) == Log{"outgoing 1", "early media 1"});
    net.act(p.bob, ua_event::Answer{1, sdp_offer("sendrecv", "6000")});
    CHECK(net.events(p.alice) == Log{"answered 1"});
    net.act(p.alice, ua_event::Hangup{1});
    CHECK(net.events(p.alice) == Log{"ended 1 local hangup 0"});
    CHECK(net.events(p.bob) == Log{"incoming 1", "ended 1 remote hangup 0"});
}

TEST_CASE("UA: reject with 486 and 603") {
    for (int status : {486, 603}) {
        Pair p;
        auto& net = p.net;
        net.act(p.alice, ua_event::Dial{"bob", sdp_offer("sendrecv")});
        net.act(p.bob, ua_event::Reject{1, status});
        std::string reason = status == 486 ? "Busy Here" : "Decline";
        CHECK(net.events(p.bob) == Log{"incoming 1", "ended 1 local rejected " + std::to_string(status)});
        CHECK(net.events(p.alice) == Log{"outgoing 1", "ringing 1", "ended 1 remote " + reason + " " + std::to_string(status)});
        CHECK(net.received(p.bob, "ACK"));  // the non-2xx ACK, hop by hop through the proxy
        net.act(p.bob, ua_event::Reject{1, status});
        CHECK(net.events(p.bob) == Log{"refused 1 sip_ua_no_call"});
    }
}

TEST_CASE("UA: CANCEL before the answer: 200 to the CANCEL, 487 seen by the caller") {
    Pair p(true);
    auto& net = p.net;
    net.act(p.alice, ua_event::Dial{"bob", sdp_offer("sendrecv")});
    net.act(p.alice, ua_event::Hangup{1});
    CHECK(net.events(p.alice) == Log{"outgoing 1", "ringing 1", "ended 1 local cancelled 487"});
    CHECK(net.events(p.bob) == Log{"incoming 1", "ended 1 remote cancelled 487"});
    CHECK(net.received(p.alice, "487"));
    CHECK(net.received(p.bob, "CANCEL"));
    // Answering now is too late.
    net.act(p.bob, ua_event::Answer{1, sdp_offer("sendrecv")});
    CHECK(net.events(p.bob) == Log{"refused 1 sip_ua_no_call"});
}

TEST_CASE("UA: CANCEL waits for a provisional response; an incoming call hung up gets 603") {
    Pair p;
    auto& net = p.net;
    // The INVITE is in flight (nothing pumped yet): hang up at once.
    p.alice.log.clear();
    net.apply(p.alice, p.alice.ua.handle(net.now, ua_event::Dial{"bob", sdp_offer("sendrecv")}));
    net.apply(p.alice, p.alice.ua.handle(net.now, ua_event::Hangup{1}));
    CHECK(net.count_sent(p.alice, "CANCEL") == 0);
    net.pump();  // 100 Trying arrives: the CANCEL goes
    CHECK(net.count_sent(p.alice, "CANCEL") == 1);
    CHECK(net.events(p.alice) == Log{"outgoing 1", "ended 1 local cancelled 487"});
    CHECK(net.events(p.bob) == Log{"incoming 1", "ended 1 remote cancelled 487"});

    net.act(p.alice, ua_event::Dial{"bob", sdp_offer("sendrecv")});
    net.act(p.bob, ua_event::Hangup{2});
    CHECK(net.events(p.bob) == Log{"incoming 2", "ended 2 local hangup 603"});
    CHECK(net.events(p.alice) == Log{"outgoing 2", "ringing 2", "ended 2 remote Decline 603"});
}

TEST_CASE("UA: hung up while the INVITE is being challenged: no retry, the call ends") {
    Pair p(true);
    auto& net = p.net;
    net.apply(p.alice, p.alice.ua.handle(net.now, ua_event::Dial{"bob", sdp_offer("sendrecv")}));
    net.apply(p.alice, p.alice.ua.handle(net.now, ua_event::Hangup{1}));
    net.pump();
    CHECK(net.count_sent(p.alice, "INVITE") == 1);
    CHECK(net.count_sent(p.alice, "CANCEL") == 0);
    CHECK(net.events(p.alice) == Log{"outgoing 1", "ended 1 local cancelled 407"});
    CHECK(net.events(p.bob).empty());
}

TEST_CASE("UA: hold and resume both ways, with directions checked in the SDP") {
    Pair p(true);
    auto& net = p.net;
    p.connect();
    // Alice holds: sendonly offered, Bob's browser answers recvonly.
    net.act(p.alice, ua_event::Hold{1, sdp_offer("sendonly")});
    const auto* offer = net.last<ua_effect::RemoteOffer>(p.bob);
    REQUIRE(offer);
    CHECK(direction_of(offer->sdp) == sdp::Direction::sendonly);
    CHECK(net.events(p.bob) == Log{"held by remote 1", "remote offer 1"});
    net.act(p.alice, ua_event::Resume{1, sdp_offer("sendrecv")});
    CHECK(net.events(p.alice) == Log{"refused 1 sip_ua_wrong_state"});  // one offer at a time
    net.act(p.bob, ua_event::AnswerRemoteOffer{1, sdp_offer("recvonly", "6000")});
    const auto* done = net.last<ua_effect::HoldDone>(p.alice);
    REQUIRE(done);
    CHECK(done->held);
    CHECK(direction_of(done->sdp) == sdp::Direction::recvonly);
    CHECK(net.events(p.alice) == Log{"hold done 1"});
    CHECK(net.count_sent(p.alice, "ACK") == 3);  // the 407's (by the transaction), the 200's, the re-INVITE's
    // The re-INVITE went through the proxy with the dialog's route set and credentials.
    auto reinvite = net.received(p.bob, "INVITE");
    REQUIRE(reinvite);
    CHECK(reinvite->find("CSeq")->value == "3 INVITE");
    CHECK(reinvite->find("Proxy-Authorization"));

    net.act(p.alice, ua_event::Resume{1, sdp_offer("sendrecv")});
    CHECK(net.events(p.bob) == Log{"resumed by remote 1", "remote offer 1"});
    net.act(p.bob, ua_event::AnswerRemoteOffer{1, sdp_offer("sendrecv", "6000")});
    done = net.last<ua_effect::HoldDone>(p.alice);
    REQUIRE(done);
    CHECK_FALSE(done->held);
    CHECK(direction_of(done->sdp) == sdp::Direction::sendrecv);
    CHECK(net.events(p.alice) == Log{"resume done 1"});

    // Bob holds Alice with inactive.
    net.act(p.bob, ua_event::Hold{1, sdp_offer("inactive", "6000")});
    CHECK(net.events(p.alice) == Log{"held by remote 1", "remote offer 1"});
    net.act(p.alice, ua_event::AnswerRemoteOffer{1, sdp_offer("inactive")});
    CHECK(net.events(p.bob) == Log{"hold done 1"});
    net.act(p.bob, ua_event::Resume{1, sdp_offer("sendrecv", "6000")});
    CHECK(net.events(p.alice) == Log{"resumed by remote 1", "remote offer 1"});
    net.act(p.alice, ua_event::AnswerRemoteOffer{1, sdp_offer("sendrecv")});
    CHECK(net.events(p.bob) == Log{"resume done 1"});
    net.act(p.alice, ua_event::AnswerRemoteOffer{1, sdp_offer("sendrecv")});
    CHECK(net.events(p.alice) == Log{"refused 1 sip_ua_wrong_state"});
    CHECK(p.alice.ua.call_state(1) == CallState::confirmed);
}

TEST_CASE("UA: DTMF by SIP INFO, one digit per INFO, in order") {
    Pair p;
    auto& net = p.net;
    p.connect();
    net.act(p.alice, ua_event::Dtmf{1, "12#*"});
    CHECK(net.events(p.bob) == Log{"dtmf 1 1", "dtmf 1 2", "dtmf 1 #", "dtmf 1 *"});
    CHECK(net.count_sent(p.alice, "INFO") == 4);
    auto info = net.received(p.bob, "INFO");
    REQUIRE(info);
    CHECK(info->find("Content-Type")->value == "application/dtmf-relay");
    CHECK(info->body() == "Signal=*\r\nDuration=160\r\n");
    net.act(p.alice, ua_event::Dtmf{1, "1x"});
    CHECK(net.events(p.alice) == Log{"refused 1 sip_ua_bad_input"});
    CHECK(net.events(p.bob).empty());
}

TEST_CASE("UA: two calls at once; hanging up one leaves the other") {
    UaNet net;
    auto& alice = net.add("alice");
    auto& bob = net.add("bob");
    auto& carol = net.add("carol");
    for (auto* n : {&alice, &bob, &carol}) net.reconnect(*n);
    net.act(alice, ua_event::Dial{"bob", sdp_offer("sendrecv")});
    net.act(carol, ua_event::Dial{"bob", sdp_offer("sendrecv", "7000")});
    CHECK(net.events(bob) == Log{"registration registering", "registration registered", "incoming 1", "incoming 2"});
    net.act(bob, ua_event::Answer{1, sdp_offer("sendrecv", "6000")});
    net.act(bob, ua_event::Hold{1, sdp_offer("sendonly", "6000")});
    net.act(alice, ua_event::AnswerRemoteOffer{1, sdp_offer("recvonly")});
    net.act(bob, ua_event::Answer{2, sdp_offer("sendrecv", "6002")});
    CHECK(bob.ua.calls() == std::vector<CallId>{1, 2});
    net.act(bob, ua_event::Hangup{2});
    CHECK(net.events(carol) == Log{"registration registering", "registration registered", "outgoing 1", "ringing 1",
                                   "answered 1", "ended 1 remote hangup 0"});
    CHECK(bob.ua.calls() == std::vector<CallId>{1});
    CHECK(bob.ua.call_state(1) == CallState::confirmed);
    net.act(alice, ua_event::Hangup{1});
    CHECK(bob.ua.calls().empty());
}

TEST_CASE("UA: the transport drops mid-call; re-registration; the call survives and its BYE arrives") {
    Pair p;
    auto& net = p.net;
    p.connect();
    int registers = net.registers_seen;
    net.drop(p.alice);
    CHECK_FALSE(p.alice.ua.transport_up());
    CHECK(p.alice.ua.call_state(1) == CallState::confirmed);
    // While down: nothing goes out; a new call is refused.
    net.act(p.alice, ua_event::Dial{"bob", sdp_offer("sendrecv")});
    CHECK(net.events(p.alice) == Log{"refused 0 sip_ua_transport_down"});
    net.advance_to(5000);
    net.reconnect(p.alice);
    CHECK(net.registers_seen == registers + 1);
    CHECK(p.alice.ua.registration_state() == RegistrationState::registered);
    CHECK(p.alice.ua.call_state(1) == CallState::confirmed);
    // Bob puts Alice on hold over the new connection, then Alice hangs up.
    net.act(p.bob, ua_event::Hold{1, sdp_offer("sendonly", "6000")});
    CHECK(net.events(p.alice) == Log{"registration refreshing", "registration registered", "held by remote 1", "remote offer 1"});
    net.act(p.alice, ua_event::AnswerRemoteOffer{1, sdp_offer("recvonly")});
    net.act(p.alice, ua_event::Hangup{1});
    CHECK(net.events(p.bob) == Log{"hold done 1", "ended 1 remote hangup 0"});
}

TEST_CASE("UA: a transport drop fails what was in flight: a ringing outgoing call ends 503, the registration fails") {
    Pair p;
    auto& net = p.net;
    net.act(p.alice, ua_event::Dial{"bob", sdp_offer("sendrecv")});
    net.events(p.alice);
    p.alice.up = false;
    net.apply(p.alice, p.alice.ua.handle(net.now, ua_event::TransportDown{}));
    CHECK(net.events(p.alice) == Log{"ended 1 remote transport lost 503"});
    // A REGISTER in flight fails, and is sent again on the next connection.
    net.act(p.alice, ua_event::TransportUp{});
    net.apply(p.alice, p.alice.ua.handle(net.now, ua_event::TransportDown{}));
    CHECK(net.events(p.alice) == Log{"registration refreshing", "registration failed"});
    net.reconnect(p.alice);
    CHECK(net.events(p.alice) == Log{"registration registering", "registration registered"});
    // An incoming call ringing when the flow breaks ends too.
    net.act(p.bob, ua_event::Dial{"alice", sdp_offer("sendrecv")});
    CHECK(net.events(p.alice) == Log{"incoming 2"});
    net.drop(p.alice);
    CHECK(net.events(p.alice) == Log{"ended 2 remote transport lost 503"});
}

TEST_CASE("UA: hostile inputs are answered or discarded, never crash") {
    Pair p;
    auto& net = p.net;
    auto& bob = p.bob;
    auto feed = [&](std::string text) {
        bob.log.clear();
        net.apply(bob, bob.ua.handle(net.now, ua_event::Received{std::move(text)}));
        net.pump();
        return net.events(bob);
    };
    std::string head = "Via: SIP/2.0/WSS proxy.test;branch=z9hG4bKevil1\r\n"
                       "From: <sip:mallory@example.com>;tag=m1\r\nTo: <sip:bob@example.com>;tag=nosuch\r\n"
                       "Call-ID: evil@x\r\n";
    // A BYE for an unknown dialog: 481.
    CHECK(feed("BYE sip:bob@example.com SIP/2.0\r\n" + head + "CSeq: 5 BYE\r\nContent-Length: 0\r\n\r\n") ==
          Log{"discarded sip_ua_no_dialog"});
    CHECK(net.count_sent(bob, "SIP/2.0 481") == 1);
    // A stray ACK: dropped.
    CHECK(feed("ACK sip:bob@example.com SIP/2.0\r\n" + head + "CSeq: 5 ACK\r\nContent-Length: 0\r\n\r\n") ==
          Log{"discarded sip_ua_no_dialog"});
    // A response for nothing.
    CHECK(feed("SIP/2.0 200 OK\r\n" + head + "CSeq: 7 BYE\r\nContent-Length: 0\r\n\r\n") == Log{"discarded sip_tx_no_match"});
    // A 2xx to an INVITE of no call.
    CHECK(feed("SIP/2.0 200 OK\r\n" + head + "CSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n") ==
          Log{"discarded sip_ua_no_dialog"});
    // Garbage and half messages.
    CHECK(feed("garbage") == Log{"discarded sip_bad_start_line"});
    CHECK(feed("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WSS x;branch=z9hG4bK1\r\nContent-Length: 99\r\n\r\nv=0") ==
          Log{"discarded sip_bad_framing"});
    CHECK(feed(std::string("\0\1\2", 3)) == Log{"discarded sip_bad_start_line"});
    // A CANCEL for nothing: 481.
    CHECK(feed("CANCEL sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WSS proxy.test;branch=z9hG4bKevil2\r\n"
               "From: <sip:mallory@example.com>;tag=m1\r\nTo: <sip:bob@example.com>\r\nCall-ID: evil2@x\r\n"
               "CSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n") == Log{"discarded sip_ua_no_dialog"});
    // An INVITE with Replaces for no call: 481, nothing presented.
    CHECK(feed("INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/WSS proxy.test;branch=z9hG4bKevil3\r\n"
               "From: <sip:mallory@example.com>;tag=m1\r\nTo: <sip:bob@example.com>\r\nCall-ID: evil3@x\r\n"
               "CSeq: 1 INVITE\r\nContact: <sip:m@x.invalid>\r\nReplaces: nosuch@x;to-tag=a;from-tag=b\r\n"
               "Content-Length: 0\r\n\r\n") == Log{"discarded sip_ua_no_dialog"});
    CHECK(net.count_sent(bob, "SIP/2.0 481") == 3);
    // Commands for calls that do not exist.
    net.act(bob, ua_event::Hangup{42});
    net.act(bob, ua_event::Answer{42, ""});
    net.act(bob, ua_event::Dtmf{42, "1"});
    CHECK(net.events(bob) == Log{"refused 42 sip_ua_no_call", "refused 42 sip_ua_no_call", "refused 42 sip_ua_no_call"});
    CHECK(bob.ua.calls().empty());
    // A late timer key is ignored.
    CHECK(bob.ua.handle(net.now, ua_event::TimerFired{"c|z9hG4bKgone|INVITE|B"}).empty());
}

TEST_CASE("UA: a wrong password: the INVITE is retried once, then the call ends with the 407") {
    Pair p(true);
    auto& net = p.net;
    net.passwords["alice"] = "not-what-alice-has";
    net.act(p.alice, ua_event::Dial{"bob", sdp_offer("sendrecv")});
    CHECK(net.challenges == 2);
    CHECK(net.count_sent(p.alice, "INVITE") == 2);
    CHECK(net.events(p.alice) ==
          Log{"outgoing 1", "refused 1 sip_auth_rejected", "ended 1 remote Proxy Authentication Required 407"});
    CHECK(net.events(p.bob).empty());
    CHECK(p.alice.ua.calls().empty());
}

TEST_CASE("UA: the same seeds and events give the same messages (a session replays exactly)") {
    auto run = [] {
        Pair p(true);
        p.connect();
        p.net.act(p.alice, ua_event::Hold{1, sdp_offer("sendonly")});
        p.net.act(p.bob, ua_event::AnswerRemoteOffer{1, sdp_offer("recvonly", "6000")});
        p.net.act(p.alice, ua_event::Dtmf{1, "42"});
        p.net.advance_to(600000);  // refreshes and keepalives
        p.net.act(p.bob, ua_event::Hangup{1});
        std::vector<std::string> all = p.alice.sent;
        all.insert(all.end(), p.bob.sent.begin(), p.bob.sent.end());
        return all;
    };
    auto a = run();
    auto b = run();
    CHECK(a.size() > 20);
    CHECK(a == b);
}

TEST_CASE("UA: glare: re-INVITEs crossing are answered 491 on both sides; each side may try again") {
    Pair p;
    auto& net = p.net;
    p.connect();
    net.apply(p.alice, p.alice.ua.handle(net.now, ua_event::Hold{1, sdp_offer("sendonly")}));
    net.apply(p.bob, p.bob.ua.handle(net.now, ua_event::Hold{1, sdp_offer("sendonly", "6000")}));
    net.pump();
    CHECK(net.count_sent(p.alice, "SIP/2.0 491") == 1);
    CHECK(net.count_sent(p.bob, "SIP/2.0 491") == 1);
    // Each side hears that its hold did not happen (the desk puts its SDP and media back), and why.
    CHECK(net.events(p.alice) == Log{"hold refused 1", "refused 1 sip_ua_wrong_state"});
    CHECK(net.events(p.bob) == Log{"hold refused 1", "refused 1 sip_ua_wrong_state"});
    net.act(p.alice, ua_event::Hold{1, sdp_offer("sendonly")});
    net.act(p.bob, ua_event::AnswerRemoteOffer{1, sdp_offer("recvonly", "6000")});
    CHECK(net.events(p.alice) == Log{"hold done 1"});
    CHECK(net.events(p.bob) == Log{"held by remote 1", "remote offer 1"});
}

TEST_CASE("UA: every prefix and byte mutation of a call's messages is handled or discarded, never a crash") {
    Pair p;
    auto& net = p.net;
    p.connect();
    net.act(p.alice, ua_event::Hold{1, sdp_offer("sendonly")});
    net.act(p.bob, ua_event::AnswerRemoteOffer{1, sdp_offer("recvonly", "6000")});
    net.act(p.alice, ua_event::Dtmf{1, "7"});
    std::vector<std::string> corpus = p.alice.received;
    corpus.insert(corpus.end(), p.bob.received.begin(), p.bob.received.end());
    REQUIRE(corpus.size() > 8);
    size_t fed = 0;
    for (const auto& text : corpus) {
        for (size_t cut = 0; cut < text.size(); cut += 7) {
            (void)p.bob.ua.handle(net.now, ua_event::Received{text.substr(0, cut)});
            std::string mutated = text;
            mutated[cut] = char(mutated[cut] ^ (0x20 + cut % 64));
            (void)p.bob.ua.handle(net.now, ua_event::Received{mutated});
            fed += 2;
        }
    }
    CHECK(fed > 1000);
    // The UA still works: a new call from Alice reaches Bob.
    p.bob.log.clear();
    net.act(p.alice, ua_event::Dial{"bob", sdp_offer("sendrecv")});
    CHECK(net.last<ua_effect::Incoming>(p.bob) != nullptr);
}

TEST_CASE("UA: keepalives: CRLF pings answered keep the registration; unanswered fail it; none sends none") {
    SUBCASE("crlf") {
        Pair p;
        p.connect();
        p.net.advance_to(600000);
        CHECK(p.net.keepalives >= 2 * 20);
        CHECK(p.alice.ua.registration_state() == RegistrationState::registered);
        p.net.pong = false;
        p.net.advance_to(650000);
        CHECK(p.alice.ua.registration_state() == RegistrationState::failed);
        CHECK(p.alice.ua.call_state(1) == CallState::confirmed);  // the call is not the flow's to end
        p.net.pong = true;
        p.net.reconnect(p.alice);
        CHECK(p.alice.ua.registration_state() == RegistrationState::registered);
    }
    SUBCASE("none") {
        UaNet net;
        net.keepalive = KeepaliveMode::none;
        auto& alice = net.add("alice");
        net.reconnect(alice);
        net.advance_to(3600000);
        CHECK(net.keepalives == 0);
        CHECK(alice.ua.registration_state() == RegistrationState::registered);
        CHECK(net.registers_seen > 10);  // refreshed every 270 s
    }
}

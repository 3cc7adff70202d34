// The SIP user agent's transfers (REFER, RFC 3515; Replaces, RFC 3891) and digest challenges
// on in-dialog requests, between three core UAs through the proxy of sip_ua_harness.h.
#include <doctest/doctest.h>

#include "sip_ua_harness.h"

using namespace sb;
using namespace sb::sip;
using namespace sb::test;

namespace {

using Log = std::vector<std::string>;

struct Trio {
    UaNet net;
    UaNet::Node& alice;
    UaNet::Node& bob;
    UaNet::Node& carol;
    Trio() : alice(net.add("alice", "Alice")), bob(net.add("bob", "Bob")), carol(net.add("carol", "Carol")) {
        net.challenge_invites = true;
        for (auto* n : {&alice, &bob, &carol}) {
            net.reconnect(*n);
            REQUIRE(n->ua.registration_state() == RegistrationState::registered);
            net.events(*n);
        }
    }
    void call(UaNet::Node& from, std::string_view to, UaNet::Node& callee, CallId from_id, CallId to_id) {
        net.act(from, ua_event::Dial{std::string(to), sdp_offer("sendrecv")});
        net.act(callee, ua_event::Answer{to_id, sdp_offer("sendrecv", "6000")});
        REQUIRE(from.ua.call_state(from_id) == CallState::confirmed);
        REQUIRE(callee.ua.call_state(to_id) == CallState::confirmed);
        net.events(from);
        net.events(callee);
    }
};

}  // namespace

TEST_CASE("UA: blind transfer: REFER, NOTIFY progress from sipfrag, the transferor hangs up on 200") {
    Trio t;
    auto& net = t.net;
    t.call(t.alice, "bob", t.bob, 1, 1);
    // Bob transfers Alice to Carol.
    net.act(t.bob, ua_event::BlindTransfer{1, "carol"});
    auto refer = net.received(t.alice, "REFER");
    REQUIRE(refer);
    CHECK(refer->find("Refer-To")->value == "<sip:carol@example.com>");
    CHECK(refer->find("Referred-By")->value == "<sip:bob@example.com>");
    CHECK(net.events(t.alice) == Log{"refer 1 sip:carol@example.com"});
    CHECK(net.events(t.bob) == Log{"transfer 1 202", "transfer 1 100"});
    auto notify = net.received(t.bob, "NOTIFY");
    REQUIRE(notify);
    CHECK(notify->find("Event")->value == "refer");
    CHECK(notify->find("Content-Type")->value == "message/sipfrag;version=2.0");

    // Alice follows the REFER with a new call; Bob hears each step.
    net.act(t.alice, ua_event::Dial{"", sdp_offer("sendrecv", "4002"), CallId{1}});
    CHECK(net.events(t.alice) == Log{"outgoing 2", "ringing 2"});
    CHECK(net.events(t.bob) == Log{"transfer 1 180"});
    auto invite = net.received(t.carol, "INVITE");
    REQUIRE(invite);
    CHECK(invite->find("Referred-By")->value == "<sip:alice@example.com>");
    CHECK(net.events(t.carol) == Log{"incoming 1"});
    net.act(t.carol, ua_event::Answer{1, sdp_offer("sendrecv", "7000")});
    CHECK(net.events(t.bob) == Log{"transfer 1 200", "ended 1 local transferred 0"});
    CHECK(net.events(t.alice) == Log{"answered 2", "ended 1 remote hangup 0"});
    CHECK(t.alice.ua.calls() == std::vector<CallId>{2});
    CHECK(t.bob.ua.calls().empty());
    CHECK(net.received(t.bob, "NOTIFY")->find("Subscription-State")->value == "terminated;reason=noresource");
}

TEST_CASE("UA: a blind transfer to a target that refuses: the call stays, the failure is reported") {
    Trio t;
    auto& net = t.net;
    t.call(t.alice, "bob", t.bob, 1, 1);
    net.act(t.bob, ua_event::BlindTransfer{1, "carol"});
    net.act(t.alice, ua_event::Dial{"", sdp_offer("sendrecv"), CallId{1}});
    net.act(t.carol, ua_event::Reject{1, 486});
    CHECK(net.events(t.bob) == Log{"transfer 1 202", "transfer 1 100", "transfer 1 180", "transfer 1 486"});
    CHECK(t.bob.ua.call_state(1) == CallState::confirmed);
    CHECK(t.alice.ua.call_state(1) == CallState::confirmed);
    // Bob may transfer again; Dial for a call that asked nothing is refused.
    net.act(t.carol, ua_event::Dial{"", sdp_offer("sendrecv"), CallId{9}});
    CHECK(net.events(t.carol) == Log{"incoming 1", "ended 1 local rejected 486", "refused 9 sip_ua_no_call"});
}

TEST_CASE("UA: attended transfer: REFER with Replaces; the target's INVITE replaces its call") {
    Trio t;
    auto& net = t.net;
    t.call(t.alice, "bob", t.bob, 1, 1);    // Alice 1 <-> Bob 1
    t.call(t.alice, "carol", t.carol, 2, 1);  // Alice 2 <-> Carol 1
    const Dialog* consult = t.alice.ua.dialog(2);
    REQUIRE(consult);
    const DialogId consult_id = consult->id;

    net.act(t.alice, ua_event::AttendedTransfer{1, 2});
    auto refer = net.received(t.bob, "REFER");
    REQUIRE(refer);
    std::string refer_to(refer->find("Refer-To")->value);
    CHECK(refer_to.find("<sip:carol@example.com?Replaces=") == 0);
    CHECK(refer_to.find("%3Bto-tag%3D" + consult_id.remote_tag + "%3Bfrom-tag%3D" + consult_id.local_tag + ">") !=
          std::string::npos);
    CHECK(net.events(t.bob) == Log{"refer 1 sip:carol@example.com replaces"});

    net.act(t.bob, ua_event::Dial{"", sdp_offer("sendrecv", "4100"), CallId{1}});
    auto invite = net.received(t.carol, "INVITE");
    REQUIRE(invite);
    CHECK(invite->find("Replaces")->value ==
          consult_id.call_id + ";to-tag=" + consult_id.remote_tag + ";from-tag=" + consult_id.local_tag);
    CHECK(net.events(t.carol) == Log{"incoming 2 replacing 1"});
    net.act(t.carol, ua_event::Answer{2, sdp_offer("sendrecv", "7000")});
    CHECK(net.events(t.carol) == Log{"ended 1 local replaced 0"});
    CHECK(net.events(t.bob) == Log{"outgoing 2", "ringing 2", "answered 2", "ended 1 remote hangup 0"});
    CHECK(net.events(t.alice) == Log{"transfer 1 202", "transfer 1 100", "transfer 1 180", "ended 2 remote hangup 0",
                                     "transfer 1 200", "ended 1 local transferred 0"});
    CHECK(t.alice.ua.calls().empty());
    CHECK(t.bob.ua.calls() == std::vector<CallId>{2});
    CHECK(t.carol.ua.calls() == std::vector<CallId>{2});
    net.act(t.bob, ua_event::Hangup{2});
    CHECK(net.events(t.carol) == Log{"ended 2 remote hangup 0"});
}

TEST_CASE("UA: 407 on REFER, INFO, BYE and a re-INVITE is answered once with credentials") {
    Trio t;
    auto& net = t.net;
    t.call(t.alice, "bob", t.bob, 1, 1);
    int before = net.challenges;
    net.challenge_next = {"INFO", "INVITE", "REFER", "BYE"};
    net.act(t.alice, ua_event::Dtmf{1, "5"});
    CHECK(net.events(t.bob) == Log{"dtmf 1 5"});
    net.act(t.alice, ua_event::Hold{1, sdp_offer("sendonly")});
    net.act(t.bob, ua_event::AnswerRemoteOffer{1, sdp_offer("recvonly", "6000")});
    CHECK(net.events(t.alice) == Log{"hold done 1"});
    net.act(t.alice, ua_event::BlindTransfer{1, "carol"});
    CHECK(net.events(t.alice) == Log{"transfer 1 202", "transfer 1 100"});
    net.challenge_next = {"BYE"};
    net.act(t.alice, ua_event::Hangup{1});
    CHECK(net.challenges == before + 4);
    CHECK(net.events(t.bob) == Log{"held by remote 1", "remote offer 1", "refer 1 sip:carol@example.com",
                                   "ended 1 remote hangup 0"});
    // Each retry: a new CSeq and the new nonce.
    auto bye = net.received(t.bob, "BYE");
    REQUIRE(bye);
    CHECK(bye->find("Proxy-Authorization")->value.find("nonce=\"pn" + std::to_string(before + 4) + "\"") !=
          std::string_view::npos);
    CHECK(net.count_sent(t.alice, "BYE") == 2);
}

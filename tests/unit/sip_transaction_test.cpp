// The four RFC 3261 section 17 transactions, each through its state table with every timer
// fired by a hand-held clock, over unreliable (UDP-like) and reliable (WebSocket) transports.
#include <doctest/doctest.h>

#include "sip/address.h"
#include "sip/fields.h"
#include "sip_harness.h"

using namespace sb;
using namespace sb::sip;
using namespace sb::test;

namespace {

const TransactionConfig kUdpTimers{500, 4000, 5000, false, true};
const TransactionConfig kWsTimers{500, 4000, 5000, true, true};

TransactionId client(std::string_view branch, std::string_view method) {
    return TransactionId{std::string(branch), std::string(method), false, {}};
}
TransactionId server(std::string_view branch, std::string_view method) {
    return TransactionId{std::string(branch), std::string(method), true, "df7jal23ls0d.invalid"};
}
Effects fire(Transaction& t, TimerName name, int64_t now = 0) { return t.handle(now, tx_event::TimerFired{name}); }
Effects receive(Transaction& t, const Message& m) { return t.handle(0, tx_event::Received{m}); }
Effects respond(Transaction& t, const Message& m) { return t.handle(0, tx_event::Respond{m}); }

}  // namespace

// ---- INVITE client (17.1.1) ---------------------------------------------------------------------
TEST_CASE("INVITE client: Timer A doubles, 1xx stops it, 486 is ACKed, retransmissions re-ACK, Timer D ends it") {
    auto invite = request("INVITE", "z9hG4bKict1", 1, "Route: <sip:proxy.atlanta.example.com;lr>\r\n");
    InviteClientTransaction t(client("z9hG4bKict1", "INVITE"), invite, kUdpTimers);
    CHECK(describe(t.start(0)) == "send INVITE; start A 500; start B 32000");
    CHECK(t.state() == TransactionState::calling);
    CHECK(describe(fire(t, TimerName::A)) == "send INVITE; start A 1000");
    CHECK(describe(fire(t, TimerName::A)) == "send INVITE; start A 2000");
    CHECK(describe(fire(t, TimerName::A)) == "send INVITE; start A 4000");
    CHECK(describe(fire(t, TimerName::A)) == "send INVITE; start A 8000");  // A is not capped by T2
    CHECK(describe(receive(t, response_to(invite, 100))) == "cancel A; cancel B; deliver 100");
    CHECK(t.state() == TransactionState::proceeding);
    CHECK(describe(fire(t, TimerName::A)).empty());  // late: Calling is over
    CHECK(describe(receive(t, response_to(invite, 180))) == "deliver 180");
    auto busy = response_to(invite, 486, "Busy Here");
    auto effects = receive(t, busy);
    CHECK(describe(effects) == "deliver 486; send ACK; start D 32000");
    CHECK(t.state() == TransactionState::completed);

    // The ACK (17.1.1.3): same Request-URI, top Via and Route; CSeq number with ACK; To of the response.
    const Message ack = all_of<effect::Send>(effects).at(0).message;
    CHECK(ack.uri() == "sip:bob@biloxi.example.com");
    CHECK(ack.find("Via")->value == "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKict1");
    CHECK(ack.find("CSeq")->value == "1 ACK");
    CHECK(ack.find("Route")->value == "<sip:proxy.atlanta.example.com;lr>");
    CHECK(ack.find("From")->value == "Alice <sip:alice@atlanta.example.com>;tag=1928301774");
    CHECK(read_to(ack).value().tag() == "a6c85cf");
    CHECK(ack.find("Call-ID")->value == "a84b4c76e66710@pc33.atlanta.example.com");
    CHECK(parse_message(ack.serialize()).ok());

    CHECK(describe(receive(t, busy)) == "send ACK");  // a retransmitted 486: ACK again, TU sees it once
    CHECK(describe(receive(t, response_to(invite, 180))).empty());
    CHECK(describe(fire(t, TimerName::D)) == "terminated");
    CHECK(t.terminated());
    CHECK(describe(receive(t, busy)) == "discard sip_tx_wrong_state");
}

TEST_CASE("INVITE client: Timer B times out in Calling and cancels Timer A") {
    auto invite = request("INVITE", "z9hG4bKict2");
    InviteClientTransaction t(client("z9hG4bKict2", "INVITE"), invite, kUdpTimers);
    t.start(0);
    CHECK(describe(fire(t, TimerName::B, 32000)) == "timeout B; cancel A; terminated");
    CHECK(t.terminated());
}

TEST_CASE("INVITE client: a 2xx goes to Accepted (RFC 6026); every 2xx reaches the TU until Timer M") {
    auto invite = request("INVITE", "z9hG4bKict3");
    InviteClientTransaction t(client("z9hG4bKict3", "INVITE"), invite, kUdpTimers);
    t.start(0);
    auto ok = response_to(invite, 200, "OK");
    CHECK(describe(receive(t, ok)) == "cancel A; cancel B; deliver 200; start M 32000");
    CHECK(t.state() == TransactionState::accepted);
    CHECK(describe(receive(t, ok)) == "deliver 200");  // the TU ACKs 2xx itself (13.2.2.4)
    CHECK(describe(receive(t, response_to(invite, 486))).empty());
    CHECK(describe(fire(t, TimerName::M)) == "terminated");
}

TEST_CASE("INVITE client over WebSocket: no Timer A, and Completed ends at once (Timer D is zero)") {
    auto invite = request("INVITE", "z9hG4bKict4");
    InviteClientTransaction t(client("z9hG4bKict4", "INVITE"), invite, kWsTimers);
    CHECK(describe(t.start(0)) == "send INVITE; start B 32000");
    CHECK(describe(receive(t, response_to(invite, 603, "Decline"))) == "cancel B; deliver 603; send ACK; terminated");
    CHECK(t.terminated());
}

TEST_CASE("INVITE client: a transport error ends it and tells the TU") {
    auto invite = request("INVITE", "z9hG4bKict5");
    InviteClientTransaction t(client("z9hG4bKict5", "INVITE"), invite, kUdpTimers);
    t.start(0);
    CHECK(describe(t.handle(0, tx_event::TransportError{})) == "transport failed; cancel A; cancel B; terminated");
}

// ---- non-INVITE client (17.1.2) ---------------------------------------------------------------
TEST_CASE("non-INVITE client: Timer E doubles up to T2, then T2 in Proceeding; 200 starts K; K ends it") {
    auto reg = request("REGISTER", "z9hG4bKnict1");
    NonInviteClientTransaction t(client("z9hG4bKnict1", "REGISTER"), reg, kUdpTimers);
    CHECK(describe(t.start(0)) == "send REGISTER; start E 500; start F 32000");
    CHECK(t.state() == TransactionState::trying);
    CHECK(describe(fire(t, TimerName::E)) == "send REGISTER; start E 1000");
    CHECK(describe(fire(t, TimerName::E)) == "send REGISTER; start E 2000");
    CHECK(describe(fire(t, TimerName::E)) == "send REGISTER; start E 4000");
    CHECK(describe(fire(t, TimerName::E)) == "send REGISTER; start E 4000");  // capped at T2
    CHECK(describe(receive(t, response_to(reg, 100))) == "deliver 100");
    CHECK(t.state() == TransactionState::proceeding);
    CHECK(describe(fire(t, TimerName::E)) == "send REGISTER; start E 4000");
    auto ok = response_to(reg, 200, "OK");
    CHECK(describe(receive(t, ok)) == "deliver 200; cancel E; cancel F; start K 5000");
    CHECK(t.state() == TransactionState::completed);
    CHECK(describe(receive(t, ok)).empty());  // absorbed
    CHECK(describe(fire(t, TimerName::E)).empty());  // late
    CHECK(describe(fire(t, TimerName::K)) == "terminated");
}

TEST_CASE("non-INVITE client: Timer F times out in Trying and in Proceeding") {
    auto reg = request("OPTIONS", "z9hG4bKnict2");
    NonInviteClientTransaction a(client("z9hG4bKnict2", "OPTIONS"), reg, kUdpTimers);
    a.start(0);
    CHECK(describe(fire(a, TimerName::F)) == "timeout F; cancel E; terminated");
    NonInviteClientTransaction b(client("z9hG4bKnict2", "OPTIONS"), reg, kWsTimers);
    CHECK(describe(b.start(0)) == "send OPTIONS; start F 32000");
    b.handle(0, tx_event::Received{response_to(reg, 100)});
    CHECK(describe(fire(b, TimerName::F)) == "timeout F; terminated");
}

TEST_CASE("non-INVITE client over WebSocket: a final response ends it at once (Timer K is zero)") {
    auto reg = request("REGISTER", "z9hG4bKnict3");
    NonInviteClientTransaction t(client("z9hG4bKnict3", "REGISTER"), reg, kWsTimers);
    t.start(0);
    CHECK(describe(receive(t, response_to(reg, 401))) == "deliver 401; cancel F; terminated");
}

// ---- INVITE server (17.2.1) --------------------------------------------------------------------
TEST_CASE("INVITE server: 100 Trying, retransmissions get the last response, Timer G, ACK, Timer I") {
    auto invite = request("INVITE", "z9hG4bKist1");
    InviteServerTransaction t(server("z9hG4bKist1", "INVITE"), invite, kUdpTimers);
    CHECK(describe(t.start(0)) == "send 100; deliver INVITE");
    CHECK(t.state() == TransactionState::proceeding);
    CHECK(describe(receive(t, invite)) == "send 100");  // the TU does not see it again
    CHECK(describe(respond(t, response_to(invite, 180, "Ringing"))) == "send 180");
    CHECK(describe(receive(t, invite)) == "send 180");
    CHECK(describe(respond(t, response_to(invite, 486, "Busy Here"))) == "send 486; start G 500; start H 32000");
    CHECK(t.state() == TransactionState::completed);
    CHECK(describe(receive(t, invite)) == "send 486");
    CHECK(describe(fire(t, TimerName::G)) == "send 486; start G 1000");
    CHECK(describe(fire(t, TimerName::G)) == "send 486; start G 2000");
    CHECK(describe(fire(t, TimerName::G)) == "send 486; start G 4000");
    CHECK(describe(fire(t, TimerName::G)) == "send 486; start G 4000");  // capped at T2
    CHECK(describe(respond(t, response_to(invite, 500))) == "discard sip_tx_wrong_state");
    auto ack = request("ACK", "z9hG4bKist1", 1, "", "ACK");
    CHECK(describe(receive(t, ack)) == "cancel G; cancel H; start I 5000");
    CHECK(t.state() == TransactionState::confirmed);
    CHECK(describe(receive(t, ack)).empty());
    CHECK(describe(receive(t, invite)).empty());
    CHECK(describe(fire(t, TimerName::G)).empty());  // late
    CHECK(describe(fire(t, TimerName::I)) == "terminated");
}

TEST_CASE("INVITE server: no ACK before Timer H times out") {
    auto invite = request("INVITE", "z9hG4bKist2");
    InviteServerTransaction t(server("z9hG4bKist2", "INVITE"), invite, kUdpTimers);
    t.start(0);
    respond(t, response_to(invite, 404, "Not Found"));
    CHECK(describe(fire(t, TimerName::H)) == "timeout H; cancel G; terminated");
}

TEST_CASE("INVITE server: 2xx goes to Accepted; retransmitted INVITEs are absorbed, the TU's 2xx sent, until L") {
    auto invite = request("INVITE", "z9hG4bKist3");
    InviteServerTransaction t(server("z9hG4bKist3", "INVITE"), invite, kUdpTimers);
    t.start(0);
    auto ok = response_to(invite, 200, "OK");
    CHECK(describe(respond(t, ok)) == "send 200; start L 32000");
    CHECK(t.state() == TransactionState::accepted);
    CHECK(describe(receive(t, invite)).empty());
    CHECK(describe(respond(t, ok)) == "send 200");
    CHECK(describe(receive(t, request("ACK", "z9hG4bKist3", 1, "", "ACK"))) == "deliver ACK (stray)");
    CHECK(describe(fire(t, TimerName::L)) == "terminated");
}

TEST_CASE("INVITE server over WebSocket: no Timer G; the ACK ends it at once (Timer I is zero)") {
    auto invite = request("INVITE", "z9hG4bKist4");
    TransactionConfig quiet = kWsTimers;
    quiet.send_100_trying = false;
    InviteServerTransaction t(server("z9hG4bKist4", "INVITE"), invite, quiet);
    CHECK(describe(t.start(0)) == "deliver INVITE");
    CHECK(describe(receive(t, invite)).empty());  // nothing sent yet to repeat
    CHECK(describe(receive(t, request("ACK", "z9hG4bKist4", 1, "", "ACK"))) == "discard sip_tx_wrong_state");
    CHECK(describe(respond(t, response_to(invite, 603))) == "send 603; start H 32000");
    CHECK(describe(receive(t, request("ACK", "z9hG4bKist4", 1, "", "ACK"))) == "cancel H; terminated");
}

// ---- non-INVITE server (17.2.2) ----------------------------------------------------------------
TEST_CASE("non-INVITE server: Trying absorbs, Proceeding and Completed repeat, Timer J ends it") {
    auto bye = request("BYE", "z9hG4bKnist1", 2);
    NonInviteServerTransaction t(server("z9hG4bKnist1", "BYE"), bye, kUdpTimers);
    CHECK(describe(t.start(0)) == "deliver BYE");
    CHECK(t.state() == TransactionState::trying);
    CHECK(describe(receive(t, bye)).empty());
    CHECK(describe(respond(t, response_to(bye, 100))) == "send 100");
    CHECK(t.state() == TransactionState::proceeding);
    CHECK(describe(receive(t, bye)) == "send 100");
    CHECK(describe(respond(t, response_to(bye, 200, "OK"))) == "send 200; start J 32000");
    CHECK(t.state() == TransactionState::completed);
    CHECK(describe(receive(t, bye)) == "send 200");
    CHECK(describe(respond(t, response_to(bye, 500))) == "discard sip_tx_wrong_state");
    CHECK(describe(fire(t, TimerName::J)) == "terminated");
}

TEST_CASE("non-INVITE server over WebSocket: the final response ends it at once (Timer J is zero)") {
    auto msg = request("MESSAGE", "z9hG4bKnist2");
    NonInviteServerTransaction t(server("z9hG4bKnist2", "MESSAGE"), msg, kWsTimers);
    t.start(0);
    CHECK(describe(respond(t, response_to(msg, 200))) == "send 200; terminated");
}

TEST_CASE("make_response copies Via, From, To (adding the tag once), Call-ID and CSeq") {
    auto req = sip_message("OPTIONS sip:bob@b SIP/2.0\r\nVia: SIP/2.0/UDP p1;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP p2;branch=z9hG4bK2, SIP/2.0/UDP p3\r\n"
                   "From: <sip:a@b>;tag=f\r\nTo: <sip:bob@b>\r\nCall-ID: c@h\r\nCSeq: 7 OPTIONS\r\nSubject: x\r\n\r\n");
    auto r = make_response(req, 200, "OK", "t1").value();
    CHECK(r.serialize() ==
          "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP p1;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP p2;branch=z9hG4bK2, SIP/2.0/UDP p3\r\n"
          "From: <sip:a@b>;tag=f\r\nTo: <sip:bob@b>;tag=t1\r\nCall-ID: c@h\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n");
    auto again = make_response(sip_message(r.serialize()), 200, "OK", "t2");  // a To that has a tag keeps it
    CHECK(read_to(again.value()).value().tag() == "t1");
    CHECK_FALSE(make_response(req, 700, "No").ok());
}

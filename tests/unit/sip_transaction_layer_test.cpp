// The transaction layer: matching (RFC 3261 17.1.3, 17.2.3), retransmission absorption, clean
// up of terminated transactions, and hostile inputs (each with its reason, never a crash).
#include <doctest/doctest.h>

#include "sip/transaction_layer.h"
#include "sip_corpus.h"
#include "sip_harness.h"

using namespace sb;
using namespace sb::sip;
using namespace sb::test;

namespace {
const TransactionConfig kUdp{500, 4000, 5000, false, true};

Effects send(TransactionLayer& l, const Message& m, int64_t now = 0) {
    return l.handle(now, layer_event::SendRequest{m});
}
Effects answer(TransactionLayer& l, const Message& m, int64_t now = 0) {
    return l.handle(now, layer_event::SendResponse{m});
}
Effects receive(TransactionLayer& l, const Message& m, int64_t now = 0) {
    return l.handle(now, layer_event::Received{m});
}
std::string discard_message(const Effects& e) {
    auto* d = first_of<effect::Discarded>(e);
    REQUIRE(d != nullptr);
    return d->reason.message;
}
}  // namespace

TEST_CASE("layer: a retransmitted request reaches its server transaction, not the TU twice") {
    TransactionLayer l(kUdp);
    auto reg = request("REGISTER", "z9hG4bKr1");
    CHECK(describe(receive(l, reg)) == "deliver REGISTER");
    CHECK(l.size() == 1);
    CHECK(describe(receive(l, reg)).empty());
    CHECK(describe(answer(l, response_to(reg, 200, "OK"))) == "send 200; start J 32000");
    CHECK(describe(receive(l, reg)) == "send 200");
    // The same branch from another sender (sent-by) is another transaction (17.2.3).
    auto other = sip_message(reg.serialize());
    other.set_header("Via", "SIP/2.0/WSS other.invalid;branch=z9hG4bKr1");
    CHECK(describe(receive(l, other)) == "deliver REGISTER");
    CHECK(l.size() == 2);
    // INVITE, its ACK and its CANCEL: ACK matches the INVITE transaction, CANCEL has its own.
    auto invite = request("INVITE", "z9hG4bKi1");
    CHECK(describe(receive(l, invite)) == "send 100; deliver INVITE");
    CHECK(describe(receive(l, invite)) == "send 100");
    auto cancel = request("CANCEL", "z9hG4bKi1");
    CHECK(describe(receive(l, cancel)) == "deliver CANCEL");
    CHECK(l.find(TransactionId{"z9hG4bKi1", "CANCEL", true, "df7jal23ls0d.invalid"}) != nullptr);
    CHECK(describe(answer(l, response_to(cancel, 200, "OK"))) == "send 200; start J 32000");
    CHECK(describe(answer(l, response_to(invite, 487, "Request Terminated"))) == "send 487; start G 500; start H 32000");
    CHECK(describe(receive(l, request("ACK", "z9hG4bKi1", 1, "", "ACK"))) == "cancel G; cancel H; start I 5000");
    // An ACK for a 2xx (a new branch) goes straight to the TU.
    CHECK(describe(receive(l, request("ACK", "z9hG4bKack2xx", 1, "", "ACK"))) == "deliver ACK (stray)");
}

TEST_CASE("layer: responses reach the client transaction named by branch and CSeq method") {
    TransactionLayer l(kUdp);
    auto reg = request("REGISTER", "z9hG4bKc1");
    auto opt = request("OPTIONS", "z9hG4bKc2");
    CHECK(describe(send(l, reg)) == "send REGISTER; start E 500; start F 32000");
    CHECK(describe(send(l, opt)) == "send OPTIONS; start E 500; start F 32000");
    CHECK(l.size() == 2);
    auto ok_opt = receive(l, response_to(opt, 200, "OK"));
    CHECK(describe(ok_opt) == "deliver 200; cancel E; cancel F; start K 5000");
    CHECK(first_of<effect::DeliverResponse>(ok_opt)->transaction == TransactionId{"z9hG4bKc2", "OPTIONS", false, {}});
    CHECK(l.find(TransactionId{"z9hG4bKc1", "REGISTER", false, {}})->state() == TransactionState::trying);

    // Same branch, wrong CSeq method: no transaction.
    auto wrong = response_to(request("INFO", "z9hG4bKc2"), 200, "OK");
    auto e = receive(l, wrong);
    CHECK(describe(e) == "discard sip_tx_no_match");
    CHECK(discard_message(e) == "response 200 to INFO matches no client transaction (branch z9hG4bKc2)");

    // Timers: named by the transaction; a timer of a transaction that is gone is ignored.
    TimerWheel wheel;
    wheel.apply(0, ok_opt);
    auto k = wheel.pop_due(5000);
    REQUIRE(k);
    CHECK(k->timer.key() == "c|z9hG4bKc2|OPTIONS|K");
    CHECK(describe(l.handle(5000, layer_event::TimerFired{k->timer})) == "terminated");
    CHECK(l.size() == 1);
    CHECK(describe(l.handle(5001, layer_event::TimerFired{k->timer})).empty());
    CHECK(describe(l.handle(0, layer_event::TransportError{k->timer.transaction})).empty());
    CHECK(describe(l.handle(0, layer_event::TransportError{{"z9hG4bKc1", "REGISTER", false, {}}})) ==
          "transport failed; cancel E; cancel F; terminated");
    CHECK(l.size() == 0);
}

TEST_CASE("layer: a stray 2xx to INVITE goes to the TU; other strays are dropped with a reason") {
    TransactionLayer l(kUdp);
    auto invite = request("INVITE", "z9hG4bKgone");
    CHECK(describe(receive(l, response_to(invite, 200, "OK"))) == "deliver 200 (stray)");
    CHECK(describe(receive(l, response_to(invite, 180))) == "discard sip_tx_no_match");
    CHECK(describe(receive(l, response_to(request("BYE", "z9hG4bKgone"), 200))) == "discard sip_tx_no_match");
}

TEST_CASE("layer: hostile and broken inputs are refused with clear reasons and change nothing") {
    TransactionLayer l(kUdp);
    auto no_branch = sip_message("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@b>\r\n"
                                 "Call-ID: x\r\nCSeq: 1 REGISTER\r\n\r\n");
    auto e = receive(l, no_branch);
    CHECK(describe(e) == "discard sip_tx_no_branch");
    CHECK(discard_message(e) == "response 200 has no branch in its top Via");

    auto rfc2543 = request("INVITE", "1234abcd");
    e = receive(l, rfc2543);
    CHECK(describe(e) == "discard sip_tx_no_branch");
    CHECK(discard_message(e) ==
          "request INVITE has branch 1234abcd without the RFC 3261 magic cookie z9hG4bK (RFC 2543 peers are not supported)");
    CHECK(describe(send(l, rfc2543)) == "discard sip_tx_no_branch");

    auto no_via = sip_message("SIP/2.0 200 OK\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@b>\r\nCall-ID: x\r\nCSeq: 1 REGISTER\r\n\r\n");
    CHECK(discard_message(receive(l, no_via)) == "response 200 has no Via");
    auto no_cseq = sip_message("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\n\r\n");
    CHECK(describe(receive(l, no_cseq)) == "discard sip_tx_bad_message");

    // A request missing headers is answered 400 with the reason, statelessly.
    auto no_call_id = sip_message("OPTIONS sip:b@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\nFrom: <sip:a@b>;tag=1\r\n"
                                  "To: <sip:b@b>\r\nCSeq: 1 OPTIONS\r\n\r\n");
    e = receive(l, no_call_id);
    CHECK(describe(e) == "send 400; discard sip_missing_header");
    CHECK(first_of<effect::Send>(e)->message.reason() == first_of<effect::Discarded>(e)->reason.message);
    CHECK(l.size() == 0);

    // The TU's mistakes.
    CHECK(describe(answer(l, response_to(request("BYE", "z9hG4bKnone"), 200))) == "discard sip_tx_no_match");
    CHECK(describe(answer(l, request("BYE", "z9hG4bKnone"))) == "discard sip_tx_bad_message");
    CHECK(describe(send(l, response_to(request("BYE", "z9hG4bKnone"), 200))) == "discard sip_tx_bad_message");
    auto reg = request("REGISTER", "z9hG4bKdup");
    send(l, reg);
    CHECK(describe(send(l, reg)) == "discard sip_tx_duplicate");
    CHECK(l.size() == 1);
    // A request arriving for a client transaction's branch is a new server transaction, and a
    // response never creates anything.
    CHECK(describe(receive(l, reg)) == "deliver REGISTER");
    CHECK(l.size() == 2);
    // An ACK for a 2xx is sent without a transaction.
    CHECK(describe(send(l, request("ACK", "z9hG4bKack", 1, "", "ACK"))) == "send ACK");
    CHECK(l.size() == 2);
}

TEST_CASE("layer: make_branch carries the magic cookie") {
    CHECK(make_branch(0x1234) == "z9hG4bK0000000000001234");
    CHECK(make_branch(~0ull) == "z9hG4bKffffffffffffffff");
}

TEST_CASE("layer: every RFC 4475 message that parses goes through a layer twice without harm") {
    for (const auto& entry : sip_corpus::manifest()) {
        auto parsed = parse_message(sip_corpus::read(entry.file));
        if (!parsed.ok()) continue;
        CAPTURE(entry.file);
        const Message& m = parsed.value();
        TransactionLayer l;
        Effects first = l.handle(0, layer_event::Received{m});
        Effects second = l.handle(1, layer_event::Received{m});
        int delivered = int(all_of<effect::DeliverRequest>(first).size() + all_of<effect::DeliverRequest>(second).size());
        if (m.is_request() && m.method() != "ACK") CHECK(delivered <= 1);  // never twice to the TU
        if (m.is_request() && !all_of<effect::DeliverRequest>(first).empty() && m.method() != "ACK") {
            auto ok = make_response(m, 200, "OK", "t");
            if (!ok.ok()) {  // intmeth.dat's To holds a quoted NUL, which the builder never writes
                CHECK(ok.error().code == "sip_bad_build");
                continue;
            }
            Effects answered = l.handle(2, layer_event::SendResponse{ok.value()});
            CHECK(first_of<effect::Send>(answered) != nullptr);
            if (m.method() != "INVITE") CHECK(l.size() == 0);  // reliable transport: completed ends at once
        }
        for (const auto& e : first)
            if (auto* d = std::get_if<effect::Discarded>(&e)) CHECK(!d->reason.message.empty());
        // As a client would see it: the TU sends it (requests) and the far end echoes it.
        TransactionLayer c;
        if (m.is_request()) (void)c.handle(0, layer_event::SendRequest{m});
        (void)c.handle(0, layer_event::Received{m});
    }
}

// Two core endpoints calling each other back to back over an in-memory link (every message
// serialized and parsed again), each with its own transaction layer; the TUs (written here)
// use dialogs. Over a reliable link and over a lossy unreliable one, where the transactions'
// retransmissions make up for the loss and no TU sees anything twice.
#include <doctest/doctest.h>

#include <deque>
#include <functional>

#include "sip/dialog.h"
#include "sip/transaction_layer.h"
#include "sip_harness.h"

using namespace sb;
using namespace sb::sip;
using namespace sb::test;

namespace {

struct Phone {
    std::string name;
    TransactionLayer layer;
    TimerWheel timers;
    std::vector<Effect> tu;  // what reached the TU: DeliverRequest/Response, TimedOut...
    Phone(std::string n, TransactionConfig c) : name(std::move(n)), layer(c) {}

    std::vector<std::string> tu_log() const {
        std::vector<std::string> out;
        for (const auto& e : tu) out.push_back(describe(e));
        return out;
    }
};

struct Link {
    int64_t now = 0;
    Phone alice, bob;
    struct Packet {
        Phone* to;
        std::string bytes;
    };
    std::deque<Packet> wire;
    int sent = 0;
    std::function<bool(int index, const Message&)> drop;  // index counts every message sent

    explicit Link(TransactionConfig c) : alice("alice", c), bob("bob", c) {}

    Phone& peer(Phone& p) { return &p == &alice ? bob : alice; }

    void perform(Phone& from, const Effects& effects) {
        from.timers.apply(now, effects);
        for (const auto& e : effects) {
            if (auto* s = std::get_if<effect::Send>(&e)) {
                int index = sent++;
                if (drop && drop(index, s->message)) continue;
                wire.push_back({&peer(from), s->message.serialize()});
            } else if (std::holds_alternative<effect::DeliverRequest>(e) || std::holds_alternative<effect::DeliverResponse>(e) ||
                       std::holds_alternative<effect::TimedOut>(e)) {
                from.tu.push_back(e);
            } else if (auto* d = std::get_if<effect::Discarded>(&e)) {
                FAIL_CHECK(from.name << " discarded: " << d->reason.message);
            }
        }
    }
    void pump() {
        while (!wire.empty()) {
            Packet p = std::move(wire.front());
            wire.pop_front();
            auto m = parse_message(p.bytes);
            REQUIRE_MESSAGE(m.ok(), p.bytes);
            perform(*p.to, p.to->layer.handle(now, layer_event::Received{m.value()}));
        }
    }
    void request(Phone& from, const Message& m) {
        perform(from, from.layer.handle(now, layer_event::SendRequest{m}));
        pump();
    }
    void respond(Phone& from, const Message& m) {
        perform(from, from.layer.handle(now, layer_event::SendResponse{m}));
        pump();
    }
    void advance_to(int64_t until) {
        while (true) {
            auto a = alice.timers.next_due(), b = bob.timers.next_due();
            std::optional<int64_t> next = a;
            if (b && (!next || *b < *next)) next = b;
            if (!next || *next > until) break;
            now = *next;
            Phone& p = a && *a == now ? alice : bob;
            auto t = p.timers.pop_due(now);
            perform(p, p.layer.handle(now, layer_event::TimerFired{t->timer}));
            pump();
        }
        now = until;
    }
    template <class T>
    const T& last(Phone& p) {
        for (auto it = p.tu.rbegin(); it != p.tu.rend(); ++it)
            if (auto* x = std::get_if<T>(&*it)) return *x;
        FAIL("nothing of that kind reached " << p.name);
        throw;
    }
};

Message invite(std::string_view branch) {
    return sip_message(std::string(
        "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
        "Via: SIP/2.0/WSS alice.invalid;branch=") + std::string(branch) + "\r\n"
        "Max-Forwards: 70\r\n"
        "From: Alice <sip:alice@atlanta.example.com>;tag=a1\r\n"
        "To: Bob <sip:bob@biloxi.example.com>\r\n"
        "Call-ID: call-1@alice.invalid\r\n"
        "CSeq: 1 INVITE\r\n"
        "Contact: <sip:alice@alice.invalid;transport=ws>\r\n"
        "Content-Type: application/sdp\r\n\r\nv=0\r\n");
}

Message answer(const Message& req, int status, std::string_view reason) {
    auto r = make_response(req, status, reason, "b1").value();
    if (status < 300 && req.method() == "INVITE") r.add_header("Contact", "<sip:bob@bob.invalid;transport=ws>");
    return r;
}

}  // namespace

TEST_CASE("call: INVITE, 180, 200, ACK and BYE between two core endpoints over a reliable link") {
    Link link(TransactionConfig{});
    auto inv = invite("z9hG4bKinv1");
    link.request(link.alice, inv);
    CHECK(link.bob.tu_log() == std::vector<std::string>{"deliver INVITE"});
    CHECK(link.alice.tu_log() == std::vector<std::string>{"deliver 100"});

    Message received = link.last<effect::DeliverRequest>(link.bob).request;
    link.respond(link.bob, answer(received, 180, "Ringing"));
    auto early = dialog_as_uac(inv, link.last<effect::DeliverResponse>(link.alice).response);
    REQUIRE(early.ok());
    Dialog alice_dialog = early.value();
    CHECK(alice_dialog.state == DialogState::early);

    auto ok = answer(received, 200, "OK");
    Dialog bob_dialog = dialog_as_uas(received, ok).value();
    link.respond(link.bob, ok);
    REQUIRE(dialog_on_response(alice_dialog, link.last<effect::DeliverResponse>(link.alice).response).ok());
    CHECK(alice_dialog.state == DialogState::confirmed);
    CHECK(alice_dialog.remote_target == "sip:bob@bob.invalid;transport=ws");

    // The ACK for the 2xx is the TU's, outside any transaction, with its own branch.
    auto ack = make_dialog_request(alice_dialog, "ACK", {"WSS", "alice.invalid", make_branch(7), 1, ""}).value();
    link.request(link.alice, ack);
    CHECK(describe(link.bob.tu.back()) == "deliver ACK (stray)");
    REQUIRE(dialog_on_request(bob_dialog, link.last<effect::DeliverRequest>(link.bob).request).ok());

    // Bob hangs up.
    auto bye = make_dialog_request(bob_dialog, "BYE", {"WSS", "bob.invalid", make_branch(8), std::nullopt, ""}).value();
    link.request(link.bob, bye);
    const Message bye_in = link.last<effect::DeliverRequest>(link.alice).request;
    CHECK(bye_in.method() == "BYE");
    REQUIRE(dialog_on_request(alice_dialog, bye_in).ok());
    CHECK(alice_dialog.state == DialogState::terminated);
    link.respond(link.alice, make_response(bye_in, 200, "OK").value());
    CHECK(describe(link.bob.tu.back()) == "deliver 200");

    CHECK(link.alice.tu_log() == std::vector<std::string>{"deliver 100", "deliver 180", "deliver 200", "deliver BYE"});
    CHECK(link.bob.tu_log() == std::vector<std::string>{"deliver INVITE", "deliver ACK (stray)", "deliver 200"});
    // The INVITE transactions linger in Accepted for 64*T1, then both sides are clean.
    CHECK(link.alice.layer.size() == 1);
    CHECK(link.bob.layer.size() == 1);
    link.advance_to(32000);
    CHECK(link.alice.layer.size() == 0);
    CHECK(link.bob.layer.size() == 0);
    CHECK(link.alice.timers.timers.empty());
    CHECK(link.bob.timers.timers.empty());
}

TEST_CASE("call: over a lossy unreliable link, retransmissions make up for the loss; no TU sees a message twice") {
    TransactionConfig udp{500, 4000, 5000, false, true};
    Link link(udp);
    // Lost: the first INVITE, the first 100 Trying and the first 486.
    int invites = 0, tryings = 0, busies = 0;
    link.drop = [&](int, const Message& m) {
        if (m.is_request() && m.method() == "INVITE") return invites++ == 0;
        if (m.is_response() && m.status() == 100) return tryings++ == 0;
        if (m.is_response() && m.status() == 486) return busies++ == 0;
        return false;
    };
    auto inv = invite("z9hG4bKinv2");
    link.request(link.alice, inv);
    CHECK(link.bob.tu.empty());
    link.advance_to(500);  // Timer A: the INVITE again; Bob's 100 is lost
    CHECK(link.bob.tu_log() == std::vector<std::string>{"deliver INVITE"});
    CHECK(link.alice.tu.empty());
    link.advance_to(1500);  // Timer A again: Bob's server transaction repeats 100, the TU is not asked
    CHECK(link.bob.tu_log() == std::vector<std::string>{"deliver INVITE"});
    CHECK(link.alice.tu_log() == std::vector<std::string>{"deliver 100"});

    link.respond(link.bob, answer(link.last<effect::DeliverRequest>(link.bob).request, 486, "Busy Here"));
    CHECK(link.alice.tu_log() == std::vector<std::string>{"deliver 100"});  // lost
    link.advance_to(2000);  // Timer G: the 486 again; Alice ACKs it
    CHECK(link.alice.tu_log() == std::vector<std::string>{"deliver 100", "deliver 486"});
    CHECK(link.bob.layer.find({"z9hG4bKinv2", "INVITE", true, "alice.invalid"})->state() == TransactionState::confirmed);
    CHECK(link.alice.layer.find({"z9hG4bKinv2", "INVITE", false, {}})->state() == TransactionState::completed);
    link.advance_to(7000);  // Timer I (T4)
    CHECK(link.bob.layer.size() == 0);
    link.advance_to(34000);  // Timer D (32 s)
    CHECK(link.alice.layer.size() == 0);
    CHECK(link.bob.tu_log() == std::vector<std::string>{"deliver INVITE"});
    CHECK(link.alice.tu_log() == std::vector<std::string>{"deliver 100", "deliver 486"});
}

TEST_CASE("call: CANCEL after 180: 200 to the CANCEL, 487 to the INVITE, ACKed by the transaction") {
    Link link(TransactionConfig{});
    auto inv = invite("z9hG4bKinv3");
    link.request(link.alice, inv);
    Message received = link.last<effect::DeliverRequest>(link.bob).request;
    link.respond(link.bob, answer(received, 180, "Ringing"));

    auto cancel = make_cancel(inv);
    REQUIRE(cancel.ok());
    CHECK(cancel.value().find("CSeq")->value == "1 CANCEL");
    CHECK(top_branch(cancel.value()) == "z9hG4bKinv3");
    link.request(link.alice, cancel.value());
    const auto delivered = link.last<effect::DeliverRequest>(link.bob);
    CHECK(delivered.request.method() == "CANCEL");
    // Bob's TU finds the INVITE by the CANCEL's id with method INVITE (RFC 3261 9.2).
    TransactionId invite_id = delivered.transaction;
    invite_id.method = "INVITE";
    REQUIRE(link.bob.layer.find(invite_id) != nullptr);
    link.respond(link.bob, make_response(delivered.request, 200, "OK").value());
    link.respond(link.bob, answer(received, 487, "Request Terminated"));
    CHECK(link.alice.tu_log() == std::vector<std::string>{"deliver 100", "deliver 180", "deliver 200", "deliver 487"});
    CHECK(link.alice.layer.size() == 0);  // reliable: the ACK went, Completed ended at once
    CHECK(link.bob.layer.size() == 0);    // the ACK matched Bob's INVITE transaction
    CHECK(link.bob.tu_log() == std::vector<std::string>{"deliver INVITE", "deliver CANCEL"});
}

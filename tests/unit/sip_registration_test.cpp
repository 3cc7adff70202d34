// The registration client against a registrar written here, two core endpoints back to back
// over an in-memory loopback (every message serialized and parsed again, as over a WebSocket),
// each with its own transaction layer, and one hand-held clock that fires their timers.
#include <doctest/doctest.h>

#include <cstdlib>
#include <deque>

#include "sip/address.h"
#include "sip/digest.h"
#include "sip/fields.h"
#include "sip/registration.h"
#include "sip_harness.h"

using namespace sb;
using namespace sb::sip;
using namespace sb::test;

namespace {

const TransactionConfig kWs{500, 4000, 5000, true, true};

// A registrar as Kamailio's auth + registrar modules behave: 401 with a fresh nonce for a
// REGISTER without valid credentials, nc checked per nonce, a nonce used `nonce_uses` times
// goes stale, the granted expiry is min(requested, max_expires), Expires: 0 removes.
struct FakeRegistrar {
    TransactionLayer layer{kWs};
    std::string realm = "atlanta.example.com";
    std::string user = "alice", password = "s3cret";
    uint32_t max_expires = 300;
    uint32_t min_expires = 0;  // > 0: 423 below it
    int nonce_uses = 1000;
    bool answer = true;        // false: swallow every request (the registrar is gone)
    int refuse = 0;            // a status to answer every REGISTER with (403...)
    bool pong = true;

    struct Binding {
        std::string contact;
        int64_t expires_at = 0;
    };
    std::optional<Binding> binding;
    bool lapsed = false;      // a refresh came after the binding had expired
    int registers = 0, challenges = 0, options = 0;
    std::string nonce;
    int nonce_count = 0;      // times the current nonce was accepted
    uint32_t last_nc = 0;
    int nonces_issued = 0;
    std::vector<Message> seen;  // every REGISTER

    Effects on_request(int64_t now, const Message& req) {
        if (req.method() == "OPTIONS") {
            ++options;
            return layer.handle(now, layer_event::SendResponse{response_to(req, 200, "OK")});
        }
        REQUIRE(req.method() == "REGISTER");
        ++registers;
        seen.push_back(req);
        if (refuse) return reply(now, req, refuse, "Forbidden");
        auto auth = req.find("Authorization");
        bool stale = false;
        if (auth) {
            auto cred = parse_auth(auth->value, "Authorization");
            REQUIRE(cred.ok());
            const auto& c = cred.value();
            if (c.param("nonce") == nonce && nonce_count >= nonce_uses) {
                stale = true;
            } else if (c.param("nonce") == nonce && c.param("username") == user && c.param("realm") == realm &&
                       c.param("uri") == std::string(req.uri())) {
                uint32_t nc = uint32_t(std::strtoul(c.param("nc").value_or("0").c_str(), nullptr, 16));
                DigestChallenge ch;
                ch.realm = realm;
                ch.nonce = nonce;
                ch.qop_auth = true;
                auto cnonce = c.param("cnonce").value_or("");
                std::string expected = digest_response(ch, digest_ha1(user, realm, password),
                                                       {req.method(), req.uri(), cnonce, nc});
                if (c.param("response") == expected && nc > last_nc) {
                    last_nc = nc;
                    ++nonce_count;
                    return accept(now, req);
                }
            }
        }
        ++challenges;
        nonce = "n" + std::to_string(++nonces_issued);
        nonce_count = 0;
        last_nc = 0;
        auto r = response_to(req, 401, "Unauthorized");
        r.add_header("WWW-Authenticate", "Digest realm=\"" + realm + "\", nonce=\"" + nonce + "\", qop=\"auth\", algorithm=MD5" +
                                             (stale ? ", stale=true" : ""));
        return layer.handle(now, layer_event::SendResponse{r});
    }

    Effects reply(int64_t now, const Message& req, int status, std::string_view reason) {
        return layer.handle(now, layer_event::SendResponse{response_to(req, status, reason)});
    }

    Effects accept(int64_t now, const Message& req) {
        uint32_t asked = read_expires(req).value().value_or(3600);
        auto contact = read_contacts(req).value().at(0);
        if (asked != 0 && asked < min_expires) {
            auto r = response_to(req, 423, "Interval Too Brief");
            r.add_header("Min-Expires", std::to_string(min_expires));
            return layer.handle(now, layer_event::SendResponse{r});
        }
        if (binding && now > binding->expires_at) lapsed = true;
        auto r = response_to(req, 200, "OK");
        if (asked == 0) {
            binding.reset();
        } else {
            uint32_t granted = std::min(asked, max_expires);
            binding = Binding{std::string(contact.uri.text), now + int64_t(granted) * 1000};
            std::string params(contact.params.raw());
            r.add_header("Contact", "<" + std::string(contact.uri.text) + ">" + params + ";expires=" + std::to_string(granted));
        }
        return layer.handle(now, layer_event::SendResponse{r});
    }
};

struct Loopback {
    int64_t now = 0;
    TransactionLayer ua_layer{kWs};
    RegistrationClient ua;
    FakeRegistrar registrar;
    TimerWheel ua_timers, registrar_timers;
    std::deque<std::string> to_registrar, to_ua;
    std::vector<effect::RegistrationChanged> changes;
    std::vector<Error> discarded;
    int pings = 0;
    bool hold = false;  // keep what the UA sends in flight

    explicit Loopback(RegistrationConfig config) : ua(std::move(config)) {}

    static RegistrationConfig config() {
        RegistrationConfig c;
        c.registrar = "sip:atlanta.example.com";
        c.aor = "sip:alice@atlanta.example.com";
        c.contact = "sip:k3l2j@df7jal23ls0d.invalid;transport=ws";
        c.instance_id = "urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF";
        c.reg_id = 1;
        c.user_agent = "Switchboard";
        c.credentials = {"alice", "s3cret", "", ""};
        c.seed = 42;
        c.expires_s = 600;
        return c;
    }

    void ua_effects(const Effects& effects) {
        ua_timers.apply(now, effects);
        for (const auto& e : effects) {
            if (auto* s = std::get_if<effect::Send>(&e)) to_registrar.push_back(s->message.serialize());
            if (auto* c = std::get_if<effect::RegistrationChanged>(&e)) changes.push_back(*c);
            if (auto* d = std::get_if<effect::Discarded>(&e)) discarded.push_back(d->reason);
            if (std::holds_alternative<effect::SendKeepalive>(e)) {
                ++pings;
                if (registrar.pong) to_ua.push_back("\r\n");
            }
        }
    }
    void registrar_effects(const Effects& effects) {
        registrar_timers.apply(now, effects);
        for (const auto& e : effects) {
            if (auto* s = std::get_if<effect::Send>(&e)) to_ua.push_back(s->message.serialize());
            if (auto* d = std::get_if<effect::DeliverRequest>(&e)) registrar_effects(registrar.on_request(now, d->request));
        }
    }
    void pump() {
        while ((!hold && !to_registrar.empty()) || !to_ua.empty()) {
            if (!hold && !to_registrar.empty()) {
                std::string bytes = std::move(to_registrar.front());
                to_registrar.pop_front();
                if (!registrar.answer) continue;
                auto m = parse_message(bytes);
                REQUIRE_MESSAGE(m.ok(), bytes);
                registrar_effects(registrar.layer.handle(now, layer_event::Received{m.value()}));
            }
            if (!to_ua.empty()) {
                std::string bytes = std::move(to_ua.front());
                to_ua.pop_front();
                auto m = parse_message(bytes);
                if (!m.ok() && m.error().code == "sip_empty") {
                    ua_effects(ua.handle(now, reg_event::KeepalivePong{}, ua_layer));
                    continue;
                }
                REQUIRE_MESSAGE(m.ok(), bytes);
                ua_effects(ua.absorb(now, ua_layer.handle(now, layer_event::Received{m.value()}), ua_layer));
            }
        }
    }
    void act(const RegistrationEvent& e) {
        ua_effects(ua.handle(now, e, ua_layer));
        pump();
    }
    // Moves the clock to `until`, firing every timer due on the way, in order.
    void advance_to(int64_t until) {
        while (true) {
            auto a = ua_timers.next_due(), b = registrar_timers.next_due();
            std::optional<int64_t> next = a;
            if (b && (!next || *b < *next)) next = b;
            if (!next || *next > until) break;
            now = *next;
            if (auto t = ua_timers.pop_due(now)) {
                if (t->timer.transaction.empty()) {
                    ua_effects(ua.handle(now, reg_event::TimerFired{t->timer.name}, ua_layer));
                } else {
                    ua_effects(ua.absorb(now, ua_layer.handle(now, layer_event::TimerFired{t->timer}), ua_layer));
                }
            } else if (auto r = registrar_timers.pop_due(now)) {
                registrar_effects(registrar.layer.handle(now, layer_event::TimerFired{r->timer}));
            }
            pump();
        }
        now = until;
    }
    std::string history() const {
        std::string out;
        for (const auto& c : changes) out += (out.empty() ? "" : " ") + std::string(to_string(c.state));
        return out;
    }
};

}  // namespace

TEST_CASE("registration: the refresh time is 10% early, at least 30 s early, never before half") {
    CHECK(RegistrationClient::refresh_delay_ms(600) == 540000);
    CHECK(RegistrationClient::refresh_delay_ms(3600) == 3240000);
    CHECK(RegistrationClient::refresh_delay_ms(300) == 270000);
    CHECK(RegistrationClient::refresh_delay_ms(120) == 90000);
    CHECK(RegistrationClient::refresh_delay_ms(40) == 20000);
    CHECK(RegistrationClient::refresh_delay_ms(1) == 500);
}

TEST_CASE("registration: REGISTER, 401, REGISTER with digest, 200; refreshes keep it alive; unregister") {
    Loopback net(Loopback::config());
    net.act(reg_event::Register{});
    CHECK(net.history() == "registering registered");
    CHECK(net.ua.state() == RegistrationState::registered);
    CHECK(net.discarded.empty());
    REQUIRE(net.registrar.seen.size() == 2);
    CHECK(net.registrar.challenges == 1);

    const Message& first = net.registrar.seen[0];
    CHECK(first.uri() == "sip:atlanta.example.com");
    CHECK_FALSE(first.find("Authorization"));
    CHECK(first.find("Contact")->value ==
          "<sip:k3l2j@df7jal23ls0d.invalid;transport=ws>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\";reg-id=1");
    CHECK(first.find("Expires")->value == "600");
    CHECK(first.find("Supported")->value == "outbound, path");
    CHECK(first.find("User-Agent")->value == "Switchboard");
    CHECK(first.find("CSeq")->value == "1 REGISTER");
    CHECK(read_to(first).value().uri.text == "sip:alice@atlanta.example.com");
    CHECK(read_to(first).value().tag().empty());
    CHECK_FALSE(read_from(first).value().tag().empty());

    const Message& second = net.registrar.seen[1];
    CHECK(second.find("CSeq")->value == "2 REGISTER");  // same Call-ID, next CSeq (10.2.4)
    CHECK(second.find("Call-ID")->value == first.find("Call-ID")->value);
    CHECK(top_branch(second) != top_branch(first));
    auto auth = parse_auth(second.find("Authorization")->value, "Authorization").value();
    CHECK(auth.param("nc") == "00000001");
    CHECK(auth.param("nonce") == "n1");
    CHECK(auth.param("qop") == "auth");
    CHECK(auth.param("cnonce")->size() == 16);

    // Granted 300 s (the registrar's maximum): the refresh is due at 270 s.
    CHECK(net.ua.granted_expires_s() == 300);
    CHECK(net.changes.back().expires_s == 300);
    CHECK(net.ua.expires_at_ms() == 300000);
    REQUIRE(net.registrar.binding);
    CHECK(net.registrar.binding->contact == "sip:k3l2j@df7jal23ls0d.invalid;transport=ws");

    net.advance_to(269999);
    CHECK(net.registrar.registers == 2);
    net.advance_to(270000);
    CHECK(net.registrar.registers == 3);  // the cached nonce: no second 401
    CHECK(net.history() == "registering registered refreshing registered");
    auto refresh = parse_auth(net.registrar.seen[2].find("Authorization")->value, "Authorization").value();
    CHECK(refresh.param("nc") == "00000002");
    CHECK(net.registrar.seen[2].find("CSeq")->value == "3 REGISTER");
    CHECK(net.ua.expires_at_ms() == 570000);

    // An hour on: a refresh every 270 s, the binding never lapses.
    net.advance_to(3600000);
    CHECK(net.registrar.registers == 2 + 13);
    CHECK_FALSE(net.registrar.lapsed);
    CHECK(net.registrar.binding->expires_at > net.now);
    CHECK(net.ua.state() == RegistrationState::registered);
    CHECK(net.discarded.empty());

    net.changes.clear();
    net.act(reg_event::Unregister{});
    CHECK(net.history() == "unregistering unregistered");
    CHECK(net.registrar.seen.back().find("Expires")->value == "0");
    CHECK_FALSE(net.registrar.binding);
    CHECK(net.ua.state() == RegistrationState::unregistered);
    CHECK(net.ua_timers.timers.empty());  // refresh and keepalive cancelled
    net.advance_to(7200000);
    CHECK(net.registrar.registers == 16);  // nothing more
}

TEST_CASE("registration: a stale nonce is answered again; a refused password fails after one retry") {
    SUBCASE("stale") {
        Loopback net(Loopback::config());
        net.registrar.nonce_uses = 2;
        net.act(reg_event::Register{});
        net.advance_to(270000);  // nonce n1, use 2
        CHECK(net.registrar.challenges == 1);
        net.advance_to(540000);  // n1 is stale now: 401 stale=true, retried with n2
        CHECK(net.registrar.challenges == 2);
        CHECK(net.ua.state() == RegistrationState::registered);
        auto last = parse_auth(net.registrar.seen.back().find("Authorization")->value, "Authorization").value();
        CHECK(last.param("nonce") == "n2");
        CHECK(last.param("nc") == "00000001");
    }
    SUBCASE("wrong password") {
        auto config = Loopback::config();
        config.credentials.password = "wrong";
        config.retry_ms = 60000;
        Loopback net(config);
        net.act(reg_event::Register{});
        CHECK(net.registrar.registers == 2);
        CHECK(net.history() == "registering failed");
        REQUIRE(net.changes.back().reason);
        CHECK(net.changes.back().reason->code == "sip_auth_rejected");
        CHECK(net.changes.back().reason->message ==
              "the credentials of alice were rejected for realm \"atlanta.example.com\" (401 Unauthorized)");
        CHECK(net.ua.failure() == net.changes.back().reason);
        // The retry timer: one more attempt (with one more challenge) a minute later.
        net.advance_to(60000);
        CHECK(net.registrar.registers == 4);
        CHECK(net.history() == "registering failed registering failed");
    }
}

TEST_CASE("registration: failures are reported with their reason") {
    SUBCASE("refused") {
        Loopback net(Loopback::config());
        net.registrar.refuse = 403;
        net.act(reg_event::Register{});
        CHECK(net.history() == "registering failed");
        CHECK(net.changes.back().reason->code == "sip_register_refused");
        CHECK(net.changes.back().reason->message == "the registrar answered 403 Forbidden");
        CHECK(net.ua_timers.timers.empty());  // no retry configured
    }
    SUBCASE("no answer: Timer F") {
        Loopback net(Loopback::config());
        net.registrar.answer = false;
        net.act(reg_event::Register{});
        CHECK(net.history() == "registering");
        net.advance_to(31999);
        CHECK(net.history() == "registering");
        net.advance_to(32000);
        CHECK(net.history() == "registering failed");
        CHECK(net.changes.back().reason->code == "sip_register_timeout");
        CHECK(net.changes.back().reason->message == "no answer from the registrar sip:atlanta.example.com (Timer F)");
        // Register again once it is back.
        net.registrar.answer = true;
        net.act(reg_event::Register{});
        CHECK(net.ua.state() == RegistrationState::registered);
        CHECK(!net.ua.failure());
    }
    SUBCASE("423 Interval Too Brief is followed once") {
        auto config = Loopback::config();
        config.expires_s = 60;
        Loopback net(config);
        net.registrar.min_expires = 120;
        net.act(reg_event::Register{});
        CHECK(net.ua.state() == RegistrationState::registered);
        CHECK(net.registrar.seen.back().find("Expires")->value == "120");
        CHECK(net.ua.granted_expires_s() == 120);
    }
    SUBCASE("Register while a REGISTER is in flight, Unregister when unregistered") {
        Loopback net(Loopback::config());
        net.registrar.answer = false;
        net.act(reg_event::Register{});
        net.act(reg_event::Register{});
        REQUIRE(net.discarded.size() == 1);
        CHECK(net.discarded[0].code == "sip_tx_wrong_state");
        CHECK(net.discarded[0].message == "Register while registering");
        Loopback idle(Loopback::config());
        idle.act(reg_event::Unregister{});
        REQUIRE(idle.discarded.size() == 1);
        CHECK(idle.discarded[0].message == "Unregister while unregistered");
    }
}

TEST_CASE("registration: Unregister while a REGISTER is in flight waits for its answer (one at a time)") {
    Loopback net(Loopback::config());
    net.hold = true;
    net.act(reg_event::Register{});
    net.act(reg_event::Unregister{});
    CHECK(net.to_registrar.size() == 1);  // not a second REGISTER yet
    CHECK(net.history() == "registering unregistering");
    net.hold = false;
    net.pump();  // 401 to the first; the Expires: 0 one goes with credentials, 200
    CHECK(net.registrar.registers == 2);
    CHECK(net.registrar.seen.back().find("Expires")->value == "0");
    CHECK(net.registrar.seen.back().find("Authorization"));
    CHECK(net.history() == "registering unregistering unregistered");
    CHECK_FALSE(net.registrar.binding);
    CHECK(net.ua_timers.timers.empty());
}

TEST_CASE("registration: CRLF keepalives every 24-30 s while registered; a missing pong fails the flow") {
    Loopback net(Loopback::config());
    net.act(reg_event::Register{});
    net.advance_to(120000);
    CHECK(net.pings >= 4);
    CHECK(net.pings <= 5);
    CHECK(net.ua.state() == RegistrationState::registered);
    net.registrar.pong = false;
    int before = net.pings;
    net.advance_to(160000);
    CHECK(net.pings == before + 1);
    CHECK(net.ua.state() == RegistrationState::failed);
    CHECK(net.changes.back().reason->code == "sip_keepalive_failed");
    CHECK(net.changes.back().reason->message == "no CRLF pong within 10000 ms: the flow is broken");
    CHECK(net.ua_timers.timers.empty());
}

TEST_CASE("registration: OPTIONS keepalive; no answer fails the flow") {
    auto config = Loopback::config();
    config.keepalive = KeepaliveMode::options;
    Loopback net(config);
    net.act(reg_event::Register{});
    net.advance_to(100000);
    CHECK(net.registrar.options >= 3);
    CHECK(net.pings == 0);
    CHECK(net.ua.state() == RegistrationState::registered);
    net.registrar.answer = false;
    net.advance_to(200000);
    CHECK(net.ua.state() == RegistrationState::failed);
    CHECK(net.changes.back().reason->code == "sip_keepalive_failed");
}

TEST_CASE("registration: the same seed gives the same messages (a session replays exactly)") {
    Loopback a(Loopback::config()), b(Loopback::config());
    a.act(reg_event::Register{});
    b.act(reg_event::Register{});
    a.advance_to(600000);
    b.advance_to(600000);
    REQUIRE(a.registrar.seen.size() == b.registrar.seen.size());
    for (size_t i = 0; i < a.registrar.seen.size(); ++i)
        CHECK(a.registrar.seen[i].serialize() == b.registrar.seen[i].serialize());
}

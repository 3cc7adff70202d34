// tests/unit/sip_ua_harness.h: core UserAgents (sip/user_agent.h) talking through a small
// proxy/registrar written here, over an in-memory link (every message serialized and parsed
// again, as over a WebSocket), with one hand-held clock.
//
// The proxy is stateless, as Kamailio's core forwarding is: REGISTER is answered 200 and binds
// the user to the UA (found by its .invalid host); requests for example.com users go to their
// binding, requests for a .invalid host go to that UA; it adds its Via (a branch derived from
// the sender's, so CANCEL and non-2xx ACK follow the INVITE), Record-Route on initial INVITEs,
// and optionally challenges initial INVITEs with 407 (digest checked against the users'
// passwords), adds P-Asserted-Identity, or turns 180 into 183 with SDP (a gateway's early media).
#pragma once

#include <doctest/doctest.h>

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sip/address.h"
#include "sip/digest.h"
#include "sip/fields.h"
#include "sip/sdp.h"
#include "sip/user_agent.h"

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {  // event logs print as ["a", "b"] when a check fails
    static String convert(const std::vector<std::string>& v) {
        std::string out = "[";
        for (const auto& s : v) out += (out.size() > 1 ? ", \"" : "\"") + s + "\"";
        return String((out + "]").c_str());
    }
};
}  // namespace doctest

namespace sb::test {

using namespace sb::sip;

inline std::string sdp_offer(std::string_view direction, std::string_view port = "4000") {
    return "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio " + std::string(port) +
           " RTP/AVP 0 101\r\nc=IN IP4 192.0.2.1\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=" +
           std::string(direction) + "\r\n";
}

inline sdp::Direction direction_of(std::string_view text) {
    auto s = sdp::parse(text);
    REQUIRE_MESSAGE(s.ok(), text);
    return sdp::direction(s.value(), 0);
}

inline std::string describe(const UaEffect& e) {
    using namespace sb::sip::ua_effect;
    auto n = [](CallId c) { return std::to_string(c); };
    if (auto* x = std::get_if<Outgoing>(&e)) return "outgoing " + n(x->call);
    if (auto* x = std::get_if<Incoming>(&e))
        return "incoming " + n(x->call) + (x->replaces ? " replacing " + n(*x->replaces) : "");
    if (auto* x = std::get_if<Ringing>(&e)) return "ringing " + n(x->call);
    if (auto* x = std::get_if<EarlyMedia>(&e)) return "early media " + n(x->call);
    if (auto* x = std::get_if<Answered>(&e)) return "answered " + n(x->call);
    if (auto* x = std::get_if<RemoteOffer>(&e)) return "remote offer " + n(x->call);
    if (auto* x = std::get_if<HeldByRemote>(&e)) return "held by remote " + n(x->call);
    if (auto* x = std::get_if<ResumedByRemote>(&e)) return "resumed by remote " + n(x->call);
    if (auto* x = std::get_if<HoldDone>(&e))
        return std::string(x->held ? "hold " : "resume ") + (x->ok ? "done " : "refused ") + n(x->call);
    if (auto* x = std::get_if<DtmfReceived>(&e)) return "dtmf " + n(x->call) + " " + std::string(1, x->digit);
    if (auto* x = std::get_if<TransferProgress>(&e)) return "transfer " + n(x->call) + " " + std::to_string(x->status);
    if (auto* x = std::get_if<TransferRequested>(&e))
        return "refer " + n(x->call) + " " + x->target + (x->replaces ? " replaces" : "");
    if (auto* x = std::get_if<Ended>(&e))
        return "ended " + n(x->call) + " " + std::string(to_string(x->who)) + " " + x->reason + " " + std::to_string(x->status);
    if (auto* x = std::get_if<Refused>(&e)) return "refused " + n(x->call) + " " + x->reason.code;
    if (auto* x = std::get_if<Discarded>(&e)) return "discarded " + x->reason.code;
    if (auto* x = std::get_if<RegistrationChanged>(&e)) return "registration " + std::string(to_string(x->state));
    return "?";
}

struct UaNet {
    struct Node {
        std::string name;
        UserAgent ua;
        bool up = true;
        std::map<std::string, int64_t> timers;
        std::vector<UaEffect> log;          // everything but sends and timers
        std::vector<std::string> sent;      // every message it sent
        std::vector<std::string> received;  // every message delivered to it
    };
    struct Packet {
        Node* from = nullptr;  // to the proxy
        Node* to = nullptr;    // from the proxy
        std::string bytes;
    };

    int64_t now = 0;
    std::vector<std::unique_ptr<Node>> nodes;
    std::deque<Packet> wire;
    std::string domain = "example.com";
    std::map<std::string, std::string> passwords;
    std::map<std::string, Node*> bindings;  // user -> UA
    // Proxy behaviour.
    bool challenge_invites = false;
    std::string pai;                // added to initial INVITEs when not empty
    bool early_media = false;       // 180 becomes 183 with SDP on its way to the caller
    bool pong = true;                   // answer CRLF pings
    KeepaliveMode keepalive = KeepaliveMode::crlf;  // for the UAs added next
    int keepalives = 0;
    std::set<std::string> challenge_next;  // methods whose next request gets a 407 (a new nonce)
    std::set<std::string> challenged;  // branches answered 407 (their ACK is absorbed)
    int invites_seen = 0, registers_seen = 0, challenges = 0;
    std::vector<std::string> proxied_requests;  // "METHOD from->to"

    Node& add(std::string name, std::string display = "") {
        auto n = std::make_unique<Node>();
        n->name = name;
        passwords[name] = name + "-secret";
        ua_event::Configure c;
        c.uri = "sip:" + name + "@" + domain;
        c.username = name;
        c.password = name + "-secret";
        c.display_name = display;
        c.seed = 1000 + nodes.size();
        c.keepalive = keepalive;
        Node& node = *n;
        nodes.push_back(std::move(n));
        apply(node, node.ua.handle(now, c));
        return node;
    }
    Node* by_host(std::string_view host) {
        for (auto& n : nodes)
            if (n->ua.via_host() == host) return n.get();
        return nullptr;
    }

    void apply(Node& n, const UaEffects& fx) {
        for (const auto& e : fx) {
            if (auto* s = std::get_if<ua_effect::Send>(&e)) {
                n.sent.push_back(s->text);
                if (n.up) wire.push_back({&n, nullptr, s->text});
            } else if (std::holds_alternative<ua_effect::SendKeepalive>(e)) {
                ++keepalives;
                if (n.up && pong) wire.push_back({nullptr, &n, "\r\n"});  // the pong
            } else if (auto* t = std::get_if<ua_effect::StartTimer>(&e)) {
                n.timers[t->key] = now + t->delay_ms;
            } else if (auto* t = std::get_if<ua_effect::CancelTimer>(&e)) {
                n.timers.erase(t->key);
            } else {
                n.log.push_back(e);
            }
        }
    }
    void act(Node& n, const UaEvent& e) {
        apply(n, n.ua.handle(now, e));
        pump();
    }
    void pump() {
        int guard = 0;
        while (!wire.empty()) {
            REQUIRE(++guard < 10000);
            Packet p = std::move(wire.front());
            wire.pop_front();
            if (p.to) {
                if (!p.to->up) continue;
                if (p.bytes != "\r\n") p.to->received.push_back(p.bytes);
                apply(*p.to, p.to->ua.handle(now, ua_event::Received{p.bytes}));
            } else {
                proxy(*p.from, p.bytes);
            }
        }
    }
    void advance_to(int64_t until) {
        while (true) {
            Node* best = nullptr;
            std::string key;
            int64_t due = 0;
            for (auto& n : nodes)
                for (auto& [k, d] : n->timers)
                    if (d <= until && (!best || d < due)) best = n.get(), key = k, due = d;
            if (!best) break;
            now = due;
            best->timers.erase(key);
            apply(*best, best->ua.handle(now, ua_event::TimerFired{key}));
            pump();
        }
        now = until;
    }
    void drop(Node& n) {
        n.up = false;
        apply(n, n.ua.handle(now, ua_event::TransportDown{}));
        pump();
    }
    void reconnect(Node& n) {
        n.up = true;
        apply(n, n.ua.handle(now, ua_event::TransportUp{}));
        pump();
    }

    std::vector<std::string> events(Node& n) {  // the log since the last call, as text
        std::vector<std::string> out;
        for (const auto& e : n.log) out.push_back(describe(e));
        n.log.clear();
        return out;
    }
    template <class T>
    const T* last(const Node& n) const {
        for (auto it = n.log.rbegin(); it != n.log.rend(); ++it)
            if (auto* x = std::get_if<T>(&*it)) return x;
        return nullptr;
    }
    // The last message of this method (or status) a node received.
    std::optional<Message> received(const Node& n, std::string_view what) const {
        for (auto it = n.received.rbegin(); it != n.received.rend(); ++it) {
            auto m = parse_message(*it);
            if (!m) continue;
            if (m.value().is_request() ? m.value().method() == what : std::to_string(m.value().status()) == what)
                return m.value();
        }
        return std::nullopt;
    }
    int count_sent(const Node& n, std::string_view start) const {
        int c = 0;
        for (const auto& s : n.sent)
            if (s.compare(0, start.size(), start) == 0) ++c;
        return c;
    }

    // ---- the proxy ----------------------------------------------------------------------------
    void to_node(Node& n, const Message& m) { wire.push_back({nullptr, &n, m.serialize()}); }

    void proxy(Node& from, const std::string& bytes) {
        auto parsed = parse_message(bytes);
        REQUIRE_MESSAGE(parsed.ok(), bytes);
        const Message& m = parsed.value();
        if (m.is_response()) {
            auto vias = read_vias(m).value();
            REQUIRE(vias[0].host == "proxy.test");
            if (vias.size() < 2) return;  // an answer to a request that did not come through us
            Node* to = by_host(vias[1].host);
            REQUIRE(to);
            Message out = Message::response(m.status(), m.reason()).value();
            int status = m.status();
            std::string body(m.body());
            if (early_media && status == 180) {
                out = Message::response(183, "Session Progress").value();
                body = sdp_offer("sendrecv", "5000");
            }
            bool first_via = true;
            for (size_t i = 0; i < m.header_count(); ++i) {
                Header h = m.header(i);
                if (h.id == HeaderId::via && first_via) {
                    first_via = false;
                    auto values = split_list(h.value);
                    for (size_t v = 1; v < values.size(); ++v) out.add_header("Via", values[v]);
                    continue;
                }
                if (h.id == HeaderId::content_length || (h.id == HeaderId::content_type && body != m.body())) continue;
                out.add_header(h.name, h.value);
            }
            if (body != m.body()) out.add_header("Content-Type", "application/sdp");
            out.set_body(body);
            return to_node(*to, out);
        }
        std::string method(m.method());
        if (method == "REGISTER") {
            ++registers_seen;
            auto to = read_to(m).value();
            bindings[std::string(to.uri.user)] = &from;
            auto ok = make_response(m, 200, "OK", "reg").value();
            auto contact = read_contacts(m).value().at(0);
            ok.add_header("Contact", "<" + std::string(contact.uri.text) + ">" + std::string(contact.params.raw()) +
                                         ";expires=300");
            return to_node(from, ok);
        }
        std::string branch = std::string(read_vias(m).value().at(0).branch());
        if (method == "ACK" && challenged.count(branch)) return;  // the ACK of our 407
        bool initial = read_to(m).value().tag().empty();
        if (method == "INVITE" && initial) ++invites_seen;
        bool once = challenge_next.erase(method) > 0;
        if (once || (method == "INVITE" && initial)) {
            if (once || (challenge_invites && !authorized(m))) {
                ++challenges;
                challenged.insert(branch);
                auto r = make_response(m, 407, "Proxy Authentication Required", "px").value();
                r.add_header("Proxy-Authenticate", "Digest realm=\"" + domain + "\", nonce=\"pn" +
                                                       std::to_string(challenges) + "\", qop=\"auth\", algorithm=MD5");
                return to_node(from, r);
            }
        }
        // Next hop: our Route removed; a UA's host, or the binding of a user of our domain.
        auto routes = read_route(m).value();
        bool ours = !routes.empty() && routes[0].uri.host == "proxy.test";
        auto ruri = parse_uri(m.uri()).value();
        Node* to = nullptr;
        std::string uri(m.uri());
        if (ruri.host == domain) {
            auto b = bindings.find(std::string(ruri.user));
            if (b == bindings.end()) {
                if (method != "ACK") to_node(from, make_response(m, 404, "Not Found", "px").value());
                return;
            }
            to = b->second;
            uri = to->ua.contact();
        } else {
            to = by_host(ruri.host);
            REQUIRE_MESSAGE(to, "no UA at " << ruri.host);
        }
        proxied_requests.push_back(method + " " + from.name + "->" + to->name);
        Message out = Message::request(method, uri).value();
        out.add_header("Via", "SIP/2.0/WSS proxy.test;branch=z9hG4bKpx" + branch.substr(7));
        bool route_dropped = false;
        for (size_t i = 0; i < m.header_count(); ++i) {
            Header h = m.header(i);
            if (h.id == HeaderId::route && ours && !route_dropped) {
                route_dropped = true;
                continue;
            }
            if (h.id == HeaderId::content_length) continue;
            out.add_header(h.name, h.value);
        }
        if (method == "INVITE" && initial) {
            out.add_header("Record-Route", "<sip:proxy.test;lr>");
            if (!pai.empty()) out.add_header("P-Asserted-Identity", pai);
        }
        out.set_body(m.body());
        to_node(*to, out);
    }

    bool authorized(const Message& m) {
        auto h = m.find("Proxy-Authorization");
        if (!h) return false;
        auto a = parse_auth(h->value, "Proxy-Authorization");
        if (!a) return false;
        const auto& c = a.value();
        std::string user = c.param("username").value_or("");
        if (!passwords.count(user)) return false;
        DigestChallenge ch;
        ch.realm = domain;
        ch.nonce = c.param("nonce").value_or("");
        ch.qop_auth = true;
        uint32_t nc = uint32_t(std::strtoul(c.param("nc").value_or("0").c_str(), nullptr, 16));
        std::string expected = digest_response(ch, digest_ha1(user, domain, passwords[user]),
                                               {m.method(), c.param("uri").value_or(""), c.param("cnonce").value_or(""), nc});
        return c.param("response") == expected && c.param("uri") == std::string(m.uri());
    }
};

}  // namespace sb::test

// telephony_api.cpp: the HTTP endpoints Kamailio calls (docs/telephony.md, "Queue calls"):
//   POST /telephony/route     call_id, from, from_name, number[, previous, status][, transfer]
//                             -> 200 "<sip_user> <contact>" | 486 "busy <contact>" | 404 unknown number
//   POST /telephony/ended     contact, reason=caller_cancel -> 200 "ok"
//   POST /telephony/outbound  contact, sip_user[, call_id] -> 200 "<caller_id> <e164>" | 403
// Only from a loopback peer or one named with --telephony-peer, and only with X-Switchboard-Telephony = the secret given with
// --telephony-secret-file (without the flag: 404). Bodies are form-encoded; replies plain text,
// one line, so that Kamailio's config can split them. The secret is never logged.
#include <cstring>

#include <sodium.h>

#include "server/channels/sms_gateway.h"  // parse_form
#include "server/desk/desk_service.h"  // is_valid_utf8
#include "server/net/http_api.h"

namespace sbd {

namespace {

constexpr std::size_t kMaxBody = 4096;

ApiReply text(unsigned status, std::string body) {
    return ApiReply{status, "text/plain; charset=utf-8", std::move(body) + "\n"};
}

bool same_secret(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// A ContactService error as an HTTP status.
unsigned status_of(const sb::Error& e) {
    if (e.code == "unknown_queue" || e.code == "unknown_contact") return 404;
    if (e.code == "wrong_state") return 409;
    if (e.code == "not_your_contact") return 403;
    if (e.code == "internal") return 500;
    return 400;
}

}  // namespace

ApiReply HttpApi::telephony(const ApiRequest& req) {
    if (!is_loopback(req.remote_address) && !telephony_peers_.contains(req.remote_address)) {
        d_.log.warn("telephony request from a peer not allowed", {{"path", req.path}, {"peer", req.remote_address}});
        return text(403, "forbidden: loopback or --telephony-peer only");
    }
    if (!req.telephony_secret) return text(401, "unauthorized: X-Switchboard-Telephony is required");
    if (!same_secret(*req.telephony_secret, *telephony_secret_)) {
        d_.log.warn("telephony request with a wrong secret", {{"path", req.path}});
        return text(403, "forbidden: wrong X-Switchboard-Telephony");
    }
    bool route = req.path == "/telephony/route", ended = req.path == "/telephony/ended",
         outbound = req.path == "/telephony/outbound";
    if (!route && !ended && !outbound) return text(404, "not found: /telephony/route, /telephony/ended, /telephony/outbound");
    if (req.method != "POST") return text(405, "method not allowed: POST");
    if (req.body.size() > kMaxBody) return text(413, "body too large");
    if (req.content_type.rfind("application/x-www-form-urlencoded", 0) != 0)
        return text(415, "unsupported media type: send application/x-www-form-urlencoded");
    auto form = parse_form(req.body);
    if (!form) return text(400, "bad_message: the form is malformed");
    for (const auto& [k, v] : *form)
        if (!is_valid_utf8(k) || !is_valid_utf8(v)) return text(400, "bad_message: fields must be UTF-8");
    auto field = [&](const char* k) -> std::optional<std::string> {
        auto it = form->find(k);
        if (it == form->end()) return std::nullopt;
        return it->second;
    };
    auto refuse = [&](const sb::Error& e) {
        unsigned status = status_of(e);
        if (status == 500) d_.log.error("telephony request failed", {{"path", req.path}, {"error", e.message}});
        else d_.log.info("telephony request refused", {{"path", req.path}, {"code", e.code}, {"message", e.message}});
        return text(status, e.code + ": " + e.message);
    };

    if (route) {
        auto call_id = field("call_id"), from = field("from"), number = field("number");
        if (!call_id || !from || !number || call_id->empty() || number->empty())
            return text(400, "bad_message: call_id, from and number are required");
        auto previous = field("previous");
        if (previous && previous->empty()) previous.reset();
        int status = 0;
        if (previous) {
            auto s = field("status");
            if (!s || s->size() != 3 || s->find_first_not_of("0123456789") != std::string::npos || (*s)[0] < '3' ||
                (*s)[0] > '6')
                return text(400, "bad_message: status (the failed branch's SIP status, 300-699) goes with previous");
            status = std::stoi(*s);
        }
        // transfer: the contact a transferred caller's Request-URI names (;sb_contact=, docs/telephony.md).
        auto transfer = field("transfer");
        if (transfer && transfer->empty()) transfer.reset();
        if (transfer && (previous || transfer->size() > 128))
            return text(400, "bad_message: transfer (a contact id) goes without previous");
        auto r = d_.contacts.call_route(*call_id, *from, field("from_name").value_or(""), *number, previous, status,
                                        transfer);
        if (!r) return refuse(r.error());
        if (r.value().busy) return text(486, "busy " + r.value().contact);
        return text(200, r.value().sip_user + " " + r.value().contact);
    }
    if (ended) {
        auto contact = field("contact");
        if (!contact || contact->empty()) return text(400, "bad_message: contact is required");
        auto reason = field("reason").value_or("caller_cancel");
        if (reason != "caller_cancel") return text(400, "bad_message: reason must be caller_cancel");
        if (auto st = d_.contacts.call_abandoned(*contact); !st) return refuse(st.error());
        return text(200, "ok");
    }
    auto contact = field("contact"), sip_user = field("sip_user");
    if (!contact || !sip_user || contact->empty() || sip_user->empty())
        return text(400, "bad_message: contact and sip_user are required");
    // call_id: the INVITE's SIP Call-ID, whose media rtpengine records (absent from an older Kamailio config).
    auto r = d_.contacts.call_outbound(*contact, *sip_user, field("call_id").value_or(""));
    if (!r) {
        // Whatever the reason, the call does not go out.
        d_.log.info("outbound call refused", {{"contact", *contact}, {"code", r.error().code}});
        return text(r.error().code == "internal" ? 500 : 403, "forbidden: " + r.error().message);
    }
    return text(200, r.value().caller_id + " " + r.value().number);
}

}  // namespace sbd

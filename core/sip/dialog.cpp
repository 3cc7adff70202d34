// Dialogs, RFC 3261 section 12.
#include "sip/dialog.h"

#include <algorithm>

#include "sip/address.h"
#include "sip/fields.h"

namespace sb::sip {
namespace {

Error error(std::string_view code, std::string message) { return make_error(std::string(code), std::move(message)); }

// The first Contact's URI, or an error.
Result<std::string> contact_uri(const Message& m, std::string_view what) {
    auto contacts = read_contacts(m);
    if (!contacts) return error(kDialogBadMessage, std::string(what) + ": " + contacts.error().message);
    if (contacts.value().empty() || contacts.value().front().star)
        return error(kDialogBadMessage, std::string(what) + " has no Contact");
    return std::string(contacts.value().front().uri.text);
}

Result<std::vector<std::string>> route_set(const Message& m, bool reverse) {
    auto rr = read_record_route(m);
    if (!rr) return error(kDialogBadMessage, rr.error().message);
    std::vector<std::string> out;
    for (const auto& r : rr.value()) {
        std::string v = "<" + std::string(r.uri.text) + ">";
        if (!r.params.empty()) v += std::string(r.params.raw());
        out.push_back(v);
    }
    if (reverse) std::reverse(out.begin(), out.end());
    return out;
}

bool is_target_refresh(std::string_view method) {
    return method == "INVITE" || method == "UPDATE" || method == "SUBSCRIBE" || method == "NOTIFY" ||
           method == "REFER";
}

Result<Dialog> make_dialog(const Message& request, const Message& response, bool uac) {
    if (!request.is_request() || !response.is_response())
        return error(kDialogBadMessage, "a dialog needs the request and its response");
    if (response.status() <= 100 || response.status() >= 300)
        return error(kDialogBadMessage, "response " + std::to_string(response.status()) + " does not create a dialog");
    auto from = read_from(request);
    auto to = read_to(response);
    auto cseq = read_cseq(request);
    auto call_id = request.find(HeaderId::call_id);
    if (!from || !to || !cseq || !call_id) return error(kDialogBadMessage, "the request lacks From, To, CSeq or Call-ID");
    if (to.value().tag().empty()) return error(kDialogNoTag, "response " + std::to_string(response.status()) + " has no To tag");
    if (from.value().tag().empty()) return error(kDialogNoTag, "the request has no From tag");
    Dialog d;
    d.uac = uac;
    d.state = response.status() < 200 ? DialogState::early : DialogState::confirmed;
    d.secure = request.uri().size() >= 5 && (request.uri().substr(0, 5) == "sips:" || request.uri().substr(0, 5) == "SIPS:");
    std::string from_value(request.find(HeaderId::from)->value), to_value(response.find(HeaderId::to)->value);
    d.id.call_id = std::string(call_id->value);
    if (uac) {
        d.id.local_tag = std::string(from.value().tag());
        d.id.remote_tag = std::string(to.value().tag());
        d.local_party = from_value;
        d.remote_party = to_value;
        d.local_cseq = cseq.value().number;
        auto target = contact_uri(response, "response " + std::to_string(response.status()));
        if (!target) return target.error();
        d.remote_target = target.value();
        auto routes = route_set(response, true);
        if (!routes) return routes.error();
        d.route_set = routes.value();
    } else {
        d.id.local_tag = std::string(to.value().tag());
        d.id.remote_tag = std::string(from.value().tag());
        d.local_party = to_value;
        d.remote_party = from_value;
        d.remote_cseq = cseq.value().number;
        auto target = contact_uri(request, "request " + std::string(request.method()));
        if (!target) return target.error();
        d.remote_target = target.value();
        auto routes = route_set(request, false);
        if (!routes) return routes.error();
        d.route_set = routes.value();
    }
    return d;
}

}  // namespace

std::string_view to_string(DialogState s) {
    switch (s) {
        case DialogState::early: return "early";
        case DialogState::confirmed: return "confirmed";
        case DialogState::terminated: return "terminated";
    }
    return "?";
}

Result<DialogId> dialog_id_of_request(const Message& m) {
    auto from = read_from(m);
    auto to = read_to(m);
    auto call_id = m.find(HeaderId::call_id);
    if (!from || !to || !call_id) return error(kDialogBadMessage, "no From, To or Call-ID");
    return DialogId{std::string(call_id->value), std::string(to.value().tag()), std::string(from.value().tag())};
}

Result<DialogId> dialog_id_of_response(const Message& m) {
    auto id = dialog_id_of_request(m);
    if (!id) return id;
    std::swap(id.value().local_tag, id.value().remote_tag);
    return id;
}

Result<Dialog> dialog_as_uac(const Message& request, const Message& response) { return make_dialog(request, response, true); }
Result<Dialog> dialog_as_uas(const Message& request, const Message& response) { return make_dialog(request, response, false); }

Result<Message> make_dialog_request(Dialog& d, std::string_view method, const DialogRequestOptions& o) {
    if (d.state == DialogState::terminated) return error(kDialogMismatch, "the dialog has ended");
    // 12.2.1.1: loose routing when the first route has lr; strict routing puts it in the
    // Request-URI and the remote target at the end of the Route headers.
    std::string request_uri = d.remote_target;
    std::vector<std::string> routes = d.route_set;
    if (!routes.empty()) {
        auto first = parse_name_addr(routes.front(), "Route");
        if (!first) return error(kDialogBadMessage, first.error().message);
        if (!first.value().uri.params.contains("lr")) {
            request_uri = std::string(first.value().uri.text);
            routes.erase(routes.begin());
            routes.push_back("<" + d.remote_target + ">");
        }
    }
    auto built = Message::request(method, request_uri);
    if (!built) return built.error();
    Message m = std::move(built.value());
    uint32_t cseq = o.cseq ? *o.cseq : d.local_cseq + 1;
    Status s = m.add_header("Via", "SIP/2.0/" + o.via_transport + " " + o.via_host + ";branch=" + o.branch);
    if (s) s = m.add_header("Max-Forwards", "70");
    if (s) s = m.add_header("From", d.local_party);
    if (s) s = m.add_header("To", d.remote_party);
    if (s) s = m.add_header("Call-ID", d.id.call_id);
    if (s) s = m.add_header("CSeq", std::to_string(cseq) + " " + std::string(method));
    for (const auto& r : routes)
        if (s) s = m.add_header("Route", r);
    if (s && !o.contact.empty()) s = m.add_header("Contact", "<" + o.contact + ">");
    if (!s) return s.error();
    if (method != "ACK" && method != "CANCEL" && !o.cseq) d.local_cseq = cseq;
    return m;
}

Status dialog_on_response(Dialog& d, const Message& r) {
    auto id = dialog_id_of_response(r);
    if (!id) return id.error();
    if (id.value() != d.id) return error(kDialogMismatch, "response belongs to dialog " + id.value().key() + ", not " + d.id.key());
    int status = r.status();
    if (status == 481 || status == 408) {
        d.state = DialogState::terminated;
        return Ok{};
    }
    if (status >= 200 && status < 300) {
        auto cseq = read_cseq(r);
        bool refresh = cseq && is_target_refresh(cseq.value().method);
        if (d.state == DialogState::early && d.uac) {
            auto routes = route_set(r, true);
            if (routes) d.route_set = routes.value();
        }
        d.state = DialogState::confirmed;
        if (refresh) {
            if (auto target = contact_uri(r, "response"); target) d.remote_target = target.value();
        }
    }
    return Ok{};
}

Status dialog_on_request(Dialog& d, const Message& request) {
    auto id = dialog_id_of_request(request);
    if (!id) return id.error();
    if (id.value() != d.id) return error(kDialogMismatch, "request belongs to dialog " + id.value().key() + ", not " + d.id.key());
    auto cseq = read_cseq(request);
    if (!cseq) return error(kDialogBadMessage, cseq.error().message);
    std::string_view method = request.method();
    if (method != "ACK" && method != "CANCEL") {
        if (d.remote_cseq && cseq.value().number < *d.remote_cseq)
            return error(kDialogCSeqOrder, "CSeq " + std::to_string(cseq.value().number) + " is lower than " +
                                               std::to_string(*d.remote_cseq) + ", the last of this dialog");
        d.remote_cseq = cseq.value().number;
    }
    if (is_target_refresh(method)) {
        if (auto target = contact_uri(request, "request"); target) d.remote_target = target.value();
    }
    if (method == "BYE") d.state = DialogState::terminated;
    return Ok{};
}

}  // namespace sb::sip

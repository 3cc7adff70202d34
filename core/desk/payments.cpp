// desk/payments.cpp: taking a card payment on a verified contact (docs/payments.md). The server
// owns the capture, the call recording's pause and the gateway; the desk checks the card before
// it leaves (so that a typo costs no round trip), sends it once, and keeps nothing of it: the
// number goes from the intent into one frame and nowhere else (no state, no log, no reply).
#include <algorithm>

#include "contact/payment_card.h"
#include "desk/desk.h"
#include "protocol/schema.h"

namespace sb::desk {

using contact::Contact;
using contact::ContactState;
using json = nlohmann::json;

void Desk::on_payment_intent(uint64_t intent, const Intent& in, Out& out) {
    std::string contact_id, payment_id;
    json body;
    if (const auto* s = std::get_if<PaymentStartIntent>(&in)) {
        contact_id = s->contact;
        body = {{"type", "payment_start"}, {"amount", s->amount}};
        if (!s->currency.empty()) body["currency"] = s->currency;
    } else if (const auto* s = std::get_if<PaymentSubmitIntent>(&in)) {
        contact_id = s->contact, payment_id = s->payment;
    } else if (const auto* c = std::get_if<PaymentCancelIntent>(&in)) {
        contact_id = c->contact, payment_id = c->payment;
        body = {{"type", "payment_cancel"}, {"payment", c->payment}};
    } else if (const auto* r = std::get_if<RefundIntent>(&in)) {
        contact_id = r->contact, payment_id = r->payment;
        body = {{"type", "refund"}, {"payment", r->payment}};
        if (r->amount) body["amount"] = r->amount;
    } else {
        return;
    }
    if (state_.session != SessionState::LoggedIn) return complete(out, intent, make_error("not_logged_in", "Sign in first."));
    const Contact* c = find_contact(state_, contact_id);
    if (!c) return complete(out, intent, make_error(protocol::code::unknown_contact, "No such contact on this desk."));
    if (c->state != ContactState::Active)
        return complete(out, intent, make_error(protocol::code::wrong_state, "Payments are taken on an active contact."));
    if (const auto* s = std::get_if<PaymentSubmitIntent>(&in)) {
        if (!c->payment || c->payment->id != s->payment)
            return complete(out, intent, make_error("unknown_payment", "No such payment on this contact."));
        if (c->payment->state != contact::PaymentState::Capturing)
            return complete(out, intent, make_error(protocol::code::wrong_state,
                                                    c->payment->state == contact::PaymentState::Authorizing
                                                        ? "The card is being authorised; wait for the answer."
                                                        : "This payment is no longer taking a card."));
        auto checked = contact::check_card(s->card_number, s->expiry, s->cvc, now_);
        if (!checked.ok()) return complete(out, intent, make_error("card_invalid", checked.problem->message));
        body = {{"type", "payment_submit"}, {"payment", s->payment}, {"card_number", s->card_number},
                {"expiry", s->expiry}, {"cvc", s->cvc}};
    } else if (!payment_id.empty() && (!c->payment || c->payment->id != payment_id)) {
        // (a refund may name an older payment of the contact than the one shown: the server knows)
        if (std::holds_alternative<PaymentCancelIntent>(in))
            return complete(out, intent, make_error("unknown_payment", "No such payment on this contact."));
    }
    if (state_.connection != ConnectionState::Connected)
        return complete(out, intent, make_error("not_connected", "Reconnecting to the backend; try again in a moment."));
    body["contact"] = contact_id;
    std::string id = send_request(RequestKind::Contact, std::move(body), intent, out);
    state_.pending[id].contact = contact_id;
}

// The payment in a reply or an event: the contact's latest.
void Desk::apply_payment(const std::string& contact_id, const contact::Payment& p, Out& out) {
    Contact* c = contact_mut(contact_id);
    if (!c) {
        log(out, LogLevel::Warn, "payment for a contact not on this desk");
        return;
    }
    // An older payment's news (a refund of the one before) does not replace an open capture.
    if (c->payment && c->payment->id != p.id && c->payment->open() && p.updated_at_ms < c->payment->updated_at_ms)
        return;
    if (c->payment && c->payment->id == p.id && p.updated_at_ms < c->payment->updated_at_ms) return;
    c->payment = p;
    out.push_back(Notify{"contact.payment", {{"contact", c->id}, {"payment", contact::to_json(p)}}});
    out.push_back(Notify{"contact.updated", {}, c->id});
}

bool Desk::on_payment_event(const protocol::Event& event, Out& out) {
    if (const auto* e = std::get_if<protocol::ContactPayment>(&event)) {
        apply_payment(e->contact, e->payment, out);
        return true;
    }
    const auto* e = std::get_if<protocol::ContactRecording>(&event);
    if (!e) return false;
    Contact* c = contact_mut(e->contact);
    if (!c) {
        log(out, LogLevel::Warn, "contact.recording for a contact not on this desk");
        return true;
    }
    c->recording = e->recording;
    if (c->payment && c->payment->open()) c->payment->recording = c->recording;
    out.push_back(Notify{"contact.recording", {{"contact", c->id}, {"recording", std::string(to_string(c->recording))}}});
    out.push_back(Notify{"contact.updated", {}, c->id});
    return true;
}

}  // namespace sb::desk

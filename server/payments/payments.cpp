// payments.cpp: taking card payments (see payments.h, docs/payments.md).
#include "server/payments/payments.h"

#include <sodium.h>

#include "server/admin/audit.h"
#include "contact/card.h"
#include "protocol/schema.h"
#include "server/payments/wipe.h"
#include "server/telephony/recording.h"

namespace sbd {

namespace code = sb::protocol::code;
namespace card = sb::contact;
using json = nlohmann::json;
using sb::make_error;
using sb::Ok;
using sb::contact::PaymentState;
using sb::contact::RecordingState;
using sb::contact::is_open;

namespace {
// Error codes of the payment requests (docs/protocol.md, "Payments").
constexpr const char* kUnknownPayment = "unknown_payment";
constexpr const char* kCardInvalid = "card_invalid";
constexpr const char* kRecordingNotPaused = "recording_not_paused";
constexpr const char* kPaymentsUnavailable = "payments_unavailable";

// A gateway's decline reason as the agent and the audit may see it: card numbers masked, any
// other run of three or more digits (a CVC or an account number echoed back) cut out, at most
// 200 bytes, cut on a UTF-8 character boundary.
std::string gateway_reason(const std::string& raw) {
    std::string masked = card::mask_card_numbers(raw), out;
    for (size_t i = 0; i < masked.size();) {
        size_t j = i;
        while (j < masked.size() && masked[j] >= '0' && masked[j] <= '9') ++j;
        if (j > i) {
            // The last four of a masked card ("•••• 1111") stay; other long runs do not.
            const bool after_mask = out.size() >= card::kCardMaskPrefix.size() &&
                                    out.compare(out.size() - card::kCardMaskPrefix.size(), std::string::npos,
                                                card::kCardMaskPrefix) == 0;
            if (j - i < 3 || after_mask) out.append(masked, i, j - i);
            else out += "…";
            i = j;
            continue;
        }
        out += masked[i++];
    }
    if (out.size() > 200) {
        size_t cut = 200;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
        out.resize(cut);
    }
    return out.empty() ? std::string("declined") : out;
}

json error_json(const std::string& code, const std::string& message) { return {{"code", code}, {"message", message}}; }

// The card a charge was for, as the payment keeps it: "visa 4242 12/2030" (never the number).
std::string charge_card_of(const card::CheckedCard& c) {
    char expiry[16];
    std::snprintf(expiry, sizeof expiry, "%02d/%04d", c.expiry.month, c.expiry.year);
    return std::string(card::to_string(c.brand)) + " " + c.last4 + " " + expiry;
}

bool outcome_unknown(const Payment& p) {
    return p.error.is_object() && p.error.value("code", std::string()) == "gateway_unavailable";
}
}  // namespace

// ---- construction -------------------------------------------------------------------------------
PaymentService::PaymentService(Deps deps, CallRecorder* recorder) : d_(std::move(deps)), recorder_(recorder) {
    d_.contacts.add_change_hook([this](const ContactRecord& c, bool) { contact_changed(c); });
    d_.contacts.add_json_decorator([this](const ContactRecord& c, json& out) {
        json p = latest_json(c.id);
        // The card's brand, last four and expiry only for an agent who verified the customer
        // (like the sensitive section's cards on file): a colleague the contact is offered to
        // before verifying sees that a payment was taken, not with which card.
        if (p.is_object() && !p["card"].is_null() && (!c.agent || !d_.contacts.require_verified(c)))
            p["card"] = nullptr;
        out["payment"] = std::move(p);
    });
}

PaymentService::~PaymentService() = default;

sb::Status PaymentService::load() {
    auto open = d_.store.open_payments();
    if (!open) return open.error();
    std::vector<Payment> found = std::move(open.value());
    for (Payment& p : found) {
        const ContactRecord* c = d_.contacts.find_open(p.contact);
        // The gateway's answer was lost with the previous run. (With other nodes, one of them
        // may be waiting for it still: lost only once no answer can come, tick().)
        if (p.state == PaymentState::Authorizing && (!shares_store() || lost(p)))
            if (auto st = reopen_lost(p); !st) return st;
        open_[p.id] = Open{p.contact, p.created_at};
        if (!c || c->state != ContactState::Active || c->agent != p.agent) finish(p, PaymentState::Cancelled, "system", "contact_ended");
    }
    // Every recorded call the previous run knew: a recording left paused (or unknown) without an
    // open capture is resumed now, and one with a capture is paused.
    if (recorder_)
        for (const std::string& contact : recorder_->recorded_contacts()) reconcile_recording(contact);
    return Ok{};
}

// ---- requests -----------------------------------------------------------------------------------
sb::Result<ContactRecord> PaymentService::active_contact(const std::string& agent, const json& body) {
    const std::string& id = body.at("contact").get_ref<const std::string&>();
    if (const ContactRecord* c = d_.contacts.find_open(id)) {
        if (c->agent != agent) return make_error(code::not_your_contact, "This contact is not yours.");
        if (c->state != ContactState::Active)
            return make_error(code::wrong_state, "The contact is " + std::string(to_string(c->state)) + "; payments need it active.");
        return *c;
    }
    auto stored = d_.contact_store.find_contact(id);
    if (!stored) return stored.error();
    if (!stored.value()) return make_error(code::unknown_contact, "No contact with that id.");
    if (stored.value()->agent != agent) return make_error(code::not_your_contact, "This contact is not yours.");
    return make_error(code::wrong_state, "The contact is closed; payments need it active.");
}

sb::Result<Payment> PaymentService::payment_on(const ContactRecord& c, const json& body) {
    auto p = find(body.at("payment").get<std::string>());
    if (!p) return p.error();
    if (!p.value() || p.value()->contact != c.id)
        return make_error(kUnknownPayment, "No payment with that id on this contact.");
    return *p.value();
}

sb::Result<Payment> PaymentService::capturing(const std::string& agent, const json& body) {
    auto c = active_contact(agent, body);
    if (!c) return c.error();
    if (auto st = d_.contacts.require_verified(c.value()); !st) return st.error();
    auto found = payment_on(c.value(), body);
    if (!found) return found.error();
    if (found.value().state == PaymentState::Authorizing)
        return make_error(code::wrong_state, "The card is being authorised; wait for the gateway's answer.");
    if (found.value().state != PaymentState::Capturing)
        return make_error(code::wrong_state, "The payment is " + std::string(to_string(found.value().state)) + ".");
    return found;
}

PaymentService::Reply PaymentService::start(const std::string& agent, const json& body) {
    if (!gateway_) return make_error(kPaymentsUnavailable, "Payments are not available: no payment gateway is set up.");
    auto c = active_contact(agent, body);
    if (!c) return c.error();
    if (auto st = d_.contacts.require_verified(c.value()); !st) return st.error();
    int64_t amount = body.at("amount").get<int64_t>();
    if (amount < 1 || amount > kMaxAmount)
        return make_error(code::bad_message, "amount must be 1 to 10000000 (minor units: cents).");
    std::string currency = body.contains("currency") ? body["currency"].get<std::string>() : "USD";
    bool upper = currency.size() == 3;
    for (char ch : currency) upper = upper && ch >= 'A' && ch <= 'Z';
    if (!upper) return make_error(code::bad_message, "currency must be 3 upper-case letters (ISO 4217), e.g. USD.");
    auto last = latest(c.value().id);
    if (!last) return last.error();
    if (last.value() && is_open(last.value()->state))
        return make_error(code::wrong_state, "A payment is already open on this contact; finish or cancel it first.");

    Payment p;
    p.id = "pay-" + d_.random_id();
    p.contact = c.value().id;
    p.customer = c.value().customer;
    p.agent = agent;
    p.amount = amount;
    p.currency = currency;
    p.state = PaymentState::Capturing;  // where every payment starts
    p.created_at = d_.now();
    {
        Transaction tx(d_.store.database(), Durability::Durable);
        if (!tx.begun()) return tx.begun().error();
        if (auto st = save(p); !st) return st.error();
        audit(agent, "payment.started", p, audit_detail(p));
        if (auto st = tx.commit(); !st) return st.error();
    }
    open_[p.id] = Open{p.contact, p.created_at};
    d_.log.info("payment started", {{"payment", p.id}, {"contact", p.contact}, {"username", agent},
                                    {"amount", p.amount}, {"currency", p.currency}});
    if (c.value().channel == Channel::Voice) reconcile_recording(p.contact);
    emit(agent, p.contact, p);
    return json{{"payment", to_json(p)}};
}

PaymentService::Reply PaymentService::submit(const std::string& agent, const json& body) {
    if (!gateway_) return make_error(kPaymentsUnavailable, "Payments are not available: no payment gateway is set up.");
    auto found = capturing(agent, body);
    if (!found) return found.error();
    Payment p = found.value();
    // A call is recorded by the telephony layer: the card may be read out only once the recorder
    // confirmed the pause. Without a recorder, or for a call it does not know, nobody can say the
    // recording is paused, so a voice contact's card is refused. Chat and SMS are not recorded.
    const RecordingState rec = recording(p.contact);
    const ContactRecord* contact = d_.contacts.find_open(p.contact);
    const bool voice = contact && contact->channel == Channel::Voice;
    if (voice ? rec != RecordingState::Paused : (rec != RecordingState::Off && rec != RecordingState::Paused))
        return make_error(kRecordingNotPaused,
                          !recorder_ || rec == RecordingState::Off
                              ? std::string("This server cannot pause this call's recording, so the card cannot be taken on the call.")
                              : "The call recording is " + std::string(to_string(rec)) + "; wait until it is paused.");

    const std::string& number = body.at("card_number").get_ref<const std::string&>();
    const std::string& cvc = body.at("cvc").get_ref<const std::string&>();
    const std::string& expiry = body.at("expiry").get_ref<const std::string&>();
    card::CardCheck check = card::check_card(number, expiry, cvc, d_.now());
    if (check.problem) return make_error(kCardInvalid, check.problem->field + ": " + check.problem->message);

    // The charge's idempotency key. A new charge gets a new one; a charge of the same card whose
    // outcome is unknown (no usable answer, or a restart while it was out) goes again under its
    // key: if the gateway took it, it answers with that result and charges nothing twice.
    const std::string card_id = charge_card_of(check.card);
    const bool again = p.charge_key && p.charge_card == card_id && outcome_unknown(p);
    const std::string key = again ? *p.charge_key : "ik_" + d_.random_id();

    // The gateway request: the only place the number and the CVC go, wiped once handed over.
    std::optional<std::string> digits = card::normalise_card_number(number);  // checked: set
    json payload = {{"card_number", digits.value_or("")},
                    {"exp_month", check.card.expiry.month},
                    {"exp_year", check.card.expiry.year},
                    {"cvc", cvc},
                    {"amount", p.amount},
                    {"currency", p.currency},
                    {"reference", p.id},
                    {"idempotency_key", key}};
    std::string request = sb::protocol::to_text(payload);
    if (digits) wipe(*digits);
    wipe_json_string(payload, "card_number");
    wipe_json_string(payload, "cvc");

    if (!move(p, PaymentState::Authorizing)) return make_error(code::wrong_state, "This payment is no longer taking a card.");
    p.error = nullptr;
    p.charge_key = key;
    p.charge_card = card_id;
    {
        // Stored (durably) before the request leaves: a restart finds the key it went under.
        Transaction tx(d_.store.database(), Durability::Durable);
        sb::Status st = tx.begun();
        if (st) st = save(p);
        if (st) st = tx.commit();
        if (!st) {
            wipe(request);
            return st.error();
        }
    }
    authorizing_[p.id] = Pending{check.card};
    d_.log.info("payment submitted", {{"payment", p.id}, {"contact", p.contact}, {"username", agent},
                                      {"brand", std::string(card::to_string(check.card.brand))},
                                      {"last4", check.card.last4}, {"again", again}});
    std::string id = p.id;
    // http_post takes the request by value: move it in (nothing is left here to wipe).
    http_post(d_.io, *gateway_, "application/json", std::move(request), kGatewayTimeout,
              [this, id](sb::Result<HttpResponse> r) { on_charged(id, std::move(r)); }, {{"Idempotency-Key", key}});
    wipe(request);  // moved-from: empty, but make sure
    emit(agent, p.contact, p);
    return json{{"payment", to_json(p)}};
}

PaymentService::Reply PaymentService::cancel(const std::string& agent, const json& body) {
    auto found = capturing(agent, body);
    if (!found) return found.error();
    Payment p = found.value();
    finish(p, PaymentState::Cancelled, agent, "agent");
    auto now = find(p.id);
    if (!now) return now.error();
    return json{{"payment", to_json(now.value().value_or(p))}};
}

PaymentService::Reply PaymentService::refund(const std::string& agent, const json& body) {
    if (!gateway_) return make_error(kPaymentsUnavailable, "Payments are not available: no payment gateway is set up.");
    auto c = active_contact(agent, body);
    if (!c) return c.error();
    if (auto st = d_.contacts.require_verified(c.value()); !st) return st.error();
    auto found = find(body.at("payment").get<std::string>());
    if (!found) return found.error();
    if (!found.value() || found.value()->customer != c.value().customer)
        return make_error(kUnknownPayment, "No payment with that id for this customer.");
    Payment p = *found.value();
    if (p.state != PaymentState::Approved) return make_error(code::wrong_state, "Only an approved payment can be refunded; it is " + std::string(to_string(p.state)) + ".");
    if (refunding_.count(p.id)) return make_error(code::wrong_state, "A refund of this payment is already under way.");
    int64_t amount = body.contains("amount") ? body["amount"].get<int64_t>() : p.amount;
    if (amount < 1 || amount > p.amount)
        return make_error(code::bad_message, "amount must be 1 to the payment's amount (" + std::to_string(p.amount) + ").");
    auto token = p.method ? d_.store.method_token(*p.method) : sb::Result<std::optional<std::string>>(std::optional<std::string>());
    if (!token) return token.error();
    if (!token.value()) return make_error(code::internal, "payment " + p.id + " has no stored method");
    refunding_[p.id] = Refunding{agent, c.value().id, amount};
    const std::string key = "ik_" + d_.random_id();
    json payload = {{"token", *token.value()}, {"reference", p.id}, {"amount", amount}, {"idempotency_key", key}};
    std::string id = p.id;
    http_post(d_.io, refund_url(), "application/json", sb::protocol::to_text(payload), kGatewayTimeout,
              [this, id](sb::Result<HttpResponse> r) { on_refunded(id, std::move(r)); }, {{"Idempotency-Key", key}});
    d_.log.info("refund requested", {{"payment", p.id}, {"contact", c.value().id}, {"username", agent}, {"amount", amount}});
    return json{{"payment", to_json(p)}};
}

// ---- gateway answers ----------------------------------------------------------------------------
void PaymentService::on_charged(const std::string& id, sb::Result<HttpResponse> r) {
    auto pending_it = authorizing_.find(id);
    if (pending_it == authorizing_.end()) return;
    card::CheckedCard checked = pending_it->second.card;
    authorizing_.erase(pending_it);
    bool cancel_after = cancel_after_.erase(id) > 0;
    auto found = find(id);
    if (!found || !found.value()) {
        d_.log.error("payment vanished while authorising", {{"payment", id}});
        return;
    }
    Payment p = *found.value();
    if (p.state != PaymentState::Authorizing) return;

    json answer = r ? json::parse(r.value().body, nullptr, false) : json();
    auto text = [&](const char* k) -> std::optional<std::string> {
        if (!answer.is_object() || !answer.contains(k) || !answer[k].is_string()) return std::nullopt;
        return answer[k].get<std::string>();
    };
    if (r && r.value().status == 200 && text("status") == "approved" && text("token") && !text("token")->empty()) {
        // One durable transaction: the card on file, the approved payment and its audit entry
        // are stored together or not at all. Not stored, the payment stays authorizing in the
        // database (a restart makes it capturing, gateway_unavailable) and its next charge goes
        // under the same key, which the gateway answers with this approval.
        sb::Status stored = [&]() -> sb::Status {
            Transaction tx(d_.store.database(), Durability::Durable);
            if (!tx.begun()) return tx.begun();
            auto method = store_method(p, *text("token"), checked);
            if (!method) return method.error();
            if (!move(p, PaymentState::Approved)) return make_error(code::internal, "the payment cannot be approved");
            p.method = method.value();
            p.gateway_ref = *text("token");
            p.error = nullptr;
            p.card = {{"brand", std::string(card::to_string(checked.brand))}, {"last4", checked.last4},
                      {"expiry", card::format_card_expiry(checked.expiry)}};
            if (auto st = save(p); !st) return st;
            json detail = audit_detail(p);
            detail["brand"] = std::string(card::to_string(checked.brand));
            detail["last4"] = checked.last4;
            audit(p.agent, "payment.taken", p, detail);
            return tx.commit();
        }();
        if (!stored) {
            d_.log.error("payment approved but not stored", {{"payment", id}, {"error", stored.error().message}});
            // Nothing of the approval was kept. The payment goes back to capturing with its outcome
            // unknown, so the agent can submit the card again: that charge goes under the same key
            // and the gateway answers with this approval, charging nothing twice.
            auto kept = find(id);
            if (!kept || !kept.value()) return;
            Payment back = *kept.value();
            if (!move(back, PaymentState::Capturing)) return;
            back.error = error_json("gateway_unavailable",
                                    "The payment could not be recorded; submit the card again (it is not charged twice).");
            Transaction tx(d_.store.database(), Durability::Durable);
            sb::Status st = tx.begun();
            if (st) st = save(back);
            if (st) st = tx.commit();
            if (!st) {
                d_.log.error("payment not stored", {{"payment", id}, {"error", st.error().message}});
                return;
            }
            emit(back.agent, back.contact, back);
            return;
        }
        open_.erase(id);
        d_.log.info("payment approved", {{"payment", id}, {"contact", p.contact}});
        reconcile_recording(p.contact);
        emit(p.agent, p.contact, p);
        d_.contacts.refresh_contact(p.contact);  // the customer card lists the new card on file
        return;
    }

    bool declined = r && r.value().status == 402 && text("status") == "declined";
    std::optional<AuditNote> note;  // stored with the state it leads to, in one transaction
    if (declined) {
        std::string reason = gateway_reason(text("reason").value_or("declined"));
        p.error = error_json("payment_declined", "The card was declined: " + reason + ".");
        json detail = audit_detail(p);
        detail["brand"] = std::string(card::to_string(checked.brand));
        detail["last4"] = checked.last4;
        detail["reason"] = reason;
        note = AuditNote{p.agent, "payment.declined", std::move(detail)};
        d_.log.info("payment declined", {{"payment", id}, {"contact", p.contact}});
    } else {
        p.error = error_json("gateway_unavailable", "The payment gateway did not answer; try again.");
        d_.log.warn("payment gateway unavailable",
                    {{"payment", id}, {"status", r ? r.value().status : 0}, {"error", r ? "" : r.error().message}});
    }
    if (cancel_after) return finish(p, PaymentState::Cancelled, "system", "contact_ended", note);
    if (d_.now() >= p.created_at + capture_ttl_ms_) return finish(p, PaymentState::Expired, "system", "expired", note);
    if (!move(p, PaymentState::Capturing)) return;
    sb::Status stored = [&]() -> sb::Status {
        Transaction tx(d_.store.database(), Durability::Durable);
        if (!tx.begun()) return tx.begun();
        if (auto st = save(p); !st) return st;
        if (note) audit(note->actor, note->action, p, note->detail);
        return tx.commit();
    }();
    if (!stored) {
        d_.log.error("payment not stored", {{"payment", id}, {"error", stored.error().message}});
        return;
    }
    emit(p.agent, p.contact, p);
}

void PaymentService::on_refunded(const std::string& id, sb::Result<HttpResponse> r) {
    auto it = refunding_.find(id);
    if (it == refunding_.end()) return;
    Refunding who = it->second;
    refunding_.erase(it);
    auto found = find(id);
    if (!found || !found.value() || found.value()->state != PaymentState::Approved) return;
    Payment p = *found.value();
    json answer = r ? json::parse(r.value().body, nullptr, false) : json();
    bool ok = r && r.value().status == 200 && answer.is_object() && answer.value("status", json()) == "refunded";
    if (ok) {
        if (!move(p, PaymentState::Refunded)) return;
        p.error = nullptr;
        json detail = audit_detail(p);
        detail["amount"] = who.amount;
        detail["payment_amount"] = p.amount;
        if (p.card.is_object()) {
            detail["brand"] = p.card["brand"];
            detail["last4"] = p.card["last4"];
        }
        sb::Status stored = [&]() -> sb::Status {
            Transaction tx(d_.store.database(), Durability::Durable);
            if (!tx.begun()) return tx.begun();
            if (auto st = save(p); !st) return st;
            if (audit_)
                if (auto st = audit_->record(d_.now(), who.agent, "payment.refunded", who.contact, p.customer, detail); !st)
                    d_.log.error("audit entry not recorded", {{"action", "payment.refunded"}, {"error", st.error().message}});
            return tx.commit();
        }();
        if (!stored) {
            d_.log.error("refund not stored", {{"payment", id}, {"error", stored.error().message}});
            return;
        }
        d_.log.info("payment refunded", {{"payment", id}, {"amount", who.amount}});
    } else {
        bool refused = r && r.value().status >= 400 && r.value().status < 500;
        p.error = refused ? error_json("refund_failed", "The gateway refused the refund.")
                          : error_json("gateway_unavailable", "The payment gateway did not answer; try the refund again.");
        Transaction tx(d_.store.database(), Durability::Durable);
        sb::Status st = tx.begun();
        if (st) st = save(p);
        if (st) st = tx.commit();
        if (!st) {
            d_.log.error("refund failure not stored", {{"payment", id}, {"error", st.error().message}});
            return;
        }
        d_.log.warn("refund failed", {{"payment", id}, {"status", r ? r.value().status : 0}});
    }
    emit(who.agent, who.contact, p);
}

// ---- time ---------------------------------------------------------------------------------------
bool PaymentService::shares_store() { return d_.store.database().dialect() == Dialect::Postgres; }

bool PaymentService::lost(const Payment& p) const {
    // The node that sent a charge hears from the gateway within kGatewayTimeout, or gives up and
    // stores that: a charge authorising for twice that long has no node waiting for it.
    return p.state == PaymentState::Authorizing && !authorizing_.count(p.id) &&
           d_.now() >= p.updated_at + 2 * kGatewayTimeout.count();
}

sb::Status PaymentService::reopen_lost(Payment& p) {
    if (!move(p, PaymentState::Capturing)) return make_error(code::internal, "payment " + p.id + " cannot be reopened");
    p.error = error_json("gateway_unavailable",
                         "The server restarted while the card was being authorised; check the gateway "
                         "before taking it again.");
    Transaction tx(d_.store.database(), Durability::Durable);
    if (!tx.begun()) return tx.begun();
    if (auto st = save(p); !st) return st;
    if (auto st = tx.commit(); !st) return st;
    d_.log.warn("payment's authorisation lost", {{"payment", p.id}, {"contact", p.contact}});
    emit(p.agent, p.contact, p);
    return Ok{};
}

void PaymentService::sweep() {
    // Other nodes' open captures: this node expires them, and cancels them when their contact
    // ends here, if their own node does not first (or is gone); a charge whose node died is
    // reopened. Of two nodes moving one payment, the store takes one (PaymentStore::save).
    auto open = d_.store.open_payments();
    if (!open) {
        d_.log.limited(LogLevel::Error, "open payments not read", {{"error", open.error().message}});
        return;
    }
    for (Payment& p : open.value()) {
        open_.emplace(p.id, Open{p.contact, p.created_at});
        if (lost(p))
            if (auto st = reopen_lost(p); !st && st.error().code != PaymentStore::kPaymentChanged)
                d_.log.error("payment not reopened", {{"payment", p.id}, {"error", st.error().message}});
    }
}

void PaymentService::tick() {
    int64_t now = d_.now();
    if (shares_store() && now >= next_sweep_at_) {
        next_sweep_at_ = now + kSweepMs;
        sweep();
    }
    std::vector<std::string> due;
    for (const auto& [id, o] : open_)
        if (now >= o.created_at + capture_ttl_ms_ && !authorizing_.count(id)) due.push_back(id);
    for (const std::string& id : due) {
        auto p = find(id);
        if (!p || !p.value()) {
            open_.erase(id);
            continue;
        }
        if (p.value()->state == PaymentState::Capturing) finish(*p.value(), PaymentState::Expired, "system", "expired");
        else if (!is_open(p.value()->state)) open_.erase(id);
    }
    // Recordings not yet as they should be (a command refused or unanswered): try again when due.
    std::vector<std::string> retry;
    for (const auto& [contact, r] : retry_)
        if (now >= r.next_at) retry.push_back(contact);
    for (const std::string& contact : retry) reconcile_recording(contact);
}

bool PaymentService::move(Payment& p, PaymentState to) {
    auto moved = sb::contact::move(p.state, to);
    if (!moved) d_.log.error("refused a payment's move", {{"payment", p.id}, {"error", moved.error().message}});
    return moved.ok();
}

void PaymentService::finish(Payment p, PaymentState state, const std::string& actor, const std::string& reason,
                            const std::optional<AuditNote>& note) {
    open_.erase(p.id);
    if (!move(p, state)) return;
    sb::Status stored = [&]() -> sb::Status {
        Transaction tx(d_.store.database(), Durability::Durable);
        if (!tx.begun()) return tx.begun();
        if (auto st = save(p); !st) return st;
        if (note) audit(note->actor, note->action, p, note->detail);
        json detail = audit_detail(p);
        detail["reason"] = reason;
        audit(actor, state == PaymentState::Expired ? "payment.expired" : "payment.cancelled", p, detail);
        return tx.commit();
    }();
    if (!stored && stored.error().code == PaymentStore::kPaymentChanged) {
        d_.log.info("payment changed elsewhere", {{"payment", p.id}});  // (another node moved it first)
        return;
    }
    if (!stored) {
        d_.log.error("payment not stored", {{"payment", p.id}, {"error", stored.error().message}});
        return;
    }
    d_.log.info(state == PaymentState::Expired ? "payment expired" : "payment cancelled",
                {{"payment", p.id}, {"contact", p.contact}, {"reason", reason}});
    reconcile_recording(p.contact);
    emit(p.agent, p.contact, p);
}

void PaymentService::contact_changed(const ContactRecord& c) {
    std::vector<std::string> ids;
    for (const auto& [id, o] : open_)
        if (o.contact == c.id) ids.push_back(id);
    for (const std::string& id : ids) {
        auto p = find(id);
        if (!p || !p.value()) continue;
        if (c.state == ContactState::Active && c.agent == p.value()->agent) continue;
        if (p.value()->state == PaymentState::Authorizing) {
            if (authorizing_.count(id)) cancel_after_.insert(id);  // decided when the gateway answers
            continue;  // (another node's charge: that node decides, or tick() once it is lost)
        }
        else if (p.value()->state == PaymentState::Capturing) finish(*p.value(), PaymentState::Cancelled, "system", "contact_ended");
    }
}

// ---- recording ----------------------------------------------------------------------------------
RecordingState PaymentService::recording(const std::string& contact) const {
    return recorder_ ? recorder_->state(contact) : RecordingState::Off;
}

// The recording follows the contact's payment: paused while a capture is open (capturing or
// authorizing), on otherwise. Whatever the recorder says, it is brought there: a command that
// failed or went unanswered ("unknown") is sent again, one at a time and no more often than the
// backoff (1 s doubling to 10 s; tick() retries), until the call ends ("off").
void PaymentService::reconcile_recording(const std::string& contact) {
    if (!recorder_) return;
    const RecordingState s = recorder_->state(contact);
    if (s == RecordingState::Off || in_flight(s)) {  // not recorded, or an answer is due
        if (s == RecordingState::Off) retry_.erase(contact);
        return;
    }
    auto p = latest(contact);
    if (!p) return;
    const bool want_paused = p.value() && is_open(p.value()->state);
    if (s == (want_paused ? RecordingState::Paused : RecordingState::On)) {
        retry_.erase(contact);
        return;
    }
    Retry& r = retry_[contact];
    const int64_t now = d_.now();
    if (now < r.next_at) return;
    r.next_at = now + std::min<int64_t>(10'000, 1000LL << std::min(r.attempts, 4));
    ++r.attempts;
    auto done = [this, contact, want_paused](sb::Status st) {
        if (!st) d_.log.warn(want_paused ? "recording not paused" : "recording not resumed",
                             {{"contact", contact}, {"error", st.error().message}});
    };
    if (want_paused) recorder_->pause(contact, done);
    else recorder_->resume(contact, done);
}

void PaymentService::recording_changed(const std::string& contact) {
    // The audit records each confirmed pause and resume (who took the card, which contact).
    const RecordingState now = recording(contact);
    RecordingState& before = recording_seen_[contact];
    auto p = latest(contact);
    if (p && p.value() && now != before &&
        (now == RecordingState::Paused || (now == RecordingState::On && before == RecordingState::Resuming))) {
        json detail = {{"payment", p.value()->id}};
        audit(p.value()->agent, now == RecordingState::Paused ? audit_action::recording_paused : audit_action::recording_resumed,
              *p.value(), detail);
    }
    if (now == RecordingState::Off) recording_seen_.erase(contact);
    else before = now;
    reconcile_recording(contact);
    if (!p || !p.value()) return;
    if (!d_.contacts.find_open(contact)) return;
    emit(p.value()->agent, contact, *p.value());
}

// ---- what the desk sees -------------------------------------------------------------------------
json PaymentService::to_json(const Payment& p) const {
    return {{"id", p.id},
            {"contact", p.contact},
            {"state", std::string(to_string(p.state))},
            {"amount", p.amount},
            {"currency", p.currency},
            {"recording", std::string(to_string(recording(p.contact)))},
            {"card", p.card},
            {"error", p.error},
            {"created_at", p.created_at},
            {"updated_at", p.updated_at}};
}

json PaymentService::latest_json(const std::string& contact) {
    auto p = latest(contact);
    if (!p) {
        d_.log.error("payment not read", {{"contact", contact}, {"error", p.error().message}});
        return nullptr;
    }
    return p.value() ? to_json(*p.value()) : json(nullptr);
}

void PaymentService::emit(const std::string& agent, const std::string& contact, const Payment& p) {
    d_.contacts.notify_agent(agent, "contact.payment", {{"contact", contact}, {"payment", to_json(p)}});
}

json PaymentService::audit_detail(const Payment& p) const {
    return {{"payment", p.id}, {"amount", p.amount}, {"currency", p.currency}};
}

void PaymentService::audit(const std::string& actor, const char* action, const Payment& p, json detail) {
    if (!audit_) return;
    if (auto st = audit_->record(d_.now(), actor, action, p.contact, p.customer, detail); !st)
        d_.log.error("audit entry not recorded", {{"action", action}, {"error", st.error().message}});
}

// ---- storage ------------------------------------------------------------------------------------
sb::Result<std::optional<Payment>> PaymentService::find(const std::string& id) { return d_.store.find(id); }
sb::Result<std::optional<Payment>> PaymentService::latest(const std::string& contact) { return d_.store.latest(contact); }

sb::Status PaymentService::save(Payment& p) {
    p.updated_at = d_.now();
    return d_.store.save(p);
}

sb::Result<int64_t> PaymentService::store_method(const Payment& p, const std::string& token,
                                                 const card::CheckedCard& c) {
    return d_.store.add_method(PaymentMethodRecord{p.customer, token, std::string(card::to_string(c.brand)), c.last4,
                                                   c.expiry.month, c.expiry.year, d_.now()});
}

HttpUrl PaymentService::refund_url() const {
    HttpUrl u = *gateway_;
    std::string t = u.target;
    while (!t.empty() && t.back() == '/') t.pop_back();
    u.target = t + "/refunds";
    return u;
}

}  // namespace sbd

// payments.h: taking a card payment on a verified contact (docs/payments.md). The fake gateway
// the demo and the tests use is dev/fake_payment_gateway.h.
//
// A payment ("P" in the docs) is opened on the agent's own active contact (payment_start), the
// card is checked by the core (contact/payment_card.h) and sent to the gateway (payment_submit),
// which approves (the card's token, brand, last four and expiry are kept as the customer's payment
// method) or declines; it may be cancelled (payment_cancel), refunded later (refund), and it ends
// by itself 10 minutes after it was opened without approval ("expired") or when its contact
// leaves the agent ("cancelled"). Every request needs the customer verified
// (ContactService::require_verified). Every change is stored (migration 11), sent to the agent as
// `contact.payment` and audited; the contact object carries its latest payment ("payment").
//
// The card number and CVC are never stored, logged or sent back: they live only in the request
// and in the gateway request, whose copies here are wiped once written. A voice call's recording
// (recording.h) is paused while a card is taken and resumed after.
//
// Sections: PaymentService (requests · time · recording · internals); the
// Payment record and its queries are store/payment_store.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include "server/app/clock.h"
#include "contact/payment_card.h"
#include "server/app/log.h"
#include "server/contacts/contact_service.h"
#include "server/net/http_client.h"
#include "server/store/contact_store.h"
#include "server/store/payment_store.h"
#include "server/store/database.h"
#include "util/result.h"

namespace sbd {

class AuditLog;
class CallRecorder;

// ---- PaymentService -----------------------------------------------------------------------------
class PaymentService {
public:
    using Reply = sb::Result<nlohmann::json>;
    static constexpr int64_t kCaptureTtlMs = 10 * 60 * 1000;
    static constexpr int64_t kMaxAmount = 10'000'000;
    static constexpr std::chrono::milliseconds kGatewayTimeout{15'000};

    struct Deps {
        boost::asio::io_context& io;
        PaymentStore& store;  // the payments tables (store/payment_store.h)
        ContactStore& contact_store;
        ContactService& contacts;
        Logger& log;
        Clock now;
        std::function<std::string()> random_id;  // unguessable, URL-safe
    };
    // `recorder` may be null: every payment's recording is then "off".
    PaymentService(Deps deps, CallRecorder* recorder);
    ~PaymentService();
    PaymentService(const PaymentService&) = delete;
    PaymentService& operator=(const PaymentService&) = delete;

    void set_audit(AuditLog* audit) { audit_ = audit; }
    // Without a gateway every payment_start is refused with payments_unavailable.
    void set_gateway(std::optional<HttpUrl> url) { gateway_ = std::move(url); }
    bool has_gateway() const { return gateway_.has_value(); }
    // How long a capture stays open without approval (default kCaptureTtlMs).
    void set_capture_ttl_ms(int64_t ms) { capture_ttl_ms_ = ms; }

    // Captures left open by a previous run: one that was authorising is back to capturing (its
    // outcome is unknown: gateway_unavailable); one whose contact is gone is cancelled.
    sb::Status load();

    // ---- requests (the connection's agent; body checked against the schema) ----
    Reply start(const std::string& agent, const nlohmann::json& body);
    Reply submit(const std::string& agent, const nlohmann::json& body);
    Reply cancel(const std::string& agent, const nlohmann::json& body);
    Reply refund(const std::string& agent, const nlohmann::json& body);

    // ---- time: captures expire kCaptureTtlMs after payment_start ----
    void tick();

    // ---- recording: the recorder's state for `contact` changed ----
    void recording_changed(const std::string& contact);

    // The contact's latest payment (the protocol's P), or null.
    nlohmann::json latest_json(const std::string& contact);

private:
    // ---- internals ----
    struct Open {
        std::string contact;
        int64_t created_at = 0;
    };
    struct Pending {  // what an approval will store: never the number or the CVC
        sb::contact::CheckedCard card;
    };
    struct Refunding {
        std::string agent, contact;
        int64_t amount = 0;
    };

    sb::Result<ContactRecord> active_contact(const std::string& agent, const nlohmann::json& body);
    sb::Result<std::optional<Payment>> find(const std::string& id);
    sb::Result<std::optional<Payment>> latest(const std::string& contact);
    sb::Result<Payment> payment_on(const ContactRecord& c, const nlohmann::json& body);
    // submit and cancel: the agent's own active, verified contact's payment, still capturing.
    sb::Result<Payment> capturing(const std::string& agent, const nlohmann::json& body);
    // Stamps updated_at and writes the row. Each state change of a payment is one durable
    // transaction (database.h): its row, the card on file it adds, its audit entries.
    sb::Status save(Payment& p);
    sb::Result<int64_t> store_method(const Payment& p, const std::string& token, const sb::contact::CheckedCard& card);
    sb::contact::RecordingState recording(const std::string& contact) const;
    nlohmann::json to_json(const Payment& p) const;
    void emit(const std::string& agent, const std::string& contact, const Payment& p);
    void audit(const std::string& actor, const char* action, const Payment& p, nlohmann::json detail);
    nlohmann::json audit_detail(const Payment& p) const;
    // An audit entry to store with a state change, in its transaction.
    struct AuditNote {
        std::string actor;
        const char* action;
        nlohmann::json detail;
    };
    // Moves `p` to `to` if its lifecycle's table allows it; a refused move is logged and false.
    bool move(Payment& p, sb::contact::PaymentState to);
    // Ends an open capture (cancelled or expired): stored with its audit entries (and `note`, the
    // entry of what led to it) in one transaction, recording resumed, emitted.
    void finish(Payment p, sb::contact::PaymentState state, const std::string& actor, const std::string& reason,
                const std::optional<AuditNote>& note = std::nullopt);
    // The recording paused while a capture is open, on otherwise; retried (payments.cpp).
    void reconcile_recording(const std::string& contact);
    struct Retry {
        int64_t next_at = 0;
        int attempts = 0;
    };
    std::map<std::string, Retry> retry_;                  // by contact: a recording not yet as wanted
    std::map<std::string, sb::contact::RecordingState> recording_seen_;  // by contact: the state last seen (audit)
    void on_charged(const std::string& id, sb::Result<HttpResponse> r);
    void on_refunded(const std::string& id, sb::Result<HttpResponse> r);
    void contact_changed(const ContactRecord& c);
    // ---- several nodes (payments.cpp, sweep) ----
    static constexpr int64_t kSweepMs = 1000;
    bool shares_store();
    bool lost(const Payment& p) const;     // authorising with no node left to hear the gateway
    sb::Status reopen_lost(Payment& p);    // back to capturing, its outcome unknown
    void sweep();                          // every open payment, whichever node opened it
    int64_t next_sweep_at_ = 0;
    HttpUrl refund_url() const;

    Deps d_;
    CallRecorder* recorder_;
    AuditLog* audit_ = nullptr;
    std::optional<HttpUrl> gateway_;
    int64_t capture_ttl_ms_ = kCaptureTtlMs;
    std::map<std::string, Open> open_;          // capturing or authorizing, by payment id
    std::map<std::string, Pending> authorizing_;  // a charge in flight, by payment id
    std::set<std::string> cancel_after_;        // authorizing when its contact left
    std::map<std::string, Refunding> refunding_;  // a refund in flight, by payment id
};

}  // namespace sbd

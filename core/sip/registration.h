// sip/registration.h: the registration client (RFC 3261 section 10, with RFC 5626's
// +sip.instance / reg-id and CRLF keepalives), a TU on top of the transaction layer.
//
// It registers one Contact for one address of record, answers 401/407 with digest credentials
// (one retry per challenge; stale=true retried again), follows 423 Interval Too Brief once,
// refreshes before the granted expiry, keeps the flow alive (CRLF ping with pong timeout, or
// OPTIONS), reports every state change with its reason, and unregisters with Expires: 0.
// Call-ID, tags, branches and cnonces come from a generator seeded once by the platform.
//
//   state          on                        effects                           next
//   unregistered   Register                  send REGISTER                     registering
//   registering    2xx                       refresh timer, keepalive timer    registered
//   registering    401/407 (usable)          send REGISTER + Authorization     registering
//   registering    423 + Min-Expires         send REGISTER, Expires raised     registering
//   registering    other final / timeout     changed(failed, reason), retry?   failed
//   registered     refresh timer / Register  send REGISTER                     refreshing
//   refreshing     2xx                       refresh timer                     registered
//   refreshing     failure                   changed(failed, reason)           failed
//   any but unregistered  Unregister        send REGISTER Expires: 0 (once    unregistering
//                                            the REGISTER in flight is done)
//   unregistering  final response / timeout  changed(unregistered)             unregistered
//   failed         retry timer / Register    send REGISTER                     registering
//   registered     keepalive timer           keepalive (+ pong timer)          registered
//   registered     pong timer fired          changed(failed, keepalive)        failed
//
// Sections: configuration · events · the client
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "sip/digest.h"
#include "sip/transaction_layer.h"

namespace sb::sip {

// Error codes of RegistrationChanged::reason (besides the digest ones of sip/digest.h).
inline constexpr std::string_view kRegisterRefused = "sip_register_refused";     // a final non-2xx
inline constexpr std::string_view kRegisterTimeout = "sip_register_timeout";     // Timer F
inline constexpr std::string_view kTransportFailed = "sip_transport_failed";     // the flow broke
inline constexpr std::string_view kKeepaliveFailed = "sip_keepalive_failed";     // no pong / OPTIONS answer

// ---- configuration ----------------------------------------------------------------------------
enum class KeepaliveMode : uint8_t { none, crlf, options };

struct RegistrationConfig {
    std::string registrar;  // Request-URI of REGISTER: "sip:atlanta.example.com"
    std::string aor;        // From and To: "sip:alice@atlanta.example.com"
    std::string contact;    // Contact URI: "sip:k3l2j@df7jal23ls0d.invalid;transport=ws"
    std::string via_host = "df7jal23ls0d.invalid";  // RFC 7118 5: an invalid sent-by is fine
    std::string via_transport = "WSS";
    std::string instance_id;  // "urn:uuid:..." gives +sip.instance (RFC 5626 4.1); empty: none
    uint32_t reg_id = 0;      // with instance_id: reg-id (RFC 5626 4.2); 0: none
    std::string user_agent;   // empty: no User-Agent header
    uint32_t expires_s = 600;
    DigestCredentials credentials;
    uint64_t seed = 0;        // the only randomness: Call-ID, tags, branches, cnonces, jitter
    // Retry after a failure (RFC 5626 4.5 backs off; we keep one interval); 0: wait for Register.
    int64_t retry_ms = 0;
    KeepaliveMode keepalive = KeepaliveMode::crlf;
    // RFC 5626 4.4.1: a ping every 80-100% of this (random, so UAs do not ping in step); a
    // connection-oriented flow is failed when the pong does not come within pong_timeout_ms.
    int64_t keepalive_interval_ms = 30000;
    int64_t pong_timeout_ms = 10000;
};

// ---- events -----------------------------------------------------------------------------------
namespace reg_event {
struct Register {};       // register, or refresh now
struct Unregister {};     // Expires: 0 for our Contact
struct TimerFired {       // register_refresh, register_retry, keepalive, keepalive_pong
    TimerName timer;
};
struct KeepalivePong {};  // a CRLF arrived on the flow (parse_message says sip_empty)
}  // namespace reg_event
using RegistrationEvent =
    std::variant<reg_event::Register, reg_event::Unregister, reg_event::TimerFired, reg_event::KeepalivePong>;

// ---- the client -------------------------------------------------------------------------------
class RegistrationClient {
public:
    explicit RegistrationClient(RegistrationConfig config);

    // An event for the client; the requests it sends go through `layer`.
    Effects handle(int64_t now_ms, const RegistrationEvent& event, TransactionLayer& layer);
    // Effects of `layer` (after a Received or a TimerFired): those about this client's
    // transactions are consumed (and may produce more); the rest are returned as they are.
    Effects absorb(int64_t now_ms, Effects layer_effects, TransactionLayer& layer);

    RegistrationState state() const { return state_; }
    uint32_t granted_expires_s() const { return granted_s_; }
    int64_t expires_at_ms() const { return expires_at_ms_; }  // registered: when it lapses
    const std::optional<Error>& failure() const { return failure_; }
    const std::string& call_id() const { return call_id_; }
    uint32_t cseq() const { return cseq_; }

    // When a refresh goes out, for a registration granted for `granted_s`: 10% early but at
    // least 30 s early, and never before half the time (600 s -> 540 s, 120 s -> 90 s,
    // 40 s -> 20 s).
    static int64_t refresh_delay_ms(uint32_t granted_s);

private:
    uint64_t next_random();
    std::string hex(int digits);
    void send_register(int64_t now_ms, Effects& out, TransactionLayer& layer, bool unregister);
    void on_final(int64_t now_ms, Effects& out, TransactionLayer& layer, const Message& response);
    void fail(Effects& out, Error reason);
    void change(Effects& out, RegistrationState next);
    void stop_timers(Effects& out);
    void start_timer(Effects& out, TimerName t, int64_t delay_ms);
    void cancel_timer(Effects& out, TimerName t);
    uint32_t granted_from(const Message& ok) const;

    RegistrationConfig config_;
    DigestClient digest_;
    uint64_t random_state_;
    std::string call_id_, from_tag_;
    uint32_t cseq_ = 0;
    uint32_t expires_s_;       // what we ask for (raised by 423)
    RegistrationState state_ = RegistrationState::unregistered;
    std::optional<TransactionId> current_;    // the REGISTER in flight
    std::optional<TransactionId> options_;    // the OPTIONS keepalive in flight
    bool retried_auth_ = false;               // this attempt already answered a challenge
    bool retried_interval_ = false;           // this attempt already followed a 423
    bool unregistering_ = false;              // the REGISTER in flight has Expires: 0
    bool unregister_pending_ = false;         // Unregister came while a REGISTER was in flight
    uint32_t granted_s_ = 0;
    int64_t expires_at_ms_ = 0;
    std::optional<Error> failure_;
    uint32_t timers_ = 0;      // registration timers running
};

}  // namespace sb::sip

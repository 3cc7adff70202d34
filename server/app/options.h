// options.h: switchboardd's command line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/app/log.h"
#include "util/result.h"

namespace sbd {

struct Options {
    std::string host = "127.0.0.1";
    unsigned short port = 8080;
    std::string db_path;                   // resolved default when not given
    std::optional<std::string> web_root;
    int64_t token_ttl_seconds = 43200;
    int login_max_failures = 5;            // per username; per address it is 4x this
    int64_t login_window_seconds = 300;
    // Sign-in's second factor and account locks (docs/protocol.md, "Sign-in").
    std::string mfa = "required";          // --mfa required|optional|off
    std::optional<std::string> mfa_key_file;  // default: the database path + ".mfa-key"
    int64_t mfa_challenge_ttl_ms = 300'000;   // --mfa-challenge-ttl SECONDS
    int lock_after_failures = 5;           // --lock-after N failed passwords or codes
    int64_t lock_window_ms = 900'000;      // --lock-window SECONDS, in which they count
    int64_t lock_duration_ms = 900'000;    // --lock-duration SECONDS
    // --demo: the demo data (agents with the published password "switchboard", customers, queues...)
    // on an empty database. Never without it: a real deployment creates its accounts with
    // `switchboardd admin` (docs/operations.md, "Accounts").
    bool demo = false;
    int64_t offer_timeout_ms = 20'000;     // --offer-timeout SECONDS
    int64_t acw_max_ms = 120'000;          // --acw-max SECONDS
    int64_t queue_max_wait_ms = 1'800'000; // --queue-max-wait SECONDS
    int64_t transfer_wait_ms = 60'000;     // --transfer-wait SECONDS
    std::optional<std::string> sms_provider_url;
    bool fake_sms_provider = false;        // POST /dev/sms-provider, GET /dev/sms-provider/outbox
    std::optional<std::string> payment_gateway_url;  // --payment-gateway URL (docs/payments.md)
    bool fake_payment_gateway = false;     // POST /dev/payment-gateway(/refunds), GET .../charges
    int64_t payment_capture_ttl_ms = 600'000;  // --payment-capture-ttl SECONDS
    std::optional<std::string> sip_domain;  // telephony on: sessions carry SIP credentials
    std::string sip_ws_url;                 // default ws://<sip_domain>:5066
    std::optional<std::string> telephony_secret_file;  // /telephony/* on, for Kamailio
    std::vector<std::string> telephony_peers;  // --telephony-peer ADDR|CIDR (repeatable): besides loopback
    std::optional<std::string> sms_webhook_secret_file;  // POST /sms/inbound on, signed (docs/sms.md)
    std::optional<std::string> rtpengine_ng;  // --rtpengine-ng udp:HOST:PORT: call recording on
    bool simulate = false;
    double simulate_rate = 2.0;            // new simulated customers per minute
    // What one client, and all of them, can hold (docs/security.md, "Limits").
    std::size_t max_connections = 10000;             // --max-connections N
    std::size_t max_connections_per_address = 64;    // --max-connections-per-address N (anonymous)
    int64_t write_timeout_ms = 30'000;               // --write-timeout SECONDS
    std::size_t anonymous_frame_rate = 2000;         // --anonymous-frame-rate N (per second, all together)
    std::size_t anonymous_time_share = 50;           // --anonymous-time-share PERCENT (of the I/O thread)
    // Password checks (Argon2) off the I/O thread (app/worker_pool.h).
    std::size_t password_workers = 0;                // --password-workers N (0: one per core)
    // Transport security (docs/operations.md).
    std::optional<std::string> tls_cert;     // --tls-cert FILE (PEM chain): HTTPS and WSS only
    std::optional<std::string> tls_key;      // --tls-key FILE (PEM; not world-readable)
    bool insecure_http = false;              // --insecure-http: plain HTTP on a non-loopback address
    std::vector<std::string> trusted_proxies;  // --trusted-proxy ADDR|CIDR (repeatable)
    std::optional<std::string> internal_listen;  // --internal-listen 127.0.0.1:PORT (checked): plain, loopback only
    // The browser's side (docs/security.md, "Browser").
    std::vector<std::string> desk_backends;     // --desk-backend URL (repeatable)
    std::vector<std::string> allowed_origins;   // --allowed-origin ORIGIN (repeatable), normalised
    std::vector<std::string> frame_ancestors{"'self'"};  // --frame-ancestors SOURCES
    int64_t chat_token_ttl_ms = 86'400'000;     // --chat-token-ttl SECONDS, after the chat ended
    LogLevel log_level = LogLevel::Info;
    bool help = false;
};

// Parses argv (without argv[0]); the default db path comes from XDG_DATA_HOME or HOME.
sb::Result<Options> parse_options(const std::vector<std::string>& args);

// $XDG_DATA_HOME/switchboard/switchboard.db, else ~/.local/share/switchboard/switchboard.db
// (switchboardd admin opens the same one).
std::string default_db_path();
// Why a PostgreSQL --db URI is refused (it carries a password), or empty.
std::string postgres_uri_problem(const std::string& where);

std::string usage();

}  // namespace sbd

// options.cpp: command-line parsing (see options.h).
#include "server/app/options.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string>

#include "server/net/browser_policy.h"
#include "server/store/database.h"

namespace sbd {

namespace {

sb::Error bad(const std::string& message) { return sb::make_error("bad_option", message); }

template <class Int>
bool parse_int(const std::string& s, Int& out, Int min) {
    Int v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < min) return false;
    out = v;
    return true;
}

}  // namespace

std::string default_db_path() {
    const char* xdg = std::getenv("XDG_DATA_HOME");
    if (xdg && *xdg) return std::string(xdg) + "/switchboard/switchboard.db";
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.local/share/switchboard/switchboard.db";
}

std::string postgres_uri_problem(const std::string& where) {
    if (!Database::is_postgres(where)) return {};
    // postgresql://[user[:password]@][host][:port][/dbname][?param=value&...]
    std::string rest = where.substr(where.find("://") + 3);
    auto query = rest.find('?');
    std::string authority = rest.substr(0, std::min(rest.find('/'), query));
    auto at = authority.rfind('@');
    if (at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos)
        return "--db: a password does not go in the URI (command lines are visible to every user); "
               "put it in PGPASSFILE or ~/.pgpass";
    if (query != std::string::npos && (rest.find("password=", query) != std::string::npos))
        return "--db: a password does not go in the URI; put it in PGPASSFILE or ~/.pgpass";
    return {};
}

std::string usage() {
    return "usage: switchboardd [options]\n"
           "       switchboardd admin [--db PATH] COMMAND ...   agents' accounts (switchboardd admin --help)\n"
           "       switchboardd migrate | export | import ...   the schema, and moving every row between\n"
           "                                                    databases (switchboardd export --help)\n"
           "\n"
           "The Switchboard reference backend: desk protocol v1 over WebSocket at /desk, the web\n"
           "build over HTTP.\n"
           "\n"
           "  --listen HOST:PORT        address to listen on (default 127.0.0.1:8080; port 0 = any free)\n"
           "  --db PATH|URI             SQLite database file (default $XDG_DATA_HOME/switchboard/switchboard.db,\n"
           "                            else ~/.local/share/switchboard/switchboard.db), or PostgreSQL:\n"
           "                            postgresql://USER@HOST:PORT/DBNAME (its password from PGPASSFILE\n"
           "                            or ~/.pgpass, never in the URI; --mfa-key-file is then required)\n"
           "  --web-root DIR            serve the web build from DIR\n"
           "  --token-ttl SECONDS       session token lifetime (default 43200)\n"
           "  --login-max-failures N    failed logins per username before rate limiting (default 5;\n"
           "                            per remote address the limit is 4 x N)\n"
           "  --login-window SECONDS    window in which failed logins count (default 300)\n"
           "  --mfa POLICY              second factor after the password: required (default; every agent\n"
           "                            enrolls an authenticator app), optional (asked of agents who\n"
           "                            enrolled), off; an agent's own policy (required/off) wins\n"
           "  --mfa-key-file PATH       key sealing TOTP secrets (default: the database path + .mfa-key;\n"
           "                            created, mode 0600, when missing)\n"
           "  --mfa-challenge-ttl SECONDS  how long the code step after a password stays open (default 300)\n"
           "  --lock-after N            failed passwords or codes that lock an account (default 5)\n"
           "  --lock-window SECONDS     in which they count (default 900)\n"
           "  --lock-duration SECONDS   how long the account stays locked (default 900)\n"
           "  --offer-timeout SECONDS   how long an offer rings before it counts as missed (default 20;\n"
           "                            fractions allowed)\n"
           "  --acw-max SECONDS         after-contact work closes itself after this (default 120)\n"
           "  --queue-max-wait SECONDS  a contact nobody took in this time is closed as abandoned and the\n"
           "                            customer told to try again later (default 1800)\n"
           "  --transfer-wait SECONDS   a contact transferred to a named agent who does not take it in\n"
           "                            this time goes to its queue instead (default 60)\n"
           "  --sms-provider-url URL    outbound SMS: POST {\"from\",\"to\",\"body\"} as JSON here (http://)\n"
           "  --fake-sms-provider       serve a recording SMS provider at /dev/sms-provider (its outbox\n"
           "                            at /dev/sms-provider/outbox) and use it unless --sms-provider-url\n"
           "  --payment-gateway URL     card payments: POST charges here, refunds to URL/refunds (http://;\n"
           "                            docs/payments.md); without a gateway payments are unavailable\n"
           "  --fake-payment-gateway    serve a fake payment gateway at /dev/payment-gateway (what it was\n"
           "                            sent, without card numbers, at /dev/payment-gateway/charges) and\n"
           "                            use it unless --payment-gateway\n"
           "  --payment-capture-ttl SECONDS  an open card capture expires this long after it was\n"
           "                            opened without approval (default 600)\n"
           "  --sip-domain DOMAIN       telephony on: every session carries SIP credentials in DOMAIN (also the\n"
           "                            digest realm), checked by Kamailio in this database's subscriber table\n"
           "                            (docs/telephony.md); without it sessions carry none\n"
           "  --sip-ws-url URL          SIP over WebSocket address given to the desk (ws:// or wss://;\n"
           "                            default ws://DOMAIN:5066)\n"
           "  --telephony-secret-file PATH  turn on the telephony's endpoints (/telephony/*, loopback\n"
           "                            only) for Kamailio, which must send the file's content in\n"
           "                            X-Switchboard-Telephony (docs/telephony.md, \"Queue calls\")\n"           "  --telephony-peer ADDR     Kamailio on another machine (IP or CIDR; repeatable): its\n"
           "                            /telephony/* requests are taken too, with the secret; else\n"
           "                            loopback only (docs/telephony.md, \"Several nodes\")\n"
           "  --sms-webhook-secret-file PATH  turn on POST /sms/inbound for requests the SMS gateway signs\n"
           "                            with the file's content (X-Switchboard-Signature, docs/sms.md)\n"
           "  --rtpengine-ng udp:HOST:PORT  call recording on: rtpengine's control (ng) address, to pause\n"
           "                            and resume recordings (docs/telephony.md, \"Recording\"); without it\n"
           "                            every contact's recording state is \"off\"\n"
           "  --simulate                simulated customers chat and text through /chat/ws and /sms/inbound\n"
           "  --simulate-rate N         new simulated customers per minute (default 2; implies --simulate)\n"
           "  --demo                    the demo: on an empty database, create the demo agents (alice, bob, carol,\n"
           "                            erin and supervisor sam, password \"switchboard\"), customers, queues and\n"
           "                            reason codes. Never on a real deployment: create accounts with\n"
           "                            switchboardd admin\n"
           "  --no-seed                 no demo data (the default; undoes an earlier --demo)\n"
           "  --max-connections N       connections held at once, all clients together (default 10000)\n"
           "  --max-connections-per-address N  anonymous connections (not logged-in desks) from one\n"
           "                            address (default 64)\n"
           "  --write-timeout SECONDS   a WebSocket whose peer takes longer than this to take one frame\n"
           "                            is closed (default 30)\n"
           "  --anonymous-frame-rate N  frames a second read from all anonymous WebSockets together\n"
           "                            (chat customers, desks before sign-in; default 2000): beyond it\n"
           "                            they wait their turn, and agents' requests do not wait behind them\n"
           "  --anonymous-time-share PERCENT  the most of the I/O thread's time their frames may take\n"
           "                            together (measured frame by frame; default 50, from 1 to 100)\n"
           "  --password-workers N      threads that check passwords (Argon2id), below the I/O thread's\n"
           "                            priority (default: one per core)\n"
           "  --tls-cert FILE           serve HTTPS and WSS (only) with this PEM certificate chain\n"
           "  --tls-key FILE            its PEM private key; refused if every user may read it (chmod 600)\n"
           "  --insecure-http           allow plain HTTP on an address other than loopback (passwords, codes\n"
           "                            and card numbers then cross the network unencrypted)\n"
           "  --trusted-proxy ADDR      a reverse proxy (IP or CIDR; repeatable) whose X-Forwarded-For is\n"
           "                            believed: its clients' addresses are what the limits, logs and\n"
           "                            loopback checks see (docs/operations.md)\n"
           "  --internal-listen HOST:PORT  also serve plain HTTP on this loopback address, for Kamailio and\n"
           "                            other clients on this machine when the main listener is HTTPS\n"
           "  --desk-backend URL        a ws(s):// desk backend a desk page served here may use besides its\n"
           "                            own origin's /desk, when a link names it (?backend=URL); repeatable\n"
           "  --allowed-origin ORIGIN   pages from ORIGIN (http(s)://HOST[:PORT]) may open /desk and /chat/ws\n"
           "                            besides this server's own; repeatable (docs/security.md, \"Browser\")\n"
           "  --frame-ancestors SOURCES who may embed the desk and chat pages in a frame (CSP sources, e.g.\n"
           "                            \"'self' https://crm.example.com\"; default 'self'); repeatable\n"
           "  --chat-token-ttl SECONDS  a chat's resume token works this long after the chat ended\n"
           "                            (default 86400; fractions allowed)\n"
           "  --log-level LEVEL         debug, info, warn or error (default info)\n"
           "  --help                    print this and exit\n"
           "\n"
           "Prints \"listening http://HOST:PORT\" (https:// with TLS) on stdout once bound. Logs are JSON\n"
           "lines on stderr.\n";
}

sb::Result<Options> parse_options(const std::vector<std::string>& args) {
    Options o;
    bool frame_ancestors_given = false;  // the first --frame-ancestors replaces the default
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= args.size()) return std::nullopt;
            return args[++i];
        };
        if (a == "--help" || a == "-h") {
            o.help = true;
        } else if (a == "--demo") {
            o.demo = true;
        } else if (a == "--no-seed") {
            o.demo = false;
        } else if (a == "--fake-sms-provider") {
            o.fake_sms_provider = true;
        } else if (a == "--fake-payment-gateway") {
            o.fake_payment_gateway = true;
        } else if (a == "--simulate") {
            o.simulate = true;
        } else if (a == "--offer-timeout" || a == "--acw-max" || a == "--simulate-rate" ||
                   a == "--queue-max-wait" || a == "--transfer-wait" || a == "--payment-capture-ttl") {
            auto v = value();
            if (!v) return bad(a + " needs a value");
            double d = 0;
            try {
                std::size_t used = 0;
                d = std::stod(*v, &used);
                if (used != v->size()) d = -1;
            } catch (...) {
                d = -1;
            }
            if (!(d > 0) || d > 1e7) return bad(a + " wants a positive number");
            if (a == "--offer-timeout") o.offer_timeout_ms = static_cast<int64_t>(d * 1000);
            else if (a == "--acw-max") o.acw_max_ms = static_cast<int64_t>(d * 1000);
            else if (a == "--queue-max-wait") o.queue_max_wait_ms = static_cast<int64_t>(d * 1000);
            else if (a == "--transfer-wait") o.transfer_wait_ms = static_cast<int64_t>(d * 1000);
            else if (a == "--payment-capture-ttl") o.payment_capture_ttl_ms = static_cast<int64_t>(d * 1000);
            else { o.simulate_rate = d; o.simulate = true; }
        } else if (a == "--sip-domain" || a == "--sip-ws-url") {
            auto v = value();
            if (!v) return bad(a + " needs a value");
            if (a == "--sip-domain") {
                if (v->empty() || v->find_first_of(" \t\r\n:;@/<>\"") != std::string::npos)
                    return bad("--sip-domain wants a host name or IPv4 address");
                // Host names are case-insensitive; the proxy compares them in lower case.
                std::string lower = *v;
                for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                o.sip_domain = lower;
            } else {
                if (v->rfind("ws://", 0) != 0 && v->rfind("wss://", 0) != 0)
                    return bad("--sip-ws-url wants a ws:// or wss:// URL");
                o.sip_ws_url = *v;
            }
        } else if (a == "--mfa" || a == "--mfa-key-file" || a == "--mfa-challenge-ttl" || a == "--lock-after" ||
                   a == "--lock-window" || a == "--lock-duration") {
            auto v = value();
            if (!v) return bad(a + " needs a value");
            int64_t n = 0;
            if (a == "--mfa") {
                if (*v != "required" && *v != "optional" && *v != "off")
                    return bad("--mfa wants required, optional or off");
                o.mfa = *v;
            } else if (a == "--mfa-key-file") {
                o.mfa_key_file = *v;
            } else if (!parse_int(*v, n, int64_t{1})) {
                return bad(a + " wants a whole number >= 1");
            } else if (a == "--mfa-challenge-ttl") {
                o.mfa_challenge_ttl_ms = n * 1000;
            } else if (a == "--lock-after") {
                o.lock_after_failures = static_cast<int>(std::min<int64_t>(n, 1000));
            } else if (a == "--lock-window") {
                o.lock_window_ms = n * 1000;
            } else {
                o.lock_duration_ms = n * 1000;
            }
        } else if (a == "--telephony-secret-file") {
            auto v = value();
            if (!v) return bad(a + " needs a value");
            o.telephony_secret_file = *v;
        } else if (a == "--telephony-peer") {
            auto v = value();
            if (!v || v->empty()) return bad(a + " needs a value");
            o.telephony_peers.push_back(*v);
        } else if (a == "--sms-webhook-secret-file") {
            auto v = value();
            if (!v) return bad(a + " needs a value");
            o.sms_webhook_secret_file = *v;
        } else if (a == "--rtpengine-ng") {
            auto v = value();
            if (!v) return bad(a + " needs a value");
            auto colon = v->rfind(':');
            unsigned port = 0;
            if (v->rfind("udp:", 0) != 0 || colon <= 4 || !parse_int(v->substr(colon + 1), port, 1u) || port > 65535)
                return bad("--rtpengine-ng wants udp:HOST:PORT");
            o.rtpengine_ng = *v;
        } else if (a == "--payment-gateway") {
            auto v = value();
            if (!v) return bad(a + " needs a value");
            // Card numbers go there: plain HTTP only to this machine (a TLS-terminating proxy on
            // loopback reaches a remote gateway; docs/payments.md).
            const std::string host = v->rfind("http://", 0) == 0 ? v->substr(7, v->find_first_of(":/", 7) - 7) : "";
            if (host != "127.0.0.1" && host != "localhost")
                return bad("--payment-gateway wants an http:// URL on loopback (http://127.0.0.1:PORT/...): card "
                           "numbers never travel unencrypted; run a TLS-terminating proxy on loopback for a remote gateway");
            o.payment_gateway_url = *v;
        } else if (a == "--sms-provider-url") {
            auto v = value();
            if (!v) return bad(a + " needs a value");
            if (v->rfind("http://", 0) != 0) return bad("--sms-provider-url wants an http:// URL");
            o.sms_provider_url = *v;
        } else if (a == "--listen" || a == "--db" || a == "--web-root" || a == "--token-ttl" ||
                   a == "--login-max-failures" || a == "--login-window" || a == "--log-level") {
            auto v = value();
            if (!v) return bad(a + " needs a value");
            if (a == "--listen") {
                auto colon = v->rfind(':');
                if (colon == std::string::npos) return bad("--listen wants HOST:PORT");
                o.host = v->substr(0, colon);
                if (o.host.size() >= 2 && o.host.front() == '[' && o.host.back() == ']')
                    o.host = o.host.substr(1, o.host.size() - 2);
                unsigned port = 0;
                if (!parse_int(v->substr(colon + 1), port, 0u) || port > 65535) return bad("bad port in --listen");
                o.port = static_cast<unsigned short>(port);
            } else if (a == "--db") {
                o.db_path = *v;
                if (auto why = postgres_uri_problem(*v); !why.empty()) return bad(why);
            } else if (a == "--web-root") {
                o.web_root = *v;
            } else if (a == "--token-ttl") {
                if (!parse_int(*v, o.token_ttl_seconds, int64_t{1})) return bad("--token-ttl wants seconds >= 1");
            } else if (a == "--login-max-failures") {
                if (!parse_int(*v, o.login_max_failures, 1)) return bad("--login-max-failures wants N >= 1");
            } else if (a == "--login-window") {
                if (!parse_int(*v, o.login_window_seconds, int64_t{1})) return bad("--login-window wants seconds >= 1");
            } else if (a == "--log-level") {
                auto level = parse_log_level(*v);
                if (!level) return bad("--log-level wants debug, info, warn or error");
                o.log_level = *level;
            }
        } else if (a == "--max-connections" || a == "--max-connections-per-address" || a == "--write-timeout" ||
                   a == "--anonymous-frame-rate" || a == "--anonymous-time-share" || a == "--password-workers") {
            auto v = value();
            if (!v) return bad(a + " needs a value");
            if (a == "--write-timeout") {
                char* end = nullptr;
                double d = std::strtod(v->c_str(), &end);
                if (v->empty() || end != v->c_str() + v->size() || !(d > 0) || d > 3600)
                    return bad("--write-timeout wants seconds between 0 and 3600");
                o.write_timeout_ms = static_cast<int64_t>(d * 1000);
            } else if (a == "--anonymous-time-share") {
                if (!parse_int(*v, o.anonymous_time_share, std::size_t{1}) || o.anonymous_time_share > 100)
                    return bad("--anonymous-time-share wants a percentage from 1 to 100");
            } else if (a == "--password-workers") {
                if (!parse_int(*v, o.password_workers, std::size_t{1}) || o.password_workers > 256)
                    return bad("--password-workers wants N from 1 to 256");
            } else {
                std::size_t n = 0;
                if (!parse_int(*v, n, std::size_t{1}) || n > 1'000'000) return bad(a + " wants N from 1 to 1000000");
                (a == "--max-connections"             ? o.max_connections
                 : a == "--anonymous-frame-rate" ? o.anonymous_frame_rate
                                                 : o.max_connections_per_address) = n;
            }
        } else if (a == "--tls-cert" || a == "--tls-key" || a == "--trusted-proxy" || a == "--internal-listen") {
            auto v = value();
            if (!v || v->empty()) return bad(a + " needs a value");
            if (a == "--tls-cert") o.tls_cert = *v;
            else if (a == "--tls-key") o.tls_key = *v;
            else if (a == "--internal-listen") {
                auto colon = v->rfind(':');
                unsigned port = 0;
                std::string host = colon == std::string::npos ? "" : v->substr(0, colon);
                if (colon == std::string::npos || !parse_int(v->substr(colon + 1), port, 0u) || port > 65535)
                    return bad("--internal-listen wants HOST:PORT");
                if (host.rfind("127.", 0) != 0 && host != "[::1]")
                    return bad("--internal-listen takes a loopback address (127.0.0.1:PORT): it serves plain HTTP");
                o.internal_listen = *v;
            }
            else o.trusted_proxies.push_back(*v);
        } else if (a == "--insecure-http") {
            o.insecure_http = true;
        } else if (a == "--desk-backend" || a == "--allowed-origin" || a == "--frame-ancestors" ||
                   a == "--chat-token-ttl") {
            // The browser's side (docs/security.md, "Browser").
            auto v = value();
            if (!v) return bad(a + " needs a value");
            if (a == "--desk-backend") {
                if (auto ok = check_desk_backend(*v); !ok) return bad(ok.error().message);
                o.desk_backends.push_back(*v);
            } else if (a == "--allowed-origin") {
                auto origin = normalize_origin(*v);
                if (!origin || (origin->rfind("http://", 0) != 0 && origin->rfind("https://", 0) != 0))
                    return bad("--allowed-origin wants an origin: http(s)://HOST[:PORT], no path");
                o.allowed_origins.push_back(*origin);
            } else if (a == "--frame-ancestors") {
                if (!frame_ancestors_given) o.frame_ancestors.clear();
                frame_ancestors_given = true;
                std::size_t start = 0;
                while (start < v->size()) {  // one or more sources, separated by spaces
                    std::size_t end = v->find(' ', start);
                    if (end == std::string::npos) end = v->size();
                    if (end > start) {
                        std::string source = v->substr(start, end - start);
                        if (auto ok = check_frame_ancestor(source); !ok) return bad(ok.error().message);
                        o.frame_ancestors.push_back(source);
                    }
                    start = end + 1;
                }
                if (o.frame_ancestors.empty()) return bad("--frame-ancestors needs a source ('self', 'none', https://...)");
            } else {
                char* end = nullptr;
                double d = std::strtod(v->c_str(), &end);
                if (v->empty() || end != v->c_str() + v->size() || !(d > 0) || d > 1e8)
                    return bad("--chat-token-ttl wants a positive number of seconds");
                o.chat_token_ttl_ms = static_cast<int64_t>(d * 1000);
            }
        } else {
            return bad("unknown option " + a);
        }
    }
    if (o.tls_cert.has_value() != o.tls_key.has_value()) return bad("--tls-cert and --tls-key go together");
    if (o.db_path.empty()) o.db_path = default_db_path();
    if (Database::is_postgres(o.db_path) && !o.mfa_key_file)
        return bad("--db postgresql://... needs --mfa-key-file (every node must seal with the same key)");
    if (!o.sip_ws_url.empty() && !o.sip_domain) return bad("--sip-ws-url needs --sip-domain");
    if (o.sip_domain && o.sip_ws_url.empty()) o.sip_ws_url = "ws://" + *o.sip_domain + ":5066";
    return o;
}

}  // namespace sbd

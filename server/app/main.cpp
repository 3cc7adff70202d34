// main.cpp: switchboardd, the Switchboard reference backend. Wires the pieces together:
// options -> logger -> store (migrated, seeded) -> DeskService -> HTTP/WebSocket listener on one
// single-threaded io_context; SIGINT/SIGTERM close every WebSocket with 1001 and exit 0.
// `switchboardd admin ...` is the accounts' command line instead (admin_cli.h); `switchboardd migrate`,
// `export` and `import` move the data (data_cli.h).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <iostream>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <sodium.h>

#include "server/accounts/auth.h"
#include "server/accounts/mfa.h"
#include "server/admin/admin_cli.h"
#include "server/admin/audit.h"
#include "server/admin/data_cli.h"
#include "server/store/demo_seed.h"
#include "server/app/feed_pump.h"
#include "server/app/log.h"
#include "server/app/options.h"
#include "server/app/worker_pool.h"
#include "server/dev/fake_payment_gateway.h"
#include "server/dev/fake_sms_provider.h"
#include "server/dev/simulator.h"
#include "server/channels/chat_service.h"
#include "server/channels/sms_gateway.h"
#include "server/contacts/contact_service.h"
#include "server/desk/desk_hub.h"
#include "server/desk/desk_service.h"
#include "server/net/connection_gate.h"
#include "server/net/http_api.h"
#include "server/net/http_listener.h"
#include "server/net/periodic.h"
#include "server/net/tls.h"
#include "server/net/trusted_proxies.h"
#include "server/payments/payments.h"
#include "server/store/contact_store.h"
#include "server/store/sqlite_db.h"
#include "server/store/store.h"
#include "server/telephony/recording.h"
#include "server/verify/verification.h"

namespace {

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string random_id() {
    unsigned char bytes[9];
    randombytes_buf(bytes, sizeof bytes);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

// A shared secret from a file: 16+ characters without spaces or quotes (a trailing newline is
// dropped). Secrets never come on the command line, where any local user could read them.
sb::Result<std::string> read_secret_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' || secret.back() == ' '))
        secret.pop_back();
    if (!in.good() && !in.eof()) secret.clear();
    if (secret.size() < 16 || secret.size() > 4096 || secret.find_first_of(" \t\r\n\"'") != std::string::npos)
        return sb::make_error("bad_secret", "unreadable, or not 16+ characters without spaces or quotes");
    return secret;
}

// `text` as one word for a POSIX shell.
// IPs or CIDRs given with `flag` (--trusted-proxy, --telephony-peer); a bad one is logged: none.
std::optional<std::vector<sbd::AddressRange>> address_ranges(const std::vector<std::string>& specs, const char* flag,
                                                             sbd::Logger& log) {
    std::vector<sbd::AddressRange> out;
    for (const auto& spec : specs) {
        auto range = sbd::AddressRange::parse(spec);
        if (!range) {
            log.error(std::string("bad ") + flag, {{"value", spec}, {"error", range.error().message}});
            return std::nullopt;
        }
        out.push_back(range.value());
    }
    return out;
}

std::string shell_word(const std::string& text) {
    if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                                "_-./=:,+@%") == std::string::npos)
        return text;
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// Without an enabled supervisor nobody can read the audit log, and on an empty database nobody
// can sign in at all: say how to create the first one (stdout and the log).
sb::Status hint_first_supervisor(sbd::Store& store, const sbd::Options& options, const std::string& program,
                                 sbd::Logger& log) {
    auto supervisor = store.has_enabled_supervisor();
    if (!supervisor) return supervisor.error();
    if (supervisor.value()) return sb::Ok{};
    auto agents = store.has_agents();
    if (!agents) return agents.error();
    std::error_code ec;
    // The command works from any directory: a file's path is made absolute.
    auto db = sbd::Database::is_postgres(options.db_path) ? std::filesystem::path(options.db_path)
                                                          : std::filesystem::absolute(options.db_path, ec);
    std::string command = shell_word(program) + " admin --db " + shell_word(ec ? options.db_path : db.string()) +
                          " add-agent USERNAME --name \"Full Name\" --role supervisor";
    std::string why = agents.value() ? "No enabled supervisor: nobody can read the audit log."
                                     : "No agents yet: nobody can sign in (--demo creates the demo agents).";
    std::cout << why << " Create the first supervisor (it asks for a password; "
              << "--generate-password prints one instead):\n  " << command << std::endl;
    log.warn(agents.value() ? "no enabled supervisor" : "no agents yet",
             {{"hint", "create the first supervisor with switchboardd admin"}, {"command", command}});
    return sb::Ok{};
}

int run(const sbd::Options& options, const std::string& program, sbd::Logger& log) {
    if (sodium_init() < 0) {
        log.error("libsodium failed to initialise");
        return 1;
    }

    // The certificate and key first: a server that cannot serve TLS touches nothing.
    std::shared_ptr<boost::asio::ssl::context> tls;
    if (options.tls_cert) {
        auto loaded = sbd::load_server_tls(*options.tls_cert, *options.tls_key);
        if (!loaded) {
            log.error("cannot serve TLS: " + loaded.error().message, {{"code", loaded.error().code}});
            std::cerr << "switchboardd: " << loaded.error().message << "\n";
            return 1;
        }
        tls = loaded.value();
    }

    std::error_code ec;
    const bool postgres = sbd::Database::is_postgres(options.db_path);
    auto db_dir = postgres ? std::filesystem::path() : std::filesystem::path(options.db_path).parent_path();
    if (!db_dir.empty()) std::filesystem::create_directories(db_dir, ec);
    if (ec) {
        log.error("cannot create the database directory", {{"path", db_dir.string()}, {"error", ec.message()}});
        return 1;
    }
    auto store = sbd::Store::open(options.db_path);
    if (!store) {
        log.error("cannot open the database", {{"path", options.db_path}, {"error", store.error().message}});
        return 1;
    }
    // This process's tag on the changes it announces to other nodes (change_feed.h).
    store.value()->database().set_node(random_id().substr(0, 12));
    // The starter configuration always; the demo (agents with a published password) only with
    // --demo (demo_seed.h).
    auto seeded = sbd::seed_database(*store.value(), now_ms(), options.demo);
    if (!seeded) {
        log.error("cannot seed the database", {{"error", seeded.error().message}});
        return 1;
    }
    for (const std::string& line : seeded.value()) log.info(line);
    // SQLite: WAL checkpoints (and their fsync) off the I/O thread (sqlite_db.h, Checkpointer).
    std::optional<sbd::Checkpointer> checkpointer;
    if (auto* sqlite = dynamic_cast<sbd::SqliteDatabase*>(&store.value()->database())) {
        if (auto st = sqlite->leave_checkpoints_to_thread(); !st) {
            log.error("cannot configure the database", {{"error", st.error().message}});
            return 1;
        }
        checkpointer.emplace(options.db_path);
    }
    sbd::ContactStore contact_store(store.value()->database());
    sbd::AuditLog audit(store.value()->database());  // docs/security.md, "Audit log"
    sbd::ContactConfig contact_config;
    contact_config.offer_timeout_ms = options.offer_timeout_ms;
    contact_config.acw_max_ms = options.acw_max_ms;
    contact_config.queue_max_wait_ms = options.queue_max_wait_ms;
    contact_config.transfer_wait_ms = options.transfer_wait_ms;
    contact_config.chat_token_ttl_ms = options.chat_token_ttl_ms;
    sbd::ContactService contacts({*store.value(), contact_store, log, now_ms, random_id}, contact_config);
    if (auto loaded = contacts.load(); !loaded) {
        log.error("cannot load contacts", {{"error", loaded.error().message}});
        return 1;
    }

    sbd::LoginLimits limits;
    limits.max_failures_per_username = options.login_max_failures;
    limits.max_failures_per_address = options.login_max_failures * 4;
    limits.window_ms = options.login_window_seconds * 1000;
    limits.lock_after_failures = options.lock_after_failures;
    limits.lock_window_ms = options.lock_window_ms;
    limits.lock_ms = options.lock_duration_ms;
    auto mfa_keys = sbd::MfaKeys::load_or_create(options.mfa_key_file.value_or(options.db_path + ".mfa-key"));
    if (!mfa_keys) {
        log.error("cannot load the MFA key", {{"error", mfa_keys.error().message}});
        return 1;
    }
    sbd::LoginRateLimit rate_limit(*store.value(), limits);
    sbd::PasswordVerifier passwords;
    sbd::DeskHub hub;
    sbd::DeskConfig config;
    config.token_ttl_ms = options.token_ttl_seconds * 1000;
    config.mfa.policy = sbd::parse_mfa_policy(options.mfa).value_or(sbd::MfaPolicy::Required);
    config.mfa.challenge_ttl_ms = options.mfa_challenge_ttl_ms;
    // SIP credentials live as long as the session that issued them, and only while this server
    // issues them: without telephony, none is left for Kamailio to accept.
    if (options.sip_domain) config.sip = sbd::SipConfig{*options.sip_domain, options.sip_ws_url};
    auto sip_rows = config.sip ? store.value()->purge_sip_subscribers(now_ms())
                               : store.value()->remove_all_sip_subscribers();
    if (!sip_rows) {
        log.error("cannot update the SIP subscribers", {{"error", sip_rows.error().message}});
        return 1;
    }
    // Declared before the I/O context: connections still queued in it at exit hold tickets.
    sbd::ConnectionGate gate({options.max_connections, options.max_connections_per_address});
    boost::asio::io_context io(1);
    // Argon2 (password checks) runs on worker threads, one per core by default and below the I/O
    // thread's priority, so that the I/O thread keeps serving every other desk meanwhile; the rest
    // of the login comes back to the I/O thread. The checks waiting are already bounded by the
    // login limits (auth.h, max_pending_total); the pool's own bound is a second fence.
    sbd::WorkerPool password_checks(options.password_workers, static_cast<std::size_t>(limits.max_pending_total) + 8);
    log.info("password checks", {{"workers", password_checks.threads()}, {"queue", password_checks.max_queued()}});
    (void)password_checks.try_post([&passwords] { passwords.prepare(); });  // not on the way to listening
    auto offload = [&io, &password_checks](std::function<void()> work, std::function<void()> then) {
        return password_checks.try_post([&io, work = std::move(work), then = std::move(then)]() mutable {
            try {
                work();
            } catch (...) {  // `then` still runs: the login is answered, not left pending
            }
            boost::asio::post(io, std::move(then));
        });
    };
    sbd::DeskService service(
        {*store.value(), contacts, rate_limit, passwords, hub, log, now_ms, &mfa_keys.value(), offload}, config);

    sbd::ChatService chat(contacts, hub, log);
    sbd::SmsSender sms(io, contacts, log);
    // Customer verification (docs/verification.md); its one-time codes go to the SMS provider.
    std::optional<sbd::HttpUrl> sms_provider_url;  // known once the listener has its address
    auto send_code_sms = [&io, &sms_provider_url, &log](const std::string& from, const std::string& to,
                                                        const std::string& body) {
        if (!sms_provider_url) return log.warn("verification code not sent: no SMS provider");
        nlohmann::json payload{{"from", from}, {"to", to}, {"body", body}};
        sbd::http_post(io, *sms_provider_url, "application/json", sb::protocol::to_text(payload), std::chrono::seconds(10),
                       [&log](sb::Result<sbd::HttpResponse> r) {
                           if (!r || r.value().status < 200 || r.value().status >= 300)
                               log.warn("verification code: the SMS provider did not take it");
                       });
    };
    sbd::VerificationStore verification_store(store.value()->database());
    sbd::VerificationService verification({verification_store, contact_store, log, now_ms, send_code_sms,
                                           [](uint32_t bound) { return randombytes_uniform(bound); }});
    verification.set_audit(&audit);
    verification.set_keys(&mfa_keys.value());
    contacts.set_verification(&verification);
    // Call recording (docs/telephony.md, "Recording"): rtpengine records every call; switchboardd
    // pauses and resumes it (payments). Without --rtpengine-ng every contact's recording is "off".
    std::unique_ptr<sbd::RtpengineRecorder> recorder;
    sbd::PaymentService* payments_ptr = nullptr;  // set below, once the service exists
    if (options.rtpengine_ng) {
        auto address = sbd::RtpengineRecorder::parse_address(*options.rtpengine_ng);
        if (!address) {
            log.error("bad --rtpengine-ng", {{"address", *options.rtpengine_ng}, {"error", address.error().message}});
            return 1;
        }
        recorder = std::make_unique<sbd::RtpengineRecorder>(io, store.value()->database(), log, now_ms, address.value());
        if (auto loaded = recorder->load(); !loaded) {
            log.error("cannot load the call recordings", {{"error", loaded.error().message}});
            return 1;
        }
        contacts.set_recorder(recorder.get());
        // The contact leaves its call (ended: wrap-up; closed): nothing more to record or pause.
        // (The node that ended it forgets the call in the store; the others hear that.)
        contacts.add_change_hook([&recorder](const sbd::ContactRecord& c, bool here) {
            if (here && c.channel == sbd::Channel::Voice &&
                (c.state == sbd::ContactState::WrapUp || c.state == sbd::ContactState::Closed))
                recorder->call_ended(c.id);
        });
        recorder->on_change([&contacts, &recorder, &payments_ptr](const std::string& contact) {
            const sbd::ContactRecord* c = contacts.find_open(contact);
            if (c && c->agent)
                contacts.notify_agent(*c->agent, "contact.recording",
                                      {{"contact", contact}, {"recording", sb::contact::to_string(recorder->state(contact))}});
            // The open card capture's recording state (docs/payments.md).
            if (payments_ptr) payments_ptr->recording_changed(contact);
        });
    }
    contacts.add_json_decorator([&recorder](const sbd::ContactRecord& c, nlohmann::json& out) {
        out["recording"] = sb::contact::to_string(recorder ? recorder->state(c.id) : sb::contact::RecordingState::Off);
    });
    // Card payments (docs/payments.md): the gateway is set once the listener has its address.
    sbd::PaymentStore payment_store(store.value()->database());
    sbd::PaymentService payments({io, payment_store, contact_store, contacts, log, now_ms, random_id}, recorder.get());
    payments.set_audit(&audit);
    payments_ptr = &payments;
    service.set_payments(&payments);
    payments.set_capture_ttl_ms(options.payment_capture_ttl_ms);
    if (auto loaded = payments.load(); !loaded) {
        log.error("cannot load the open payments", {{"error", loaded.error().message}});
        return 1;
    }
    sbd::Simulator simulator(io, log, options.simulate_rate);
    if (options.simulate) {
        sms.set_observer([&simulator](const std::string& to, const std::string& body) {
            simulator.on_outbound_sms(to, body);
        });
    }
    sbd::HttpApi api({contacts, contact_store, log, now_ms});
    api.enable_audit(*store.value(), audit);
    // The demo's and the tests' fake providers (dev/; loopback only), when asked for.
    sbd::FakeSmsProvider fake_sms(contact_store, now_ms);
    sbd::FakePaymentGateway fake_gateway(now_ms, random_id);
    if (options.fake_sms_provider) api.add_dev_handler([&fake_sms](const sbd::ApiRequest& r) { return fake_sms.handle(r); });
    if (options.fake_payment_gateway)
        api.add_dev_handler([&fake_gateway](const sbd::ApiRequest& r) { return fake_gateway.handle(r); });
    service.set_audit(&audit);
    if (!options.telephony_peers.empty() && !options.telephony_secret_file) {
        log.error("--telephony-peer needs --telephony-secret-file: the telephony's endpoints are off without it");
        return 1;
    }
    if (options.telephony_secret_file) {
        // The secret Kamailio sends with every /telephony/* request; never logged.
        auto secret = read_secret_file(*options.telephony_secret_file);
        if (!secret) {
            log.error("--telephony-secret-file: " + secret.error().message, {{"path", *options.telephony_secret_file}});
            return 1;
        }
        auto peers = address_ranges(options.telephony_peers, "--telephony-peer", log);
        if (!peers) return 1;
        api.set_telephony_secret(std::move(secret.value()), sbd::TrustedProxies(std::move(*peers)));
    }
    std::optional<std::string> sms_secret;
    if (options.sms_webhook_secret_file) {
        // The secret the SMS gateway signs each webhook with (docs/sms.md); never logged.
        auto secret = read_secret_file(*options.sms_webhook_secret_file);
        if (!secret) {
            log.error("--sms-webhook-secret-file: " + secret.error().message, {{"path", *options.sms_webhook_secret_file}});
            return 1;
        }
        sms_secret = secret.value();
        api.set_sms_webhook_secret(std::move(secret.value()));
    }
    std::optional<std::filesystem::path> web_root;
    if (options.web_root) web_root = std::filesystem::path(*options.web_root);
    sbd::HttpContext http{service, hub, log, web_root, &chat, &api};
    http.gate = &gate;
    // What browsers are told and checked against (docs/security.md, "Browser").
    sbd::BrowserPolicy browser;
    browser.desk_backends = options.desk_backends;
    browser.allowed_origins = options.allowed_origins;
    browser.frame_ancestors = options.frame_ancestors;
    if (options.sip_domain) browser.sip_ws_url = options.sip_ws_url;
    http.browser = &browser;
    sbd::NodeHealth health;  // cut off while the database is lost (several nodes; below)
    http.health = &health;
    http.ws_limits.write_timeout = std::chrono::milliseconds(options.write_timeout_ms);
    // All anonymous WebSockets together (anonymous_pacer.h): a tenth of a second's worth of frames
    // at once, and their share of the I/O thread's time, 10 ms of it at once.
    sbd::AnonymousPacer anonymous_pacer(io.get_executor(),
                                        {static_cast<double>(options.anonymous_frame_rate),
                                         std::max(1.0, static_cast<double>(options.anonymous_frame_rate) / 10)},
                                        {static_cast<double>(options.anonymous_time_share) / 100,
                                         std::chrono::milliseconds(10)});
    http.ws_limits.anonymous_pacer = &anonymous_pacer;
    // Behind a reverse proxy (docs/operations.md): its clients' addresses, not its own, are what
    // every limit, log line and loopback check sees; and it is not capped as one address.
    auto proxy_ranges = address_ranges(options.trusted_proxies, "--trusted-proxy", log);
    if (!proxy_ranges) return 1;
    http.trusted_proxies = sbd::TrustedProxies(std::move(*proxy_ranges));
    if (!http.trusted_proxies.empty())
        gate.set_exempt([proxies = http.trusted_proxies](const std::string& address) { return proxies.contains(address); });
    http.tls = tls;
    auto listener = std::make_shared<sbd::HttpListener>(io, http);
    auto bound = listener->bind(options.host, options.port);
    if (!bound) {
        log.error("cannot listen", {{"host", options.host}, {"port", options.port}, {"error", bound.error().message}});
        return 1;
    }
    auto url_of = [](const char* scheme, const boost::asio::ip::tcp::endpoint& endpoint) {
        std::string host = endpoint.address().to_string();
        if (endpoint.address().is_v6()) host = "[" + host + "]";
        return std::string(scheme) + "://" + host + ":" + std::to_string(endpoint.port());
    };
    std::string url = url_of(http.tls ? "https" : "http", bound.value());
    // The server's own clients (the simulator's customers, the fake SMS provider and payment
    // gateway it posts to) speak plain HTTP over loopback. With TLS on they get a plain listener
    // of their own on loopback (--internal-listen, or any free port when they need one).
    std::string internal_url = url;
    std::shared_ptr<sbd::HttpListener> internal;
    bool own_clients = options.simulate || (options.fake_sms_provider && !options.sms_provider_url) ||
                       (options.fake_payment_gateway && !options.payment_gateway_url);
    if (options.internal_listen || (http.tls && own_clients)) {
        std::string spec = options.internal_listen.value_or("127.0.0.1:0");
        auto colon = spec.rfind(':');
        std::string ihost = spec.substr(0, colon);
        if (ihost.size() >= 2 && ihost.front() == '[') ihost = ihost.substr(1, ihost.size() - 2);
        sbd::HttpContext plain = http;
        plain.tls.reset();
        internal = std::make_shared<sbd::HttpListener>(io, plain);
        auto ibound = internal->bind(ihost, static_cast<unsigned short>(std::stoul(spec.substr(colon + 1))));
        if (!ibound) {
            log.error("cannot listen", {{"internal", spec}, {"error", ibound.error().message}});
            return 1;
        }
        internal_url = url_of("http", ibound.value());
        if (!http.tls) internal_url = url;  // no need: the main listener is plain already
    }
    std::string provider =
        options.sms_provider_url.value_or(options.fake_sms_provider ? internal_url + "/dev/sms-provider" : "");
    if (!provider.empty()) {
        auto parsed = sbd::parse_http_url(provider);
        if (!parsed) {
            log.error("bad --sms-provider-url", {{"url", provider}, {"error", parsed.error().message}});
            return 1;
        }
        sms.set_provider(parsed.value());
        sms_provider_url = parsed.value();
    }
    sms.resume(contact_store);
    std::string payment_gateway =
        options.payment_gateway_url.value_or(options.fake_payment_gateway ? internal_url + "/dev/payment-gateway" : "");
    if (!payment_gateway.empty()) {
        auto parsed = sbd::parse_http_url(payment_gateway);
        if (!parsed) {
            log.error("bad --payment-gateway", {{"url", payment_gateway}, {"error", parsed.error().message}});
            return 1;
        }
        payments.set_gateway(parsed.value());
    }
    // Contacts' timers (offers, ACW, queue positions) and open card captures (docs/payments.md).
    // Not while cut off from the database (below): they would act on what memory holds.
    sbd::Periodic ticks(io.get_executor(), std::chrono::milliseconds(200), [&contacts, &payments, &health] {
        if (health.cut_off) return;
        contacts.tick();
        payments.tick();
    });
    // Several nodes on one PostgreSQL: what the others change, read into this node's memory
    // (docs/architecture.md, "Several nodes").
    std::unique_ptr<sbd::ChangeFeed> feed;
    std::optional<sbd::FeedPump> feed_pump;
    if (postgres) {
        auto opened = sbd::ChangeFeed::open(options.db_path, store.value()->database().node());
        if (!opened) {
            log.error("cannot listen for other nodes' changes", {{"error", opened.error().message}});
            return 1;
        }
        feed = std::move(opened.value());
        feed_pump.emplace(io, *feed, [&contacts, &service, &log, &health, &hub, &recorder](const sbd::ChangeFeed::Drained& d) {
            // The feed's connection lost is the database lost (or this node cut off from it):
            // serving on from memory could act on contacts other nodes have changed, so the node
            // refuses work and closes its WebSockets; desks and customers reconnect, through the
            // balancer, to a node that has the database. Work resumes here once it is back.
            if (d.down != health.cut_off) {
                health.cut_off = d.down;
                if (d.down) {
                    log.error("lost the database: refusing work and closing connections until it is back",
                              {{"connections", hub.size()}});
                    hub.close_all(sbd::CloseWhy::NodeUnavailable);
                } else {
                    log.info("the database is back: serving again");
                }
            }
            if (d.resync) log.info("hearing the other nodes' changes again; reading everything");
            if (recorder) recorder->heard(d.changes, d.resync);
            contacts.heard(d.changes, d.resync);
            service.heard(d.changes, d.resync);
        });
        feed_pump->start();
    }
    // Every second: the sessions switchboardd admin (or another node) revoked end on this server's
    // connections (DeskService::end_revoked_sessions); this node tells the others it is alive and
    // where its agents are (ContactService::beat; docs/architecture.md, "Several nodes").
    contacts.beat();
    // Not while cut off from the database: each would wait on it again (the feed says when it is back).
    sbd::Periodic revocation_checks(io.get_executor(), std::chrono::seconds(1), [&service, &contacts, &health] {
        if (health.cut_off) return;
        service.end_revoked_sessions();
        contacts.beat();
    });
    // Caught from here on, before the listening line: whoever reads it may stop the server at once
    // (a test, systemd), and a SIGTERM that came before the handler would kill it uncleanly.
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& error, int signal) {
        if (error) return;
        log.info("stopping", {{"signal", signal}});
        listener->stop();
        if (internal) internal->stop();
        hub.close_all();
        contacts.leave();
        ticks.stop();
        revocation_checks.stop();
        if (feed_pump) feed_pump->stop();
        simulator.stop();
        if (recorder) recorder->stop();  // its ng socket would keep io.run() going
    });
    if (options.simulate) simulator.start(internal_url, sms_secret);
    std::cout << "listening " << url << std::endl;  // tests and scripts/run read this line
    if (auto st = hint_first_supervisor(*store.value(), options, program, log); !st) {
        log.error("cannot read the agents", {{"error", st.error().message}});
        return 1;
    }
    log.info("listening", {{"url", url}, {"web_root", options.web_root ? *options.web_root : ""},
                           {"chat", url + "/chat"}, {"sms_provider", provider},
                           {"sip_domain", options.sip_domain.value_or("")}, {"sip_ws_url", options.sip_ws_url},
                           {"telephony_api", options.telephony_secret_file.has_value()},
                           {"internal", internal ? internal_url : ""},
                           {"trusted_proxies", options.trusted_proxies}});

    ticks.start();
    revocation_checks.start();
    listener->start();
    if (internal) internal->start();
    // The last boundary: a handler that throws (a bug) is logged and the loop goes on serving
    // everyone else. Frames and HTTP requests have their own boundaries closer to the bug.
    for (;;) {
        try {
            io.run();
            break;
        } catch (const std::exception& e) {
            log.error("handler failed", {{"error", e.what()}});
        } catch (...) {
            log.error("handler failed", {{"error", "unknown exception"}});
        }
    }

    store.value().reset();  // closes the database
    log.info("stopped");
    return 0;
}

// Plain HTTP beyond this machine carries passwords, TOTP codes, session tokens and card numbers
// in clear: refused unless asked for by name.
std::optional<std::string> insecure_listen(const sbd::Options& o) {
    if (o.tls_cert || o.insecure_http || sbd::is_loopback(o.host)) return std::nullopt;
    return "refusing plain HTTP on " + o.host +
           ", an address other machines can reach: passwords, sign-in codes, session tokens and card numbers "
           "would cross the network unencrypted. Serve HTTPS with --tls-cert FILE --tls-key FILE; or listen on "
           "loopback (--listen 127.0.0.1:PORT) behind a TLS-terminating proxy with --trusted-proxy 127.0.0.1; or, "
           "if the network is protected some other way, say so with --insecure-http (docs/operations.md).";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::string(argv[1]) == "admin")  // the accounts (admin_cli.h)
        return sbd::run_admin(std::vector<std::string>(argv + 2, argv + argc), std::cin, std::cout, std::cerr);
    if (argc >= 2 && sbd::is_data_command(argv[1]))  // migrate, export, import (data_cli.h)
        return sbd::run_data_command(argv[1], std::vector<std::string>(argv + 2, argv + argc), std::cin, std::cout,
                                     std::cerr);
    auto options = sbd::parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (!options) {
        std::cerr << "switchboardd: " << options.error().message << "\n\n" << sbd::usage();
        return 2;
    }
    if (options.value().help) {
        std::cout << sbd::usage();
        return 0;
    }
    if (auto refused = insecure_listen(options.value())) {
        std::cerr << "switchboardd: " << *refused << "\n";
        return 2;
    }
    sbd::Logger log(options.value().log_level);
    try {
        return run(options.value(), argc > 0 ? argv[0] : "switchboardd", log);
    } catch (const std::exception& e) {
        // Handlers keep errors as values; this is the last line of defence.
        log.error("fatal", {{"error", e.what()}});
        return 1;
    }
}

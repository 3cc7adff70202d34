// recording.cpp: the rtpengine call recorder (recording.h; its codec is bencode.h). What rtpengine
// 10.5 does with `stop recording` / `start recording` on a live call is in docs/telephony.md
// ("Recording"): a new pcap per start, nothing written between a stop and the next start.
#include "server/telephony/recording.h"

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <charconv>
#include <random>
#include <set>

#include "server/app/log.h"
#include "server/store/recording_store.h"

namespace sbd {

using sb::contact::RecordingState;

// ---- RtpengineRecorder ---------------------------------------------------------------------------
namespace {
using boost::asio::ip::udp;

std::string random_cookie() {
    static std::mt19937_64 rng{std::random_device{}()};
    static const char* hex = "0123456789abcdef";
    std::string s;
    uint64_t r = rng();
    for (int i = 0; i < 16; ++i) s += hex[(r >> (i * 4)) & 15];
    return s;
}
}  // namespace

struct RtpengineRecorder::Impl {
    struct Entry {
        std::string call_id;
        RecordingState state = RecordingState::On;  // never off: a call not recorded has no entry
        uint64_t generation = 0;  // a new call (or a forgotten one) makes answers to old requests moot
    };
    struct Pending {
        std::string message;
        int attempts_left = 0;
        std::unique_ptr<boost::asio::steady_timer> timer;
        std::function<void(sb::Result<bencode::Value>)> done;
    };

    boost::asio::io_context& io;
    RecordingStore db;  // call_recordings (store/recording_store.h)
    Logger& log;
    std::function<int64_t()> now;
    Config config;
    udp::socket socket;
    udp::endpoint rtpengine;
    std::map<std::string, Entry> calls;
    std::map<std::string, Pending> pending;  // by cookie
    std::array<char, 65536> buffer{};
    udp::endpoint sender;
    uint64_t next_generation = 1;
    uint64_t counter = 0;
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);

    Impl(boost::asio::io_context& io_, Database& db_, Logger& log_, std::function<int64_t()> now_, Config c)
        : io(io_), db(db_), log(log_), now(std::move(now_)), config(std::move(c)), socket(io_) {}

    void open() {
        boost::system::error_code ec;
        auto address = boost::asio::ip::make_address(config.host, ec);
        if (ec) {
            udp::resolver resolver(io);
            auto found = resolver.resolve(udp::v4(), config.host, std::to_string(config.port), ec);
            if (!ec && !found.empty()) address = found.begin()->endpoint().address();
        }
        if (ec) {
            log.error("rtpengine: cannot resolve the ng address", {{"host", config.host}});
            return;
        }
        rtpengine = udp::endpoint(address, config.port);
        socket.open(rtpengine.protocol(), ec);
        if (!ec) socket.bind(udp::endpoint(rtpengine.protocol(), 0), ec);
        if (ec) {
            log.error("rtpengine: cannot open the ng socket", {{"error", ec.message()}});
            return;
        }
        receive();
    }

    void receive() {
        socket.async_receive_from(boost::asio::buffer(buffer), sender,
                                  [this, alive = alive](const boost::system::error_code& ec, std::size_t n) {
                                      if (!*alive || ec == boost::asio::error::operation_aborted) return;
                                      if (!ec) answer(std::string_view(buffer.data(), n));
                                      if (socket.is_open()) receive();
                                  });
    }

    // "<cookie> <bencoded dictionary>": the request with that cookie is answered.
    void answer(std::string_view datagram) {
        if (sender != rtpengine) return;
        std::size_t space = datagram.find(' ');
        if (space == std::string_view::npos) return;
        auto it = pending.find(std::string(datagram.substr(0, space)));
        if (it == pending.end()) return;  // a late answer to a request already retried and answered, or given up
        auto done = std::move(it->second.done);
        it->second.timer->cancel();
        pending.erase(it);
        auto value = bencode::decode(datagram.substr(space + 1));
        if (value && !value.value().dict()) value = sb::make_error("bad_bencode", "the answer is not a dictionary");
        done(std::move(value));
    }

    // Sends one ng command; `done` gets the answer's dictionary or an error (no answer after
    // every attempt, a socket error). Exactly once, never inside this call.
    void command(bencode::Dict body, std::function<void(sb::Result<bencode::Value>)> done) {
        std::string cookie = random_cookie() + std::to_string(++counter);
        Pending p;
        p.message = cookie + " " + bencode::encode(bencode::Value(std::move(body)));
        p.attempts_left = config.attempts;
        p.timer = std::make_unique<boost::asio::steady_timer>(io);
        p.done = std::move(done);
        pending.emplace(cookie, std::move(p));
        send(cookie);
    }

    void send(const std::string& cookie) {
        auto it = pending.find(cookie);
        if (it == pending.end()) return;
        Pending& p = it->second;
        if (p.attempts_left-- <= 0 || !socket.is_open()) {
            auto done = std::move(p.done);
            pending.erase(it);
            boost::asio::post(io, [done = std::move(done), open = socket.is_open()] {
                done(sb::make_error("recorder_unavailable", open ? "rtpengine did not answer" : "no ng socket"));
            });
            return;
        }
        auto message = std::make_shared<std::string>(p.message);
        socket.async_send_to(boost::asio::buffer(*message), rtpengine,
                             [message, alive = alive](const boost::system::error_code&, std::size_t) {});
        p.timer->expires_after(std::chrono::milliseconds(config.timeout_ms));
        p.timer->async_wait([this, cookie, alive = alive](const boost::system::error_code& ec) {
            if (!*alive || ec == boost::asio::error::operation_aborted) return;
            if (pending.count(cookie)) {
                log.warn("rtpengine: no answer; trying again", {{"cookie", cookie}});
                send(cookie);
            }
        });
    }

    sb::Status store(const std::string& contact) {
        auto it = calls.find(contact);
        if (it == calls.end()) return db.remove(contact);
        // Only a confirmed state is stored: a request in flight when we stop has an unknown outcome.
        RecordingState state = in_flight(it->second.state) ? RecordingState::Unknown : it->second.state;
        return db.put(contact, it->second.call_id, state, now());
    }
};

RtpengineRecorder::RtpengineRecorder(boost::asio::io_context& io, Database& db, Logger& log,
                                     std::function<int64_t()> now_ms, Config config)
    : impl_(std::make_unique<Impl>(io, db, log, std::move(now_ms), std::move(config))) {
    impl_->open();
}

RtpengineRecorder::~RtpengineRecorder() {
    *impl_->alive = false;
    boost::system::error_code ec;
    impl_->socket.close(ec);
    for (auto& [cookie, p] : impl_->pending) p.timer->cancel();
}

void RtpengineRecorder::stop() {
    boost::system::error_code ec;
    impl_->socket.close(ec);
    std::vector<std::string> cookies;
    for (auto& [cookie, p] : impl_->pending) cookies.push_back(cookie);
    for (const std::string& cookie : cookies) {
        auto it = impl_->pending.find(cookie);
        it->second.timer->cancel();
        it->second.attempts_left = 0;
        impl_->send(cookie);  // fails it, asynchronously
    }
}

sb::Result<RtpengineRecorder::Config> RtpengineRecorder::parse_address(const std::string& address) {
    auto bad = sb::make_error("bad_option", "--rtpengine-ng wants udp:HOST:PORT");
    if (address.rfind("udp:", 0) != 0) return bad;
    std::string rest = address.substr(4);
    std::size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 || rest.find(':') != colon) return bad;
    std::string host = rest.substr(0, colon), port = rest.substr(colon + 1);
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535) return bad;
    for (char c : host)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) return bad;
    Config c;
    c.host = host;
    c.port = static_cast<uint16_t>(p);
    return c;
}

sb::Status RtpengineRecorder::load() {
    auto rows = impl_->db.all();
    if (!rows) return rows.error();
    for (RecordedCall& r : rows.value()) {
        Impl::Entry e{r.call_id, RecordingState::Unknown, impl_->next_generation++};
        if (r.state == RecordingState::On || r.state == RecordingState::Paused) e.state = *r.state;
        impl_->calls[r.contact] = std::move(e);
    }
    return sb::Ok{};
}

bool RtpengineRecorder::take_stored(const std::string& contact) {
    auto it = impl_->calls.find(contact);
    if (it != impl_->calls.end() && in_flight(it->second.state)) return false;  // (its answer decides)
    auto row = impl_->db.find(contact);
    if (!row) {
        impl_->log.limited(LogLevel::Error, "recording: cannot read a call's recording",
                           {{"contact", contact}, {"error", row.error().message}});
        return false;
    }
    if (!row.value()) return it != impl_->calls.end() && (impl_->calls.erase(it), true);
    const RecordedCall& r = *row.value();
    // In flight at the other node is unknown here: never taken as paused.
    const RecordingState state =
        r.state == RecordingState::On || r.state == RecordingState::Paused ? *r.state : RecordingState::Unknown;
    if (it == impl_->calls.end() || it->second.call_id != r.call_id) {
        impl_->calls[contact] = Impl::Entry{r.call_id, state, impl_->next_generation++};
        return true;
    }
    if (it->second.state == state) return false;
    it->second.state = state;  // (another node's recorder moved it by the table)
    return true;
}

void RtpengineRecorder::heard(const std::vector<Change>& changes, bool resync) {
    if (resync) {
        auto rows = impl_->db.all();
        if (!rows) {
            impl_->log.error("recording: cannot read the calls again", {{"error", rows.error().message}});
            return;
        }
        std::set<std::string> contacts;
        for (const auto& [contact, e] : impl_->calls) contacts.insert(contact);
        for (const RecordedCall& r : rows.value()) contacts.insert(r.contact);
        for (const std::string& contact : contacts) take_stored(contact);
    }
    for (const Change& c : changes)
        if (c.channel == feed::recordings) take_stored(c.key);
}

void RtpengineRecorder::call_started(const std::string& contact, const std::string& call_id) {
    if (call_id.empty()) return;
    auto it = impl_->calls.find(contact);
    if (it != impl_->calls.end() && it->second.call_id == call_id) return;  // asked again (failover): the same call
    // A new call for the contact (the first, or a transferred caller's): Kamailio records it from its offer.
    impl_->calls[contact] = Impl::Entry{call_id, RecordingState::On, impl_->next_generation++};
    if (auto st = impl_->store(contact); !st)
        impl_->log.error("recording: cannot store", {{"contact", contact}, {"error", st.error().message}});
    impl_->log.info("recording: call started", {{"contact", contact}, {"call_id", call_id}});
    changed(contact);
}

void RtpengineRecorder::call_ended(const std::string& contact) {
    if (!impl_->calls.erase(contact)) return;
    if (auto st = impl_->store(contact); !st)
        impl_->log.error("recording: cannot store", {{"contact", contact}, {"error", st.error().message}});
    impl_->log.info("recording: call ended", {{"contact", contact}});
    changed(contact);
}

RecordingState RtpengineRecorder::state(const std::string& contact) const {
    auto it = impl_->calls.find(contact);
    return it == impl_->calls.end() ? RecordingState::Off : it->second.state;
}

std::vector<std::string> RtpengineRecorder::recorded_contacts() const {
    std::vector<std::string> out;
    for (const auto& [contact, e] : impl_->calls) out.push_back(contact);
    return out;
}

std::string RtpengineRecorder::call_id(const std::string& contact) const {
    auto it = impl_->calls.find(contact);
    return it == impl_->calls.end() ? "" : it->second.call_id;
}

void RtpengineRecorder::set_state(const std::string& contact, RecordingState state) {
    auto it = impl_->calls.find(contact);
    if (it == impl_->calls.end() || it->second.state == state) return;
    if (auto moved = sb::contact::move(it->second.state, state); !moved) {
        impl_->log.error("recording: refused move", {{"contact", contact}, {"error", moved.error().message}});
        return;
    }
    if (auto st = impl_->store(contact); !st)
        impl_->log.error("recording: cannot store", {{"contact", contact}, {"error", st.error().message}});
    changed(contact);
}

void RtpengineRecorder::pause(const std::string& contact, std::function<void(sb::Status)> done) {
    request(contact, true, std::move(done));
}

void RtpengineRecorder::resume(const std::string& contact, std::function<void(sb::Status)> done) {
    request(contact, false, std::move(done));
}

void RtpengineRecorder::request(const std::string& contact, bool pausing, std::function<void(sb::Status)> done) {
    auto later = [this](std::function<void(sb::Status)> f, sb::Status st) {
        boost::asio::post(impl_->io, [f = std::move(f), st = std::move(st)] { f(st); });
    };
    auto it = impl_->calls.find(contact);
    if (it == impl_->calls.end() && take_stored(contact)) it = impl_->calls.find(contact);  // (another node's, not yet heard)
    if (it == impl_->calls.end())
        return later(std::move(done), sb::make_error("not_recording", "The contact has no recorded call."));
    Impl::Entry& e = it->second;
    const RecordingState target = pausing ? RecordingState::Paused : RecordingState::On;
    if (e.state == target) return later(std::move(done), sb::Ok{});  // already so
    if (in_flight(e.state))
        return later(std::move(done), sb::make_error("recording_busy", "The recording is already being changed."));
    RecordingState before = e.state;
    uint64_t generation = e.generation;
    std::string call_id = e.call_id;
    set_state(contact, pausing ? RecordingState::Pausing : RecordingState::Resuming);
    impl_->log.info(pausing ? "recording: pausing" : "recording: resuming", {{"contact", contact}, {"call_id", call_id}});
    bencode::Dict body{{"command", pausing ? "stop recording" : "start recording"}, {"call-id", call_id}};
    impl_->command(std::move(body), [this, contact, pausing, before, generation, target,
                                     done = std::move(done)](sb::Result<bencode::Value> answer) {
        sb::Status result = sb::Ok{};
        if (!answer) {
            result = answer.error();
        } else {
            auto r = answer.value().text("result");
            if (r != "ok") {
                std::string reason = answer.value().text("error-reason").value_or(r.value_or("no result"));
                result = sb::make_error("recorder_error", "rtpengine: " + reason);
            }
        }
        auto it = impl_->calls.find(contact);
        bool same_call = it != impl_->calls.end() && it->second.generation == generation;
        if (!result) {
            impl_->log.warn(pausing ? "recording: pause failed" : "recording: resume failed",
                            {{"contact", contact}, {"error", result.error().message}});
            // rtpengine said no: nothing changed. No answer at all: the command may have been
            // carried out or not, so the state is unknown (never taken as paused) until a
            // command is confirmed.
            if (same_call) set_state(contact, result.error().code == "recorder_error" ? before : RecordingState::Unknown);
        } else {
            impl_->log.info(pausing ? "recording: paused" : "recording: resumed", {{"contact", contact}});
            if (same_call) set_state(contact, target);
        }
        if (result && !same_call) result = sb::make_error("not_recording", "The call ended meanwhile.");
        done(result);
    });
}

}  // namespace sbd

// recording.h: call recording as switchboardd controls it (docs/payments.md, "Recording").
//
// Calls are recorded by the telephony layer (rtpengine, started by Kamailio with every call's
// media); switchboardd only knows which SIP Call-ID carries a voice contact's media and asks the
// recorder to pause and resume it, e.g. while a card is being taken. The state a desk sees is
// the recorder's confirmed one, the shared lifecycle sb::contact::RecordingState (its moves are
// contact/lifecycle.cpp's table): off (not recorded: chat, SMS, no recorder, call not up), on,
// pausing, paused, resuming, and unknown when a command went unanswered (it may or may not have
// been carried out; never taken as paused, and the next command settles it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "contact/lifecycle.h"
#include "server/store/change_feed.h"
#include "server/telephony/bencode.h"
#include "util/result.h"

namespace sbd {

class CallRecorder {
public:
    virtual ~CallRecorder() = default;
    // The SIP Call-ID now carrying the contact's media (a queue call as routed, an outbound
    // call as authorised, a transferred caller's new call). Recording is on from here.
    virtual void call_started(const std::string& contact, const std::string& call_id) = 0;
    // The contact's call is over (or the contact closed): forget it.
    virtual void call_ended(const std::string& contact) = 0;
    // Ask the recorder to stop writing the call's media; `done` runs once it confirmed (Ok) or
    // failed (an error: rtpengine refused, and the recording stays as it was; or no answer, and
    // the state becomes "unknown"). Always asynchronous.
    virtual void pause(const std::string& contact, std::function<void(sb::Status)> done) = 0;
    virtual void resume(const std::string& contact, std::function<void(sb::Status)> done) = 0;
    // Every contact with a recorded call.
    virtual std::vector<std::string> recorded_contacts() const = 0;
    virtual sb::contact::RecordingState state(const std::string& contact) const = 0;
    // Called with the contact id whenever its state() changed.
    void on_change(std::function<void(const std::string& contact)> f) { changed_ = std::move(f); }

protected:
    void changed(const std::string& contact) {
        if (changed_) changed_(contact);
    }

private:
    std::function<void(const std::string&)> changed_;
};

class Database;
class Logger;

// ---- RtpengineRecorder ---------------------------------------------------------------------------
// The recorder of calls that rtpengine records (--recording-method=pcap; Kamailio turns
// recording on with every call's offer, docs/telephony.md "Recording"). pause = ng `stop
// recording` for the call's Call-ID, resume = `start recording` (rtpengine 10.5 has no `pause
// recording`; each start opens a new pcap file, and nothing between stop and start is written).
// Both commands are idempotent in rtpengine, so a request is sent again with the same cookie
// when no answer came within the timeout. The contact -> Call-ID map and each contact's
// confirmed state ("on" | "paused") are kept in call_recordings (migration 12), so a restarted
// switchboardd still knows them; "pausing" and "resuming" exist only while a request is out.
// Single-threaded: everything runs on the io_context given.
class RtpengineRecorder : public CallRecorder {
public:
    struct Config {
        std::string host = "127.0.0.1";
        uint16_t port = 2223;
        int timeout_ms = 2000;  // per attempt
        int attempts = 2;       // the first and one retry
    };
    RtpengineRecorder(boost::asio::io_context& io, Database& db, Logger& log, std::function<int64_t()> now_ms,
                      Config config);
    ~RtpengineRecorder() override;
    // Reads call_recordings (the calls known before a restart).
    sb::Status load();
    // Several nodes (docs/architecture.md): what another node's recorder stored about a call
    // (feed::recordings), read into this one's memory without telling anyone (the node that
    // changed it told the agent and the payments); `resync`: every call read again. A call's
    // own request in flight here is left to its answer. A contact asked about before its
    // change was heard is read from the store (pause, resume).
    void heard(const std::vector<Change>& changes, bool resync);
    // Closes the ng socket: requests still out fail (recorder_unavailable), later ones too.
    void stop();

    void call_started(const std::string& contact, const std::string& call_id) override;
    void call_ended(const std::string& contact) override;
    void pause(const std::string& contact, std::function<void(sb::Status)> done) override;
    void resume(const std::string& contact, std::function<void(sb::Status)> done) override;
    sb::contact::RecordingState state(const std::string& contact) const override;
    std::vector<std::string> recorded_contacts() const override;
    // The Call-ID known for a contact (empty if none).
    std::string call_id(const std::string& contact) const;

    // "udp:HOST:PORT" (IPv4 address or name) -> host and port; an error otherwise.
    static sb::Result<Config> parse_address(const std::string& address);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    // The one place a call's recording state changes: a move the table refuses is logged, not made.
    void set_state(const std::string& contact, sb::contact::RecordingState state);
    void request(const std::string& contact, bool pausing, std::function<void(sb::Status)> done);
    // The stored row into memory (none: forgotten), unless a request of this node is out for it;
    // true if what this node knows changed.
    bool take_stored(const std::string& contact);
};

}  // namespace sbd

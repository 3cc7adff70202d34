// recording_store.h: the `call_recordings` table (migration 12; docs/telephony.md, "Recording"):
// which SIP Call-ID carries a voice contact's media and the recorder's last confirmed state, so
// that a restarted switchboardd knows which calls it was recording. RtpengineRecorder
// (telephony/recording.h) decides; this only reads and writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "contact/lifecycle.h"
#include "server/store/database.h"
#include "util/result.h"

namespace sbd {

struct RecordedCall {
    std::string contact, call_id;
    std::optional<sb::contact::RecordingState> state;  // none: not a state this version knows
};

class RecordingStore {
public:
    explicit RecordingStore(Database& db) : db_(db) {}
    sb::Result<std::vector<RecordedCall>> all();
    sb::Result<std::optional<RecordedCall>> find(const std::string& contact);
    // Each write is announced to the other nodes (feed::recordings, the contact's id).
    sb::Status put(const std::string& contact, const std::string& call_id, sb::contact::RecordingState state, int64_t now);
    sb::Status remove(const std::string& contact);

private:
    Database& db_;
};

}  // namespace sbd

// recording_store.cpp: the call_recordings table's queries (see recording_store.h). Standard SQL
// that PostgreSQL accepts too (docs/architecture.md, "Store").
#include "server/store/recording_store.h"

#include "server/store/change_feed.h"
#include "server/store/rows.h"

namespace sbd {

namespace {
RecordedCall recorded_call(const Statement& st) {
    return RecordedCall{st.column_text(0), st.column_text(1), sb::contact::parse_recording_state(st.column_text(2))};
}
}  // namespace

sb::Result<std::vector<RecordedCall>> RecordingStore::all() {
    auto q = db_.prepare("SELECT contact, call_id, state FROM call_recordings;");
    if (!q) return q.error();
    return rows::collect<RecordedCall>(q.value(), recorded_call);
}

sb::Result<std::optional<RecordedCall>> RecordingStore::find(const std::string& contact) {
    auto q = db_.prepare("SELECT contact, call_id, state FROM call_recordings WHERE contact = ?;");
    if (!q) return q.error();
    q.value().bind(1, contact);
    return rows::first<RecordedCall>(q.value(), recorded_call);
}

sb::Status RecordingStore::put(const std::string& contact, const std::string& call_id, sb::contact::RecordingState state,
                               int64_t now) {
    auto q = db_.prepare(
        "INSERT INTO call_recordings (contact, call_id, state, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (contact) DO UPDATE SET call_id = excluded.call_id, state = excluded.state, "
        "updated_at = excluded.updated_at;");
    if (!q) return q.error();
    if (auto st = q.value().bind(1, contact).bind(2, call_id).bind(3, to_string(state)).bind(4, now).run(); !st) return st;
    return db_.announce(feed::recordings, contact);
}

sb::Status RecordingStore::remove(const std::string& contact) {
    auto q = db_.prepare("DELETE FROM call_recordings WHERE contact = ?;");
    if (!q) return q.error();
    if (auto st = q.value().bind(1, contact).run(); !st) return st;
    return db_.announce(feed::recordings, contact);
}

}  // namespace sbd

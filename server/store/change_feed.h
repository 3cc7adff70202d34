// change_feed.h: how the nodes sharing one PostgreSQL hear of each other's changes
// (docs/architecture.md, "Several nodes"). A change is announced in the transaction that makes
// it (Database::announce: NOTIFY, delivered when it commits, never when it rolls back), on a
// channel per kind of thing, with the changed thing's key and the announcing node's tag; each
// node listens on a connection of its own and reads the rows again. On SQLite (one node) nothing
// is announced and there is no feed.
//
// A notification can be missed only while the feed's connection is down; drain() then says
// `resync` once it is back, and the node reads everything again.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

struct pg_conn;

namespace sbd {

namespace feed {
inline constexpr const char* contacts = "sb_contacts";  // payload: a contact's id
inline constexpr const char* agents = "sb_agents";      // payload: an agent's username (presence)
inline constexpr const char* events = "sb_events";      // payload: an agent's username (their event log grew)
inline constexpr const char* messages = "sb_messages";  // payload: a message's id (a transcript grew)
inline constexpr const char* recordings = "sb_recordings";  // payload: a contact's id (its call's recording)
// payload: "a:1:<contact>" (its agent started typing; 0: stopped) or "c:1:<contact>" (its
// customer); nothing is stored, so a node that misses one (its feed down) misses only that.
inline constexpr const char* typing = "sb_typing";
}  // namespace feed

struct Change {
    std::string channel;
    std::string key;  // what changed
};

class ChangeFeed {
public:
    // Listens on the feed's channels over a new connection to `uri`; what `node` announced
    // itself is left out.
    static sb::Result<std::unique_ptr<ChangeFeed>> open(const std::string& uri, std::string node);
    ~ChangeFeed();
    ChangeFeed(const ChangeFeed&) = delete;
    ChangeFeed& operator=(const ChangeFeed&) = delete;

    struct Drained {
        std::vector<Change> changes;
        bool resync = false;  // the connection came back: anything may have been missed
        bool down = false;    // no connection now (tried again at most once a second)
    };
    // What has arrived, without waiting.
    Drained drain();
    // The connection's socket, to wait on for reading (-1 while down); it changes when the
    // connection is re-established (generation()).
    int socket() const;
    uint64_t generation() const { return generation_; }

    // "node key": what Database::announce sends (and the parse of it).
    static std::string payload(std::string_view node, std::string_view key);

private:
    ChangeFeed(std::string uri, std::string node) : uri_(std::move(uri)), node_(std::move(node)) {}
    sb::Status connect();
    std::string uri_, node_;
    pg_conn* conn_ = nullptr;
    uint64_t generation_ = 0;
    std::chrono::steady_clock::time_point last_attempt_{};
};

}  // namespace sbd

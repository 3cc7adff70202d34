// change_feed.cpp: LISTEN on a connection of its own (see change_feed.h).
#include "server/store/change_feed.h"

#include <libpq-fe.h>

#include "server/store/database.h"
#include "server/store/postgres_db.h"

namespace sbd {

namespace {
std::string trimmed(const char* message) {
    std::string s = message ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}
}  // namespace

std::string ChangeFeed::payload(std::string_view node, std::string_view key) {
    return std::string(node) + " " + std::string(key);
}

sb::Result<std::unique_ptr<ChangeFeed>> ChangeFeed::open(const std::string& uri, std::string node) {
    std::unique_ptr<ChangeFeed> f(new ChangeFeed(uri, std::move(node)));
    if (auto st = f->connect(); !st) return st.error();
    return f;
}

ChangeFeed::~ChangeFeed() {
    if (conn_) PQfinish(conn_);
}

sb::Status ChangeFeed::connect() {
    last_attempt_ = std::chrono::steady_clock::now();
    if (conn_) PQfinish(conn_);
    conn_ = pg_connect(uri_);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        std::string message = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
        if (conn_) PQfinish(conn_);
        conn_ = nullptr;
        return database_error("change feed: cannot connect: " + message);
    }
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);  // (drain() reports a loss)
    std::string listen;
    for (const char* channel : {feed::contacts, feed::agents, feed::events, feed::messages, feed::recordings, feed::typing})
        listen += std::string("LISTEN ") + channel + ";";
    PGresult* r = PQexec(conn_, listen.c_str());
    const bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string message = ok ? "" : trimmed(PQerrorMessage(conn_));
    if (r) PQclear(r);
    if (!ok || PQsetnonblocking(conn_, 1) != 0) {
        PQfinish(conn_);
        conn_ = nullptr;
        return database_error("change feed: cannot listen: " + message);
    }
    ++generation_;
    return sb::Ok{};
}

int ChangeFeed::socket() const { return conn_ ? PQsocket(conn_) : -1; }

ChangeFeed::Drained ChangeFeed::drain() {
    Drained out;
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        if (std::chrono::steady_clock::now() - last_attempt_ < std::chrono::seconds(1) || !connect()) {
            out.down = true;
            return out;
        }
        out.resync = true;  // back: what was announced meanwhile is lost to us
    }
    if (!PQconsumeInput(conn_)) {
        PQfinish(conn_);
        conn_ = nullptr;
        out.down = true;
        out.resync = false;
        return out;
    }
    while (PGnotify* n = PQnotifies(conn_)) {
        std::string_view text = n->extra ? n->extra : "";
        auto space = text.find(' ');
        if (space != std::string_view::npos && text.substr(0, space) != node_)
            out.changes.push_back({n->relname, std::string(text.substr(space + 1))});
        PQfreemem(n);
    }
    return out;
}

}  // namespace sbd

// store_nodes.cpp: the nodes sharing one database and which of them each agent's desk is
// connected to (see store.h, "nodes", and docs/architecture.md, "Several nodes").
#include <utility>

#include "server/store/change_feed.h"
#include "server/store/store.h"

namespace sbd {

using sb::Ok;
using sb::Result;
using sb::Status;

Status Store::node_seen(const std::string& node, int64_t now) {
    auto q = db_->prepare("INSERT INTO nodes (node, seen_at) VALUES (?, ?) "
                          "ON CONFLICT (node) DO UPDATE SET seen_at = excluded.seen_at;");
    if (!q) return q.error();
    return q.value().bind(1, node).bind(2, now).run();
}

namespace {

// The first column of every row a prepared, bound query returns.
Result<std::set<std::string>> texts(Statement& q) {
    std::set<std::string> out;
    for (;;) {
        auto row = q.step();
        if (!row) return row.error();
        if (!row.value()) return out;
        out.insert(q.column_text(0));
    }
}

}  // namespace

Result<std::set<std::string>> Store::live_nodes(int64_t seen_since) {
    auto q = db_->prepare("SELECT node FROM nodes WHERE seen_at >= ?;");
    if (!q) return q.error();
    return texts(q.value().bind(1, seen_since));
}

Status Store::link_agent(const std::string& agent, const std::string& node, bool linked) {
    // The link and its announcement commit together: the other nodes read the agent again.
    Transaction tx(*db_);
    if (!tx.begun()) return tx.begun().error();
    auto q = db_->prepare(linked ? "INSERT INTO agent_links (agent, node) SELECT username, ? FROM agents "
                                   "WHERE username = ? ON CONFLICT DO NOTHING;"
                                 : "DELETE FROM agent_links WHERE node = ? AND agent = ?;");
    if (!q) return q.error();
    if (auto st = q.value().bind(1, node).bind(2, agent).run(); !st) return st.error();
    if (auto st = db_->announce(feed::agents, agent); !st) return st;
    return tx.commit();
}

Result<std::vector<std::pair<std::string, std::string>>> Store::agent_links() {
    auto q = db_->prepare("SELECT agent, node FROM agent_links;");
    if (!q) return q.error();
    std::vector<std::pair<std::string, std::string>> out;
    for (;;) {
        auto row = q.value().step();
        if (!row) return row.error();
        if (!row.value()) return out;
        out.emplace_back(q.value().column_text(0), q.value().column_text(1));
    }
}

Result<std::set<std::string>> Store::agent_nodes(const std::string& agent) {
    auto q = db_->prepare("SELECT node FROM agent_links WHERE agent = ?;");
    if (!q) return q.error();
    return texts(q.value().bind(1, agent));
}

Status Store::forget_nodes(int64_t unseen_since) {
    Transaction tx(*db_);
    if (!tx.begun()) return tx.begun().error();
    for (const char* sql : {"DELETE FROM agent_links WHERE node NOT IN (SELECT node FROM nodes WHERE seen_at >= ?);",
                            "DELETE FROM nodes WHERE seen_at < ?;"}) {
        auto q = db_->prepare(sql);
        if (!q) return q.error();
        if (auto st = q.value().bind(1, unseen_since).run(); !st) return st;
    }
    return tx.commit();
}

Status Store::forget_node(const std::string& node) {
    Transaction tx(*db_);
    if (!tx.begun()) return tx.begun().error();
    for (const char* sql : {"DELETE FROM agent_links WHERE node = ?;", "DELETE FROM nodes WHERE node = ?;"}) {
        auto q = db_->prepare(sql);
        if (!q) return q.error();
        if (auto st = q.value().bind(1, node).run(); !st) return st;
    }
    return tx.commit();
}

}  // namespace sbd

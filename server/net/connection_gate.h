// connection_gate.h: how many connections switchboardd holds, in total and per remote address.
//
// Every accepted TCP connection needs a ticket from the gate, and gives it back when it closes.
// A full server (max_total) or an address with too many *anonymous* connections refuses new
// ones at once with 503, before a byte of theirs is parsed. A desk connection that logs in stops
// counting towards its address's cap (ConnectionTicket::authenticated): a call centre's agents
// behind one NAT address are accountable and many, anonymous chat customers and strangers are
// neither. Trusted proxies (whose clients' addresses arrive in X-Forwarded-For) are exempt from
// the per-address cap at the TCP level.
//
// Sections: ConnectionLimits · ConnectionTicket · ConnectionGate
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace sbd {

// ---- ConnectionLimits ---------------------------------------------------------------------------
struct ConnectionLimits {
    std::size_t max_total = 10000;
    std::size_t max_anonymous_per_address = 64;
};

struct GateCounts {
    ConnectionLimits limits;
    std::size_t total = 0;
    std::unordered_map<std::string, std::size_t> anonymous_by_address;
    std::function<bool(const std::string&)> exempt;  // addresses without a per-address cap (trusted proxies)
};

// ---- ConnectionTicket: one admitted connection ----------------------------------------------------
class ConnectionTicket {
public:
    ConnectionTicket(std::shared_ptr<GateCounts> counts, std::string address, bool counted_per_address)
        : counts_(std::move(counts)), address_(std::move(address)), per_address_(counted_per_address) {}
    ConnectionTicket(ConnectionTicket&& other) noexcept
        : counts_(std::move(other.counts_)), address_(std::move(other.address_)), per_address_(other.per_address_) {
        other.per_address_ = false;
    }
    ConnectionTicket& operator=(ConnectionTicket&&) = delete;
    ConnectionTicket(const ConnectionTicket&) = delete;
    ~ConnectionTicket();

    // The connection logged in: it no longer counts towards its address's anonymous cap.
    void authenticated();
    const std::string& address() const { return address_; }

private:
    std::shared_ptr<GateCounts> counts_;
    std::string address_;
    bool per_address_;
};

// ---- ConnectionGate -----------------------------------------------------------------------------
class ConnectionGate {
public:
    explicit ConnectionGate(ConnectionLimits limits = {}) : counts_(std::make_shared<GateCounts>()) {
        counts_->limits = limits;
    }
    // Addresses for which `is_exempt` is true have no per-address cap (the trusted proxies).
    void set_exempt(std::function<bool(const std::string&)> is_exempt) { counts_->exempt = std::move(is_exempt); }

    // A ticket, or nullopt with `why` set ("server_full", "too_many_from_address").
    std::optional<ConnectionTicket> admit(const std::string& address, std::string* why = nullptr);
    std::size_t open() const { return counts_->total; }
    std::size_t anonymous_from(const std::string& address) const;

private:
    std::shared_ptr<GateCounts> counts_;
};

}  // namespace sbd

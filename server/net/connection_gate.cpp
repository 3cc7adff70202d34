// connection_gate.cpp: connection caps (see connection_gate.h).
#include "server/net/connection_gate.h"

namespace sbd {

namespace {
void drop_anonymous(GateCounts& counts, const std::string& address) {
    auto it = counts.anonymous_by_address.find(address);
    if (it == counts.anonymous_by_address.end()) return;
    if (--it->second == 0) counts.anonymous_by_address.erase(it);
}
}  // namespace

ConnectionTicket::~ConnectionTicket() {
    if (!counts_) return;  // moved from
    if (per_address_) drop_anonymous(*counts_, address_);
    --counts_->total;
}

void ConnectionTicket::authenticated() {
    if (!counts_ || !per_address_) return;
    per_address_ = false;
    drop_anonymous(*counts_, address_);
}

std::optional<ConnectionTicket> ConnectionGate::admit(const std::string& address, std::string* why) {
    GateCounts& c = *counts_;
    if (c.total >= c.limits.max_total) {
        if (why) *why = "server_full";
        return std::nullopt;
    }
    bool per_address = !(c.exempt && c.exempt(address));
    if (per_address) {
        std::size_t& n = c.anonymous_by_address[address];
        if (n >= c.limits.max_anonymous_per_address) {
            if (n == 0) c.anonymous_by_address.erase(address);
            if (why) *why = "too_many_from_address";
            return std::nullopt;
        }
        ++n;
    }
    ++c.total;
    return ConnectionTicket(counts_, address, per_address);
}

std::size_t ConnectionGate::anonymous_from(const std::string& address) const {
    auto it = counts_->anonymous_by_address.find(address);
    return it == counts_->anonymous_by_address.end() ? 0 : it->second;
}

}  // namespace sbd

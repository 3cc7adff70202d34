// fake_sms_provider.h: the SMS provider the demo and the tests use (--fake-sms-provider;
// docs/sms.md). Served on loopback only: POST /dev/sms-provider takes an agent's text as a real
// provider would ({from, to, body} → {id, status: "queued"}) and keeps it, card numbers masked;
// GET /dev/sms-provider/outbox lists what it took. Not part of the production server
// (sb_server): switchboardd links it from the sb_dev library.
//
// Sections: FakeSmsProvider
#pragma once

#include <optional>

#include "server/app/clock.h"
#include "server/net/http_api.h"
#include "server/store/contact_store.h"

namespace sbd {

class FakeSmsProvider {
public:
    FakeSmsProvider(ContactStore& store, Clock now) : store_(store), now_(std::move(now)) {}
    // nullopt: not one of its paths.
    std::optional<ApiReply> handle(const ApiRequest& req);

private:
    ContactStore& store_;
    Clock now_;
};

}  // namespace sbd

// sip_read_all.h: every typed reader of core/sip over one message, for the robustness tests
// and the fuzz target: none may crash, whatever the result.
#pragma once

#include "sip/address.h"
#include "sip/checks.h"
#include "sip/fields.h"
#include "sip/message.h"
#include "sip/uri.h"

namespace sip_test {

inline void read_everything(const sb::sip::Message& m) {
    using namespace sb::sip;
    (void)read_vias(m);
    (void)read_cseq(m);
    (void)read_max_forwards(m);
    (void)read_expires(m);
    (void)read_content_type(m);
    (void)check_semantics(m);
    if (auto from = read_from(m)) (void)from.value().display_name_text(), (void)from.value().tag();
    (void)read_to(m);
    if (auto contacts = read_contacts(m))
        for (const auto& c : contacts.value()) (void)contact_expires(c), (void)contact_q(c), (void)c.uri.user_text();
    (void)read_route(m);
    (void)read_record_route(m);
    for (HeaderId id : {HeaderId::authorization, HeaderId::www_authenticate, HeaderId::proxy_authenticate})
        if (auto h = m.find(id)) (void)parse_auth(h->value);
    if (m.is_request()) (void)parse_uri(m.uri());
    (void)m.serialize();
}

}  // namespace sip_test

// shell/panels/memory.cpp: when per-contact and per-call memory is let go (see memory.h).
#include "memory.h"

#include <algorithm>

namespace sb::shell {

void wipe_secret(std::string& s) {
    volatile char* p = s.data();
    for (size_t i = 0; i < s.size(); ++i) p[i] = 0;
    s.clear();
}

void PaymentDraft::wipe_card() {
    wipe_secret(number);
    wipe_secret(expiry);
    wipe_secret(cvc);
}

void PanelMemory::forget_gone(const desk::DeskState& s) {
    const auto on_desk = [&](const std::string& id) { return desk::find_contact(s, id) != nullptr; };
    const auto in_state = [&](contact::ContactState wanted) {
        return [&s, wanted](const std::string& id) {
            const contact::Contact* c = desk::find_contact(s, id);
            return c && c->state == wanted;
        };
    };

    // An offer's countdown starts again if the contact is offered anew.
    offer_total_ms.prune(in_state(contact::ContactState::Offered));
    // Typed answers, the reply and the transcript's place last as long as the contact (a reply
    // typed on an offer is still there once it is accepted).
    answers.prune(on_desk);
    compose.prune(on_desk);
    follow.prune(on_desk);
    // The card fields are wiped as soon as the capture ends (payment.cpp); a draft whose contact
    // left is wiped again as it goes, whichever contact was on screen.
    payment.prune(on_desk, [](const std::string&, PaymentDraft& d) { d.wipe_card(); });
    wrap_up.prune(in_state(contact::ContactState::WrapUp));
    calls.prune([&](uint32_t id) {
        return std::any_of(s.calls.begin(), s.calls.end(), [&](const desk::Call& c) { return c.id == id; });
    });
}

}  // namespace sb::shell

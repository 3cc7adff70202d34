// shell/panels/customer_card.cpp: the right column, who the customer on the selected contact is.
//
// Filled by the verification and customer features later; until then, a clear empty state.
#include <imgui.h>

#include "../widgets.h"
#include "panels.h"

namespace sb::shell {

void draw_customer_card(const desk::DeskState& /*s*/, IntentSink& /*sink*/, PanelContext& /*ctx*/) {
    ui::card_header("Customer");
    ui::empty_state(ui::Illustration::Person, "No customer selected",
                    "Customer details appear here when a contact is selected.");
}

}  // namespace sb::shell

// shell/panels/workspace.cpp: the centre of the desk, where the selected contact is worked.
//
// Nothing can be selected yet; the empty state says what will appear here.
#include <imgui.h>

#include "../widgets.h"
#include "panels.h"

namespace sb::shell {

void draw_workspace(const desk::DeskState& /*s*/, IntentSink& /*sink*/, PanelContext& /*ctx*/) {
    ui::card_header("Workspace");
    ui::empty_state(ui::Illustration::Conversation, "Select a contact to start working",
                    "The conversation, the customer's history and your tools open here.");
}

}  // namespace sb::shell

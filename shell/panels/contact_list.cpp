// shell/panels/contact_list.cpp: the left column, the agent's contacts (calls, chats, SMS).
//
// Contacts do not exist yet in the desk; the column already owns its header and an empty state
// that tells the agent what to do next, which depends on their presence.
#include <string>

#include <imgui.h>

#include "../theme.h"
#include "../widgets.h"
#include "panels.h"

namespace sb::shell {

namespace {

const char* channel_name(contact::Channel c) {
    switch (c) {
        case contact::Channel::Voice: return "Call";
        case contact::Channel::Chat: return "Chat";
        case contact::Channel::Sms: return "SMS";
    }
    return "Contact";
}

}  // namespace

void draw_contact_list(const desk::DeskState& s, IntentSink& /*sink*/, PanelContext& /*ctx*/) {
    const std::string count = std::to_string(s.contacts.size());
    ui::card_header("Contacts", s.contacts.empty() ? nullptr : count.c_str());

    if (s.contacts.empty()) {
        const bool available = s.agent && s.agent->state == agent::Presence::Available;
        ui::empty_state(ui::Illustration::Inbox, "No contacts yet",
                        available ? "You're available. New contacts will appear here."
                                  : "Go Available to start receiving calls, chats and SMS.");
        return;
    }

    // A plain list until the contact features bring their own rows.
    const auto& f = theme::fonts();
    for (const auto& c : s.contacts) {
        ImGui::PushID(c.id.c_str());
        ui::text(f.strong, theme::color::text, channel_name(c.channel));
        ImGui::SameLine();
        ui::text(f.small, theme::color::text_muted, c.id);
        ImGui::PopID();
    }
}

}  // namespace sb::shell

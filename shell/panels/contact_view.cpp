// shell/panels/contact_view.cpp: shared wording about contacts (see contact_view.h).
#include "contact_view.h"

#include "../theme.h"

namespace sb::shell::view {

const char* channel_name(contact::Channel c) {
    switch (c) {
        case contact::Channel::Voice: return "Call";
        case contact::Channel::Chat: return "Chat";
        case contact::Channel::Sms: return "SMS";
    }
    return "Contact";
}

std::string queue_name(const desk::DeskState& s, const std::string& code) {
    if (const contact::Queue* q = desk::find_queue(s, code); q && !q->name.empty()) return q->name;
    return code;
}

std::string agent_name(const desk::DeskState& s, const std::string& username) {
    if (s.agent && s.agent->username == username)
        return s.agent->display_name.empty() ? username : s.agent->display_name;
    for (const auto& a : s.agents)
        if (a.username == username) return a.display_name.empty() ? a.username : a.display_name;
    return username;
}

std::string disposition_label(const desk::DeskState& s, const std::string& queue, const std::string& code) {
    if (const contact::Queue* q = desk::find_queue(s, queue))
        for (const auto& d : q->dispositions)
            if (d.code == code) return d.label;
    return code;
}

int64_t waiting_since_ms(const contact::Contact& c) {
    int64_t since = -1;
    for (const auto& m : c.messages) {
        if (m.from == contact::Sender::Customer) {
            if (since < 0) since = m.at_ms;
        } else if (m.from == contact::Sender::Agent) {
            since = -1;  // answered
        }
    }
    return since;
}

ImU32 wait_color(int64_t waited_ms) {
    if (waited_ms >= kWaitBreachMs) return theme::color::danger;
    if (waited_ms >= kWaitWarnMs) return theme::color::amber;
    return theme::color::text_muted;
}

std::string preview(const contact::Contact& c) {
    for (auto it = c.messages.rbegin(); it != c.messages.rend(); ++it) {
        if (it->from == contact::Sender::System) continue;
        std::string text = it->text;
        for (char& ch : text)
            if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
        return it->from == contact::Sender::Agent ? "You: " + text : text;
    }
    return {};
}

}  // namespace sb::shell::view

// shell/panels/transfer.cpp: the Transfer popup of the workspace.
//
// To a queue (any of the desk's queues) or to a colleague (only those available can take it),
// with a note the receiving agent reads at the top of the conversation. Colleagues are found by
// name (the `agents` request, through FindAgentsIntent): a floor of thousands is never listed whole.
//
// Sections: rows · draw_transfer_popup
#include <algorithm>
#include <string>
#include <vector>

#include <imgui.h>

#include "../theme.h"
#include "../widgets.h"
#include "contact_view.h"
#include "memory.h"
#include "protocol/schema.h"
#include "util/text.h"
#include "workspace.h"

namespace sb::shell::workspace {

namespace {

namespace color = theme::color;
using agent::Presence;

constexpr float kWidth = 360.0f;
constexpr float kRowH = 40.0f;

// ---- rows --------------------------------------------------------------------------------------
bool tab(const char* label, bool on, float w) {
    const auto& f = theme::fonts();
    const bool clicked = ImGui::InvisibleButton(label, ImVec2(w, 30.0f));
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    if (on) {
        dl->AddRectFilled(a, b, color::surface, 6.0f);
        dl->AddRect(a, b, color::border, 6.0f);
    }
    const float tw = ui::text_size(f.strong, label).x;
    ui::draw_text(dl, on ? f.strong : f.body, ImVec2(a.x + (w - tw) * 0.5f, ui::centred_y(f.strong, a.y, 30.0f)),
                  on ? color::text : color::text_muted, label);
    return clicked;
}

// A choosable row: radio, a name, a muted detail on the right (and a presence dot for agents).
bool target_row(const char* id, bool on, const std::string& name, const std::string& detail, float w,
                const ImU32* dot = nullptr) {
    const auto& f = theme::fonts();
    const bool clicked = ImGui::InvisibleButton(id, ImVec2(w, kRowH));
    const bool hovered = ImGui::IsItemHovered();
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    if (on || hovered) dl->AddRectFilled(a, b, on ? color::accent_soft : color::surface_hover, 8.0f);
    ui::radio_dot(dl, ImVec2(a.x + 18.0f, (a.y + b.y) * 0.5f), on);
    float x = a.x + 36.0f;
    const float dw = ui::text_size(f.small, detail).x;
    if (dot) {
        ui::presence_dot(dl, ImVec2(x + 4.0f, (a.y + b.y) * 0.5f), 3.5f, *dot);
        x += 16.0f;
    }
    ui::draw_text(dl, on ? f.strong : f.body, ImVec2(x, ui::centred_y(f.body, a.y, kRowH)), color::text,
                  ui::ellipsize(f.body, name, b.x - x - dw - 22.0f));
    ui::draw_text(dl, f.small, ImVec2(b.x - dw - 10.0f, ui::centred_y(f.small, a.y, kRowH)), color::text_faint, detail);
    return clicked;
}

}  // namespace

// ---- draw_transfer_popup -----------------------------------------------------------------------

void draw_transfer_popup(const desk::DeskState& s, const contact::Contact& c, IntentSink& sink, PanelContext& ctx,
                         ImVec2 anchor) {
    TransferForm& form = ctx.memory.transfer;  // one popup at a time; started afresh each time it opens
    const auto& f = theme::fonts();
    ImGui::SetNextWindowPos(anchor, ImGuiCond_Always, ImVec2(1.0f, 0.0f));
    ImGui::SetNextWindowSize(ImVec2(kWidth, 0.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(14.0f, 14.0f));
    ImGui::PushStyleColor(ImGuiCol_Border, color::border_strong);
    if (!ImGui::BeginPopup(kTransferPopup, ImGuiWindowFlags_NoMove)) {
        ImGui::PopStyleColor();
        ImGui::PopStyleVar();
        return;
    }
    if (ImGui::IsWindowAppearing()) form = TransferForm{};
    const float w = ImGui::GetContentRegionAvail().x;

    ui::text(f.heading, color::text, ui::ellipsize(f.heading, "Transfer " + c.customer.display_name(), w));

    // Queue | Agent
    {
        const ImVec2 o = ImGui::GetCursorScreenPos();
        ImGui::GetWindowDrawList()->AddRectFilled(o, ImVec2(o.x + w, o.y + 36.0f), color::surface_active, 8.0f);
        ImGui::SetCursorScreenPos(ImVec2(o.x + 3.0f, o.y + 3.0f));
        const float tw = (w - 6.0f) * 0.5f;
        if (tab("To a queue", !form.to_agent, tw) && form.to_agent) form = TransferForm{false, "", form.note};
        ImGui::SameLine(0.0f, 0.0f);
        if (tab("To an agent", form.to_agent, tw) && !form.to_agent) form = TransferForm{true, "", form.note};
        ImGui::SetCursorScreenPos(ImVec2(o.x, o.y + 36.0f));
        ImGui::Dummy(ImVec2(w, 0.0f));
    }

    // To an agent: a search, asked again whenever what is typed changes (the first time with
    // nothing typed: the first colleagues, the available ones first), and once more when the
    // connection came back before an answer did.
    static const std::vector<contact::AgentSummary> kNone;
    const bool too_long = text::utf8_length(form.agent_query) > protocol::kMaxAgentQuery;
    const bool pending = desk::agent_search_pending(s);
    const bool answered = !too_long && s.agent_search.answered == form.agent_query && !pending;
    const std::vector<contact::AgentSummary>& found = form.to_agent && answered ? s.agent_search.found : kNone;
    const auto others = static_cast<float>(std::count_if(found.begin(), found.end(), [&](const contact::AgentSummary& a) {
        return !s.agent || a.username != s.agent->username;
    }));
    if (form.to_agent) {
        ImGui::SetNextItemWidth(w);
        ui::input_text("##agent_query", form.agent_query, "Find a colleague by name");
        const bool online = s.session == desk::SessionState::LoggedIn && s.connection == desk::ConnectionState::Connected;
        const bool asked = form.searched && *form.searched == form.agent_query;
        if (!too_long && online && !pending && (!asked || !answered)) {
            sink.dispatch(desk::FindAgentsIntent{form.agent_query});
            form.searched = form.agent_query;
        }
    }

    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0.0f, 2.0f));
    ImGui::BeginChild("##targets", ImVec2(w, std::min(5.0f, std::max(2.0f, form.to_agent ? others : static_cast<float>(s.queues.size()))) * (kRowH + 2.0f)), false);
    const float rw = ImGui::GetContentRegionAvail().x;
    int rows = 0;
    if (!form.to_agent) {
        for (const auto& q : s.queues) {
            const std::string id = "##q_" + q.code;
            if (target_row(id.c_str(), form.target == q.code, q.name.empty() ? q.code : q.name,
                           q.code == c.queue ? "current" : "", rw))
                form.target = q.code;
            ++rows;
        }
    } else {
        // Available colleagues first (the backend's order); the others are listed so the agent
        // sees why they can't pick them.
        for (const auto& a : found) {
            if (s.agent && a.username == s.agent->username) continue;
            const bool available = a.state == Presence::Available;
            const ImU32 dot = ui::presence_color(a.state);
            const std::string id = "##a_" + a.username;
            ImGui::BeginDisabled(!available);
            if (target_row(id.c_str(), form.target == a.username, a.display_name.empty() ? a.username : a.display_name,
                           available ? "Available" : a.state == Presence::Offline ? "Offline" : "Not ready", rw, &dot))
                form.target = a.username;
            ImGui::EndDisabled();
            ++rows;
        }
    }
    if (rows == 0)
        ui::text(f.small, color::text_muted,
                 !form.to_agent             ? std::string("No queues to transfer to.")
                 : too_long                 ? "Type at most " + std::to_string(protocol::kMaxAgentQuery) + " characters of a name."
                 : !answered                ? std::string("Looking for colleagues...")
                 : form.agent_query.empty() ? std::string("No colleagues yet.")
                                            : std::string("Nobody by that name."));
    ImGui::EndChild();
    ImGui::PopStyleVar();
    if (form.to_agent && answered && s.agent_search.more)
        ui::text(f.small, color::text_faint, "More colleagues match: type more of a name.");

    ui::text(f.strong, color::text, "Note for the next agent");
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() - 4.0f);
    ui::input_text_multiline("##transfer_note", form.note, ImVec2(w, 70.0f));
    ui::field_placeholder(form.note, "What they need to know");

    const float bw = (w - 10.0f) * 0.5f;
    if (ui::secondary_button("Cancel", ImVec2(bw, 36.0f))) ImGui::CloseCurrentPopup();
    ImGui::SameLine(0.0f, 10.0f);
    ImGui::BeginDisabled(form.target.empty());
    if (ui::primary_button("Transfer", ImVec2(bw, 36.0f))) {
        desk::TransferIntent t{c.id, "", "", form.note};
        (form.to_agent ? t.agent : t.queue) = form.target;
        sink.dispatch(t);
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndDisabled();

    ImGui::EndPopup();
    ImGui::PopStyleColor();
    ImGui::PopStyleVar();
}

}  // namespace sb::shell::workspace

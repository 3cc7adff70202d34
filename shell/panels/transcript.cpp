// shell/panels/transcript.cpp: the conversation of the selected contact.
//
// The customer on the left in grey, the agents on the right in the accent colour, the desk's
// own notes centred and small. Under a run of messages: the time, and for agents their name and
// whether it was delivered. A transfer note opens the transcript; "typing…" closes it while the
// customer types. The view follows new messages unless the agent has scrolled up to read.
//
// Sections: pieces · draw_transcript
#include <algorithm>
#include <cmath>
#include <string>

#include <imgui.h>

#include "../format.h"
#include "../theme.h"
#include "../widgets.h"
#include "contact_view.h"
#include "memory.h"
#include "workspace.h"

namespace sb::shell::workspace {

namespace {

namespace color = theme::color;
using contact::Contact;
using contact::Message;
using contact::MessageStatus;
using contact::Sender;

constexpr float kPadX = 12.0f, kPadY = 8.0f;  // inside a bubble
constexpr int64_t kRunGapMs = 120'000;       // messages closer than this share one caption

// ---- pieces ------------------------------------------------------------------------------------
const char* status_words(MessageStatus st) {
    switch (st) {
        case MessageStatus::Pending: return "Sending…";
        case MessageStatus::Sent: return "Sent";
        case MessageStatus::Delivered: return "Delivered";
        case MessageStatus::Failed: return "Not delivered";
    }
    return "";
}

// Does `m` close a run (so its caption shows)? The next message from someone else, much later,
// or with another delivery state, starts a new one.
bool ends_run(const Contact& c, size_t i) {
    if (i + 1 >= c.messages.size()) return true;
    const Message& m = c.messages[i];
    const Message& n = c.messages[i + 1];
    return n.from != m.from || n.agent != m.agent || n.at_ms - m.at_ms > kRunGapMs || n.status != m.status;
}

void centred_label(ImDrawList* dl, const std::string& s, float w, ImU32 bg) {
    const auto& f = theme::fonts();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float wrap = std::min(w * 0.8f, 460.0f);
    const ImVec2 ts = f.small->CalcTextSizeA(ui::line_height(f.small), FLT_MAX, wrap, s.c_str());
    const ImVec2 a(std::round(o.x + (w - ts.x) * 0.5f - 10.0f), o.y);
    dl->AddRectFilled(a, ImVec2(a.x + ts.x + 20.0f, a.y + ts.y + 8.0f), bg, 10.0f);
    dl->AddText(f.small, ui::line_height(f.small), ImVec2(a.x + 10.0f, a.y + 4.0f), color::text_muted, s.c_str(),
                nullptr, wrap);
    ImGui::Dummy(ImVec2(w, ts.y + 8.0f));
}

void transfer_note(const desk::DeskState& s, const contact::Transfer& t, float w) {
    const auto& f = theme::fonts();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float inner = w - 28.0f;
    const std::string who = "Transferred to you by " + view::agent_name(s, t.from);
    const std::string note = t.note.empty() ? "No note was left." : "“" + t.note + "”";
    const ImVec2 ns = f.body->CalcTextSizeA(ui::line_height(f.body), FLT_MAX, inner, note.c_str());
    const float h = 12.0f + ui::line_height(f.small) + 4.0f + ns.y + 12.0f;
    dl->AddRectFilled(o, ImVec2(o.x + w, o.y + h), color::amber_soft, 10.0f);
    dl->AddRectFilled(ImVec2(o.x, o.y), ImVec2(o.x + 3.0f, o.y + h), color::not_ready, 1.5f);
    ui::draw_text(dl, f.small, ImVec2(o.x + 14.0f, o.y + 12.0f), color::warning_text, ui::ellipsize(f.small, who, inner));
    dl->AddText(f.body, ui::line_height(f.body), ImVec2(o.x + 14.0f, o.y + 16.0f + ui::line_height(f.small)),
                t.note.empty() ? color::text_muted : color::text, note.c_str(), nullptr, inner);
    ImGui::Dummy(ImVec2(w, h + 6.0f));
}

void bubble(const desk::DeskState& s, const Contact& c, size_t i, float w) {
    const auto& f = theme::fonts();
    const Message& m = c.messages[i];
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const bool mine = m.from == Sender::Agent;
    const float max_w = std::min(std::floor(w * 0.74f), 560.0f);
    const float fs = ui::line_height(f.body);
    const ImVec2 ts = f.body->CalcTextSizeA(fs, FLT_MAX, max_w - 2.0f * kPadX, m.text.c_str());
    const float bw = std::ceil(ts.x) + 2.0f * kPadX, bh = std::ceil(ts.y) + 2.0f * kPadY;
    const float x = mine ? o.x + w - bw : o.x;
    const bool last = ends_run(c, i);
    const float h = bh + (last ? 4.0f + ui::line_height(f.small) : 0.0f);
    const ImVec2 room(w, h + (last ? 14.0f : 4.0f) - ImGui::GetStyle().ItemSpacing.y);
    // Out of view (a long transcript scrolled): only its room, nothing drawn. ImGui would clip
    // the shapes anyway, but only after building every vertex of them.
    if (!ImGui::IsRectVisible(o, ImVec2(o.x + w, o.y + h))) {
        ImGui::Dummy(room);
        return;
    }

    // The corner nearest the speaker stays square on the last bubble of a run: a hint of a tail.
    ImDrawFlags corners = ImDrawFlags_RoundCornersAll;
    if (last) corners = mine ? (ImDrawFlags_RoundCornersAll & ~ImDrawFlags_RoundCornersBottomRight)
                             : (ImDrawFlags_RoundCornersAll & ~ImDrawFlags_RoundCornersBottomLeft);
    const bool failed = mine && m.status == MessageStatus::Failed;
    const ImU32 bg = !mine ? color::bubble_in : failed ? color::danger_soft : m.status == MessageStatus::Pending
                                                                              ? theme::rgb(0x4F46E5, 170)
                                                                              : color::accent;
    dl->AddRectFilled(ImVec2(x, o.y), ImVec2(x + bw, o.y + bh), bg, 14.0f, corners);
    if (failed) dl->AddRect(ImVec2(x, o.y), ImVec2(x + bw, o.y + bh), color::danger_border, 14.0f, corners);
    dl->AddText(f.body, fs, ImVec2(x + kPadX, o.y + kPadY), !mine || failed ? color::text : color::on_accent,
                m.text.c_str(), nullptr, max_w - 2.0f * kPadX);
    if (last) {
        std::string caption = ui::format_clock(m.at_ms);
        ImU32 caption_color = color::text_faint;
        if (mine) {
            caption = view::agent_name(s, m.agent) + " · " + caption + " · " + status_words(m.status);
            if (c.channel == contact::Channel::Sms && m.segments > 1) caption += " · " + std::to_string(m.segments) + " SMS";
            if (failed) caption_color = color::danger;
        }
        caption = ui::ellipsize(f.small, caption, w);
        const float cw = ui::text_size(f.small, caption).x;
        ui::draw_text(dl, f.small, ImVec2(mine ? o.x + w - cw - 2.0f : o.x + 2.0f, o.y + bh + 4.0f), caption_color,
                      caption);
    }
    ImGui::Dummy(room);
}

void typing_bubble(PanelContext& ctx) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    dl->AddRectFilled(o, ImVec2(o.x + 56.0f, o.y + 34.0f), color::bubble_in, 14.0f,
                      ImDrawFlags_RoundCornersAll & ~ImDrawFlags_RoundCornersBottomLeft);
    ui::progress_dots(dl, ImVec2(o.x + 28.0f, o.y + 17.0f), color::text_muted, ctx.now_ms);
    ui::draw_text(dl, theme::fonts().small, ImVec2(o.x + 66.0f, ui::centred_y(theme::fonts().small, o.y, 34.0f)),
                  color::text_faint, "typing…");
    ctx.redraw_within(250 - ctx.now_ms % 250);
    ImGui::Dummy(ImVec2(56.0f, 34.0f));
}

}  // namespace

// ---- draw_transcript ---------------------------------------------------------------------------

void draw_transcript(const desk::DeskState& s, const Contact& c, PanelContext& ctx, ImVec2 size) {
    const auto& f = theme::fonts();
    ImGui::PushStyleColor(ImGuiCol_ChildBg, theme::rgb(0xFFFFFF, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(2.0f, 12.0f));
    ImGui::BeginChild("##transcript", size, ImGuiChildFlags_AlwaysUseWindowPadding);
    ImGui::PopStyleVar();

    Follow& follow = ctx.memory.follow.at(c.id);  // what was shown last frame, to follow new content
    const bool at_bottom = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 4.0f;
    const float w = ImGui::GetContentRegionAvail().x - 8.0f;  // room for the scrollbar, always
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const int64_t now = view::server_now(s, ctx.now_ms);

    if (c.transfer) transfer_note(s, *c.transfer, w);
    if (c.messages.empty()) {
        ImGui::Dummy(ImVec2(w, 8.0f));
        centred_label(dl, c.state == contact::ContactState::Offered ? "The conversation shows once you accept."
                          : c.message_count > 0                     ? "Loading the conversation..."  // get_messages
                                                                    : "No messages yet.",
                      w, color::surface_hover);
    }
    for (size_t i = 0; i < c.messages.size(); ++i) {
        const Message& m = c.messages[i];
        // A day's first message says which day, unless it is today and the first of all.
        const bool new_day = i == 0 ? !ui::same_day(m.at_ms, now) : !ui::same_day(m.at_ms, c.messages[i - 1].at_ms);
        if (new_day) {
            const std::string day = ui::same_day(m.at_ms, now) ? "Today" : ui::format_date(m.at_ms);
            const float tw = ui::text_size(f.small, day).x;
            ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::floor((w - tw) * 0.5f));
            ui::text(f.small, color::text_faint, day);
        }
        if (m.from == Sender::System) {
            centred_label(dl, m.text + "  ·  " + ui::format_clock(m.at_ms), w, color::surface_hover);
            ImGui::Dummy(ImVec2(w, 2.0f));
        } else {
            bubble(s, c, i, w);
        }
    }
    const bool typing = c.customer_typing && c.channel == contact::Channel::Chat;
    if (typing) typing_bubble(ctx);

    // Follow new content if the agent was at the bottom (or this is the first look).
    const bool grew = c.messages.size() != follow.messages || typing != follow.typing;
    if (!follow.seen || (grew && at_bottom)) {
        ImGui::SetScrollHereY(1.0f);
        ctx.redraw_within(0);  // the scroll lands next frame
    }
    follow = {c.messages.size(), typing, true};

    ImGui::EndChild();
    ImGui::PopStyleColor();
}

}  // namespace sb::shell::workspace

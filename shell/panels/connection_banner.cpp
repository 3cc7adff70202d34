// shell/panels/connection_banner.cpp: a strip under the agent bar while the backend is out of reach.
//
// The desk keeps the agent's state and resumes the session by itself; the banner says so, so the
// agent keeps working instead of reloading the page.
#include <string>

#include <imgui.h>

#include "../format.h"
#include "../theme.h"
#include "../widgets.h"
#include "panels.h"

namespace sb::shell {

void draw_connection_banner(const desk::DeskState& s, PanelContext& ctx) {
    using C = desk::ConnectionState;
    namespace color = theme::color;
    const auto& f = theme::fonts();

    std::string when;
    if (s.connection == C::WaitingToReconnect) {
        int64_t secs = ui::seconds_until(s.reconnect_at_ms, ctx.now_ms);
        when = secs > 0 ? "Retrying in " + std::to_string(secs) + " s." : "Retrying now…";
        ctx.redraw_within(ui::ms_to_next_second(s.reconnect_at_ms, ctx.now_ms));
    } else if (s.connection == C::Connected) {
        when = "Restoring your session…";
    } else {
        when = "Reconnecting…";
    }
    const std::string message = "Connection to the backend lost. Your state is kept. " + when;

    const ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(wp, ImVec2(wp.x + ws.x, wp.y + ws.y), color::warning_soft);
    dl->AddLine(ImVec2(wp.x, wp.y + ws.y - 1.0f), ImVec2(wp.x + ws.x, wp.y + ws.y - 1.0f), color::warning_border);

    const std::string shown = ui::ellipsize(f.small, message, ws.x - 60.0f);
    const ImVec2 ts = ui::text_size(f.small, shown);
    const float total = ts.x + 18.0f;
    const float x = wp.x + std::max(20.0f, (ws.x - total) * 0.5f);
    const float mid = wp.y + ws.y * 0.5f;
    ui::progress_dots(dl, ImVec2(x + 4.0f, mid), color::not_ready, ctx.now_ms);
    ui::draw_text(dl, f.small, ImVec2(x + 24.0f, mid - ts.y * 0.5f), color::warning_text, shown);
    ctx.redraw_within(250);  // the dots say "working on it"
}

}  // namespace sb::shell

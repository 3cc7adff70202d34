// shell/panels/audio_settings.cpp: the Audio settings, a popup under the agent bar's Audio
// button. Three choices, each a list of the devices the platform reported (DeskState::audio):
// the microphone, the speaker calls play on, and the ringer the ringtone plays on, with a Test
// ringer button. Opening it asks the platform for the devices again (and for the microphone,
// so that their names show); a refused microphone is said plainly, with what to do about it.
// Choices are remembered by the browser and apply to a call in progress.
//
// Sections: wording · pieces · draw_audio_settings
#include <algorithm>
#include <string>
#include <vector>

#include <imgui.h>

#include "../theme.h"
#include "../widgets.h"
#include "memory.h"
#include "panels.h"

namespace sb::shell {

namespace {

namespace color = theme::color;

constexpr int64_t kRingerTestShownMs = 2500;

// ---- wording -----------------------------------------------------------------------------------
// Why the microphone cannot be used, for people, or empty.
std::string microphone_problem(const desk::AudioSettings& a) {
    if (a.microphone == "denied")
        return "The browser blocked the microphone, so calls cannot be answered here. Allow it for this site (the "
               "icon at the left of the address bar), then open these settings again.";
    if (a.microphone == "unavailable") return "This desk has no audio devices: the native shell plays no sound.";
    return {};
}

// The browser's "default" entry names the system's device ("Default - USB Headset"): it becomes
// the words of the "System default" choice instead of a second entry that means the same.
std::string default_label(const desk::AudioSettings& a, const char* kind) {
    for (const auto& d : a.devices) {
        if (d.kind != kind || d.id != "default") continue;
        std::string name = d.label;
        for (const char* prefix : {"Default - ", "Default"})
            if (name.rfind(prefix, 0) == 0) name = name.substr(std::string(prefix).size());
        while (!name.empty() && name.front() == ' ') name.erase(0, 1);
        if (!name.empty()) return "System default (" + name + ")";
    }
    return "System default";
}

std::string device_label(const desk::AudioSettings& a, const char* kind, const std::string& id) {
    if (id.empty() || id == "default") return default_label(a, kind);
    for (const auto& d : a.devices)
        if (d.kind == kind && d.id == id) return d.label;
    return "Not connected (system default meanwhile)";
}

// ---- pieces ------------------------------------------------------------------------------------
void caption(const char* text) { ui::text(theme::fonts().small, color::text_muted, text); }

// A message box in the warning (or danger) colours, wrapped to `width`.
void message_box(ImDrawList* dl, const std::string& text, float width, bool danger) {
    const auto& f = theme::fonts();
    const auto lines = ui::wrap_lines(f.small, text, width - 24.0f, 5);
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float h = 18.0f + static_cast<float>(lines.size()) * (ui::line_height(f.small) + 2.0f);
    dl->AddRectFilled(o, ImVec2(o.x + width, o.y + h), danger ? color::danger_soft : color::warning_soft, 8.0f);
    dl->AddRect(o, ImVec2(o.x + width, o.y + h), danger ? color::danger_border : color::warning_border, 8.0f);
    float y = o.y + 9.0f;
    for (const auto& ln : lines) {
        ui::draw_text(dl, f.small, ImVec2(o.x + 12.0f, y), danger ? color::danger : color::warning_text, ln);
        y += ui::line_height(f.small) + 2.0f;
    }
    ImGui::Dummy(ImVec2(width, h));
}

// One choice: a combo of "System default" and the devices of `list_kind`. Dispatches set_device.
void device_combo(const desk::AudioSettings& a, IntentSink& sink, const char* id, const char* list_kind,
                  const char* choice_kind, const std::string& current, float width, bool disabled) {
    ImGui::SetNextItemWidth(width);
    ImGui::PushStyleColor(ImGuiCol_Border, color::border_strong);
    ImGui::PushStyleColor(ImGuiCol_Button, color::surface);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, color::surface_hover);
    ImGui::PushStyleColor(ImGuiCol_Text, color::text);
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(12.0f, 8.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 1.0f);
    // Long names end in "…" before the arrow rather than being cut off.
    const std::string preview = ui::ellipsize(ImGui::GetFont(), device_label(a, list_kind, current),
                                              width - 24.0f - ImGui::GetFrameHeight());
    ImGui::BeginDisabled(disabled);
    if (ImGui::BeginCombo(id, preview.c_str())) {
        const bool is_default = current.empty() || current == "default";
        const std::string def = default_label(a, list_kind) + "##default";
        if (ImGui::Selectable(def.c_str(), is_default) && !is_default) sink.dispatch(desk::SetDeviceIntent{choice_kind, ""});
        int n = 0;
        for (const auto& d : a.devices) {
            if (d.kind != list_kind || d.id == "default") continue;
            const std::string label = d.label + "##" + std::to_string(n++);
            const bool selected = d.id == current && !current.empty();
            if (ImGui::Selectable(label.c_str(), selected) && !selected) sink.dispatch(desk::SetDeviceIntent{choice_kind, d.id});
        }
        ImGui::EndCombo();
    }
    ImGui::EndDisabled();
    ImGui::PopStyleVar(2);
    ImGui::PopStyleColor(4);
}

}  // namespace

// ---- draw_audio_settings -----------------------------------------------------------------------

void draw_audio_settings(const desk::DeskState& s, IntentSink& sink, PanelContext& ctx, ImVec2 anchor) {
    const auto& f = theme::fonts();
    const float inner = 340.0f;
    ImGui::SetNextWindowPos(anchor, ImGuiCond_Always, ImVec2(1.0f, 0.0f));
    ImGui::SetNextWindowSize(ImVec2(inner + 36.0f, 0.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(18.0f, 16.0f));
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(8.0f, 8.0f));
    ImGui::PushStyleColor(ImGuiCol_Border, color::border_strong);
    AudioMemory& memory = ctx.memory.audio;
    if (!ImGui::BeginPopup(kAudioSettingsPopup, ImGuiWindowFlags_NoMove)) {
        memory.open = false;
        ImGui::PopStyleColor();
        ImGui::PopStyleVar(2);
        return;
    }
    if (!memory.open) {
        memory.open = true;
        sink.dispatch(desk::RefreshDevicesIntent{true});  // fresh names, and the microphone's permission
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const desk::AudioSettings& a = s.audio;

    ui::text(f.heading, color::text, "Audio");
    ui::text(f.small, color::text_muted, "Remembered by this browser; a call in progress switches at once.");
    ImGui::Dummy(ImVec2(inner, 2.0f));

    if (!a.known) {
        const ImVec2 o = ImGui::GetCursorScreenPos();
        ui::progress_dots(dl, ImVec2(o.x + 14.0f, o.y + 10.0f), color::text_faint, ctx.now_ms);
        ui::draw_text(dl, f.small, ImVec2(o.x + 34.0f, o.y + 2.0f), color::text_muted, "Looking for your devices…");
        ImGui::Dummy(ImVec2(inner, 22.0f));
        ctx.redraw_within(250);
    }
    const std::string problem = microphone_problem(a);
    if (!problem.empty()) message_box(dl, problem, inner, a.microphone == "denied");

    const bool none = a.microphone == "unavailable";
    const bool no_outputs = std::none_of(a.devices.begin(), a.devices.end(),
                                         [](const desk::AudioDevice& d) { return d.kind == "output"; });

    caption("Microphone");
    device_combo(a, sink, "##audio_input", "input", "input", a.input, inner, none || a.microphone == "denied");
    caption("Speaker");
    device_combo(a, sink, "##audio_output", "output", "output", a.output, inner, none || no_outputs);
    caption("Ringer");
    const float test_w = 118.0f;
    device_combo(a, sink, "##audio_ringer", "output", "ringer", a.ringer, inner - test_w - 8.0f, none || no_outputs);
    ImGui::SameLine();
    const bool ringing_test = memory.ringer_until_ms > ctx.now_ms;
    const bool call_ringing = !s.tone.empty() && !ringing_test;
    ImGui::BeginDisabled(none || call_ringing || ringing_test);
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(10.0f, 8.0f));
    if (ui::secondary_button(ringing_test ? "Ringing…##test_ringer" : "Test ringer##test_ringer",
                             ImVec2(test_w, ImGui::GetFrameHeight()))) {
        sink.dispatch(desk::TestRingerIntent{});
        memory.ringer_until_ms = ctx.now_ms + kRingerTestShownMs;
    }
    ImGui::PopStyleVar();
    ImGui::EndDisabled();
    if (ringing_test) ctx.redraw_within(memory.ringer_until_ms - ctx.now_ms);
    if (no_outputs && a.known && !none)
        ui::text(f.small, color::text_faint, "This browser plays calls and the ringtone on its default speaker.");
    if (!a.error.empty()) message_box(dl, a.error, inner, false);

    if (ImGui::IsKeyPressed(ImGuiKey_Escape, false)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    ImGui::PopStyleColor();
    ImGui::PopStyleVar(2);
}

}  // namespace sb::shell
